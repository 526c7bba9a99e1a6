import { DateTime } from 'luxon';
import { BusinessCalendar, DAY_NAMES, WorkingInterval } from './business-calendar';
import { addBusinessMinutes, businessMinutesBetween, computeTarget, SlaPause } from './sla-clock';

/** mulberry32: small seeded PRNG so failures are reproducible (no Math.random). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MIN = 60_000;
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

// Zones with DST at 02:00/03:00, at midnight (Santiago), 30-min DST (Lord_Howe), odd offsets, none.
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'America/Santiago',
  'Pacific/Chatham',
  'Asia/Kathmandu',
  'Asia/Kolkata',
];
// Window starts near the 2026 DST switches of those zones, plus random dates.
const HOTSPOTS = ['2026-03-08', '2026-03-29', '2026-04-05', '2026-09-06', '2026-09-27', '2026-10-04', '2026-10-25', '2026-11-01'];

function randomCalendar(rnd: () => number, boundaries: number[], zone?: string): BusinessCalendar {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const workingHours: WorkingInterval[] = [];
  for (const day of DAY_NAMES) {
    if (rnd() < 0.35) continue;
    const k = 1 + Math.floor(rnd() * 3);
    const points = [...new Set(Array.from({ length: 2 * k }, () => pick(boundaries)))].sort((a, b) => a - b);
    for (let i = 0; i + 1 < points.length; i += 2) workingHours.push({ day, start: hhmm(points[i]), end: hhmm(points[i + 1]) });
  }
  if (workingHours.length === 0) workingHours.push({ day: pick(DAY_NAMES), start: '10:00', end: '11:00' });
  const holidays = Array.from({ length: Math.floor(rnd() * 6) }, () =>
    DateTime.fromISO(pick(HOTSPOTS)).plus({ days: Math.floor(rnd() * 10) - 3 }).toISODate()!,
  );
  return { timeZone: zone ?? pick(ZONES), workingHours, holidays };
}

function randomStart(rnd: () => number): Date {
  const base =
    rnd() < 0.6
      ? DateTime.fromISO(HOTSPOTS[Math.floor(rnd() * HOTSPOTS.length)], { zone: 'UTC' }).toMillis() - 2 * 86_400_000
      : Date.UTC(2026, 0, 1);
  const spread = rnd() < 0.6 ? 5 * 86_400_000 : 365 * 86_400_000;
  return new Date(base + Math.floor(rnd() * spread / MIN) * MIN + (rnd() < 0.2 ? Math.floor(rnd() * MIN) : 0));
}

const EVERY_15_MIN = Array.from({ length: 97 }, (_, i) => i * 15);

describe('property: addBusinessMinutes / businessMinutesBetween are inverse', () => {
  it('businessMinutesBetween(s, addBusinessMinutes(s, m)) === m for random s, m, calendars, zones', () => {
    const rnd = prng(20260329);
    for (let i = 0; i < 400; i++) {
      const calendar = rnd() < 0.1 ? null : randomCalendar(rnd, EVERY_15_MIN);
      const s = randomStart(rnd);
      const m = rnd() < 0.5 ? Math.floor(rnd() * 600) : Math.floor(rnd() * 20_000);
      const due = addBusinessMinutes(s, m, calendar);
      const ctx = JSON.stringify({ i, calendar, s, m, due });
      expect([ctx, businessMinutesBetween(s, due, calendar)]).toEqual([ctx, m]);
      expect(due.getTime()).toBeGreaterThanOrEqual(s.getTime());
    }
  });

  it('is monotonic and additive: add(add(s, a), b) === add(s, a + b) for b > 0', () => {
    const rnd = prng(7);
    for (let i = 0; i < 200; i++) {
      const calendar = randomCalendar(rnd, EVERY_15_MIN);
      const s = randomStart(rnd);
      const a = Math.floor(rnd() * 3000);
      const b = 1 + Math.floor(rnd() * 3000);
      const ctx = JSON.stringify({ i, calendar, s, a, b });
      const first = addBusinessMinutes(s, a, calendar);
      const total = addBusinessMinutes(s, a + b, calendar);
      expect([ctx, addBusinessMinutes(first, b, calendar).getTime()]).toEqual([ctx, total.getTime()]);
      expect(total.getTime()).toBeGreaterThan(first.getTime());
    }
  });
});

/**
 * Independent reference: walk minute by minute, ask luxon for the local wall time of each
 * minute and test it against the calendar. "Wall time in [start, end)" is unambiguous as
 * long as no boundary falls inside a repeated (fall-back) hour, so boundaries here avoid
 * 01:00-03:00 (the switch hours of the zones used).
 */
