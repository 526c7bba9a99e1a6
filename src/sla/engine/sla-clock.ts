import { IANAZone } from 'luxon';
import { BusinessCalendar, CompiledCalendar, compileCalendar } from './business-calendar';

/**
 * Pure SLA clock. Every function takes explicit instants; nothing reads the current time.
 *
 * Model: a calendar is turned into an ordered stream of disjoint real-time spans
 * [start, end) in epoch ms (the working intervals of each local day, mapped to instants
 * in the calendar's time zone). Business time is the real elapsed time inside those
 * spans, so a local 00:00-24:00 interval lasts 25 h on a fall-back day and 23 h on a
 * spring-forward day. Pauses are subtracted from that stream. All arithmetic is in
 * integer milliseconds; minutes are converted at the edges.
 *
 * Local wall time -> instant, for the two DST edge cases:
 *  - time in a gap (spring forward, e.g. 02:30 Berlin) -> the transition instant (03:00 CEST),
 *    i.e. the first instant whose wall clock is >= the requested time;
 *  - ambiguous time (fall back, e.g. 02:30 Berlin occurs twice) -> the earlier occurrence.
 * Both rules keep the mapping monotonic, so intervals stay ordered and disjoint.
 */

const MS_PER_MIN = 60_000;
const MS_PER_DAY = 86_400_000;

interface Span {
  start: number;
  end: number;
}

function offsetMs(zone: IANAZone, ts: number): number {
  return zone.offset(ts) * MS_PER_MIN;
}

/** Days since 1970-01-01 of the local date of instant `ts`. */
function localEpochDay(zone: IANAZone, ts: number): number {
  return Math.floor((ts + offsetMs(zone, ts)) / MS_PER_DAY);
}

/** ISO weekday (1 = Mon .. 7 = Sun) of a local epoch day; 1970-01-01 was a Thursday. */
function isoWeekday(epochDay: number): number {
  return ((((epochDay + 3) % 7) + 7) % 7) + 1;
}

/**
 * Instant for local wall time `wall` (ms since 1970-01-01T00:00 local). Not luxon's
 * DateTime.fromObject: its ambiguous-time choice depends on the current date.
 */