function referenceMinutes(from: number, to: number, c: BusinessCalendar): number {
  const holidays = new Set(c.holidays);
  let count = 0;
  for (let t = from; t < to; t += MIN) {
    const local = DateTime.fromMillis(t, { zone: c.timeZone });
    if (holidays.has(local.toISODate()!)) continue;
    const day = DAY_NAMES[local.weekday - 1];
    const m = local.hour * 60 + local.minute;
    const hit = c.workingHours.some((w) => w.day === day && m >= toMin(w.start) && m < toMin(w.end));
    if (hit) count++;
  }
  return count;
}
const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));

describe('property: agrees with a minute-by-minute luxon reference around DST switches', () => {
  const SAFE_BOUNDARIES = EVERY_15_MIN.filter((m) => m === 0 || m >= 180);
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'];

  it('businessMinutesBetween matches the reference over 3-day windows', () => {
    const rnd = prng(42);
    for (let i = 0; i < 40; i++) {
      const calendar = randomCalendar(rnd, SAFE_BOUNDARIES, zones[i % zones.length]);
      const hotspot = DateTime.fromISO(HOTSPOTS[i % HOTSPOTS.length], { zone: 'UTC' }).toMillis();
      const from = hotspot - 86_400_000 + Math.floor(rnd() * 1440) * MIN;
      const to = from + 3 * 86_400_000;
      const ctx = JSON.stringify({ i, calendar, from: new Date(from) });
      expect([ctx, businessMinutesBetween(new Date(from), new Date(to), calendar)]).toEqual([
        ctx,
        referenceMinutes(from, to, calendar),
      ]);
    }
  });
});

describe('property: computeTarget pauses remove exactly the paused business time', () => {
  it('business time from start to dueAt, minus business time inside pauses, equals the target', () => {
    const rnd = prng(99);
    for (let i = 0; i < 150; i++) {
      const calendar = rnd() < 0.15 ? null : randomCalendar(rnd, EVERY_15_MIN);
      const startedAt = randomStart(rnd);
      const targetMinutes = 1 + Math.floor(rnd() * 3000);
      const now = new Date(startedAt.getTime() + Math.floor(rnd() * 14 * 1440) * MIN);
      const pauses: SlaPause[] = Array.from({ length: Math.floor(rnd() * 5) }, () => {
        const from = startedAt.getTime() + Math.floor((rnd() - 0.1) * 10 * 1440) * MIN;
        const to = from + Math.floor(rnd() * 3 * 1440) * MIN;
        return { from: new Date(from), to: rnd() < 0.15 ? null : new Date(to) };
      });
      const r = computeTarget({ startedAt, targetMinutes, calendar, pauses, now, warningPercent: 75, completedAt: null });

      // Pause windows as computeTarget should see them: open pauses end now; union of all.
      const due = r.dueAt!.getTime();
      const windows = pauses
        .map((p) => [p.from.getTime(), p.to === null ? Math.max(p.from.getTime(), now.getTime()) : p.to.getTime()])
        .sort((a, b) => a[0] - b[0]);
      const merged: number[][] = [];
      for (const w of windows) {
        const last = merged[merged.length - 1];
        if (last && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
        else merged.push([...w]);
      }
      // Sum in integer ms: the engine returns fractional minutes for instants off the minute.
      const msBetween = (a: number, b: number) => Math.round(businessMinutesBetween(new Date(a), new Date(b), calendar) * MIN);
      const paused = merged.reduce((sum, [a, b]) => {
        const lo = Math.max(a, startedAt.getTime());
        const hi = Math.min(b, due);
        return hi > lo ? sum + msBetween(lo, hi) : sum;
      }, 0);
      const ctx = JSON.stringify({ i, calendar, startedAt, targetMinutes, pauses, now });
      expect([ctx, msBetween(startedAt.getTime(), due) - paused]).toEqual([ctx, targetMinutes * MIN]);
      expect(r.warningAt!.getTime()).toBeLessThanOrEqual(due);
      if (r.status !== 'breached' && r.status !== 'paused') expect(r.elapsedMinutes + r.remainingMinutes).toBe(targetMinutes);
    }
  });
});