function wallToInstant(zone: IANAZone, wall: number): number {
  // Any offset valid near this wall time is the offset a day before, at, or a day after it.
  const offsets = new Set([offsetMs(zone, wall - MS_PER_DAY), offsetMs(zone, wall), offsetMs(zone, wall + MS_PER_DAY)]);
  const candidates = [...offsets].map((o) => wall - o);
  const valid = candidates.filter((t) => t + offsetMs(zone, t) === wall);
  if (valid.length > 0) return Math.min(...valid); // ambiguous -> earlier occurrence
  // Gap: binary-search the transition instant between the candidates (rare; ~22 steps).
  let lo = Math.min(...candidates);
  let hi = Math.max(...candidates);
  const after = offsetMs(zone, hi);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMs(zone, mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Ordered, disjoint working spans, clipped to start at or after `from`. Infinite stream. */
function* workingSpans(from: number, cal: CompiledCalendar | null): Generator<Span> {
  if (cal === null) {
    yield { start: from, end: Infinity };
    return;
  }
  // Start one local day early: with odd DST rules, an interval of the previous local
  // date can still cover `from`. Spans ending before `from` are skipped below.
  for (let day = localEpochDay(cal.zone, from) - 1; ; day++) {
    if (cal.holidays.has(day)) continue;
    for (const [startMin, endMin] of cal.days[isoWeekday(day)]) {
      const end = wallToInstant(cal.zone, day * MS_PER_DAY + endMin * MS_PER_MIN);
      if (end <= from) continue;
      const start = Math.max(from, wallToInstant(cal.zone, day * MS_PER_DAY + startMin * MS_PER_MIN));
      if (end > start) yield { start, end };
    }
  }
}

/** Removes sorted, merged `holes` from an ordered span stream. */
function* subtract(spans: Iterable<Span>, holes: Span[]): Generator<Span> {
  let i = 0;
  for (const span of spans) {
    let a = span.start;
    while (a < span.end) {
      while (i < holes.length && holes[i].end <= a) i++;
      const hole = holes[i];
      if (hole === undefined || hole.start >= span.end) {
        yield { start: a, end: span.end };
        break;
      }
      if (hole.start > a) yield { start: a, end: hole.start };
      a = hole.end;
    }
  }
}

/** Instant at which `ms` of span time has elapsed. ms = 0 -> start of the first span. */
function advance(spans: Iterable<Span>, ms: number): number {
  let remaining = ms;
  for (const span of spans) {
    const length = span.end - span.start;
    if (remaining <= length) return span.start + remaining;
    remaining -= length;
  }
  throw new Error('SLA clock: ran out of working time'); // unreachable: streams are infinite
}

/** Span time elapsed before instant `to`. */
function measure(spans: Iterable<Span>, to: number): number {
  let total = 0;
  for (const span of spans) {
    if (span.start >= to) break;
    total += Math.min(span.end, to) - span.start;
  }
  return total;
}

function minutesToMs(minutes: number, name: string): number {
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${minutes}`);
  }
  return Math.round(minutes * MS_PER_MIN);
}

function compile(calendar: BusinessCalendar | null): CompiledCalendar | null {
  return calendar === null ? null : compileCalendar(calendar);
}

/**
 * The instant at which `minutes` of business time have elapsed after `start`.
 * If `start` is outside working hours the clock starts at the next opening (so
 * `minutes = 0` returns the next opening, or `start` itself when inside hours).
 * A target reached exactly at closing time returns the closing instant.
 * `calendar = null` means 24x7. Throws InvalidCalendarError for invalid calendars.
 */
export function addBusinessMinutes(start: Date, minutes: number, calendar: BusinessCalendar | null): Date {
  const ms = minutesToMs(minutes, 'minutes');
  return new Date(advance(workingSpans(start.getTime(), compile(calendar)), ms));
}

/**
 * Business minutes between two instants (0 when `to <= from`). May be fractional when
 * the instants are not on whole minutes. Inverse of addBusinessMinutes:
 * businessMinutesBetween(s, addBusinessMinutes(s, m, c), c) === m.
 */
export function businessMinutesBetween(from: Date, to: Date, calendar: BusinessCalendar | null): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  return measure(workingSpans(a, compile(calendar)), b) / MS_PER_MIN;
}

export interface SlaPause {
  from: Date;
  /** null = still paused. */
  to: Date | null;
}

export type SlaStatus = 'running' | 'paused' | 'warning' | 'breached' | 'met';

export interface ComputeTargetInput {
  startedAt: Date;
  /** Business minutes allowed, > 0. */
  targetMinutes: number;
  calendar: BusinessCalendar | null;
  /** Any order; overlapping or touching pauses are merged. */
  pauses: SlaPause[];
  now: Date;
  /** 1..99: percentage of the target after which the status becomes 'warning'. */
  warningPercent: number;
  completedAt: Date | null;
}

export interface SlaTargetResult {
  /** Always set by this implementation; nullable for API stability. */
  dueAt: Date | null;
  warningAt: Date | null;
  status: SlaStatus;
  /** Whole business minutes (rounded down) counted so far, pauses excluded. */
  elapsedMinutes: number;
  /** Whole business minutes left (rounded up); elapsed + remaining = target until due. */
  remainingMinutes: number;
  /** Whole business minutes (rounded down) counted after the due time. */
  overdueMinutes: number;
}

/** Sorted, merged pause spans; an open pause ends at `openEnd`. Empty/inverted pauses are dropped. */
function mergePauses(pauses: SlaPause[], openEnd: number): Span[] {
  const spans = pauses
    .map((p) => {
      const start = p.from.getTime();
      return { start, end: p.to === null ? Math.max(start, openEnd) : p.to.getTime() };
    })
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  return merged;
}

/**
 * SLA target state at `now` (or at `completedAt` once completed).
 *
 * Pauses: business time inside a pause does not count, which pushes dueAt/warningAt out
 * by exactly the business time paused (a pause over a weekend pushes by nothing).
 * An open pause (to = null) is treated as ending at `now` (or `completedAt` when set):
 * dueAt is "the due time if the pause ended right now", which keeps dueAt a concrete
 * instant and moves it forward as the pause goes on.
 *
 * Status precedence: completed -> 'met' (completedAt <= dueAt) or 'breached' (a late
 * completion stays breached); currently paused (a pause covers `now`) -> 'paused' (even
 * when already past due: the pause wins, as specified); now >= dueAt -> 'breached';
 * elapsed >= warningPercent% of target -> 'warning'; otherwise 'running'.
 */
export function computeTarget(input: ComputeTargetInput): SlaTargetResult {
  const { startedAt, targetMinutes, calendar, pauses, now, warningPercent, completedAt } = input;
  if (!Number.isFinite(targetMinutes) || targetMinutes <= 0) {
    throw new RangeError(`targetMinutes must be a finite number > 0, got ${targetMinutes}`);
  }
  if (!Number.isFinite(warningPercent) || warningPercent < 1 || warningPercent > 99) {
    throw new RangeError(`warningPercent must be within 1..99, got ${warningPercent}`);
  }
  const cal = compile(calendar);
  const nowMs = now.getTime();
  const clockEnd = completedAt === null ? nowMs : completedAt.getTime();
  const holes = mergePauses(pauses, clockEnd);
  // Generators are single-use; build a fresh stream per question.
  const spans = () => subtract(workingSpans(startedAt.getTime(), cal), holes);

  const targetMs = minutesToMs(targetMinutes, 'targetMinutes');
  const dueMs = advance(spans(), targetMs);
  const warningMs = advance(spans(), Math.round((targetMs * warningPercent) / 100));
  const elapsedMs = clockEnd > startedAt.getTime() ? measure(spans(), clockEnd) : 0;

  const pausedNow = pauses.some((p) => p.from.getTime() <= nowMs && (p.to === null || p.to.getTime() > nowMs));
  let status: SlaStatus;
  if (completedAt !== null) status = completedAt.getTime() <= dueMs ? 'met' : 'breached';
  else if (pausedNow) status = 'paused';
  else if (nowMs >= dueMs) status = 'breached';
  else if (elapsedMs * 100 >= targetMs * warningPercent) status = 'warning';
  else status = 'running';

  const elapsedMinutes = Math.floor(elapsedMs / MS_PER_MIN);
  return {
    dueAt: new Date(dueMs),
    warningAt: new Date(warningMs),
    status,
    elapsedMinutes,
    remainingMinutes: Math.max(0, Math.ceil((targetMs - elapsedMs) / MS_PER_MIN)),
    overdueMinutes: Math.max(0, Math.floor((elapsedMs - targetMs) / MS_PER_MIN)),
  };
}
