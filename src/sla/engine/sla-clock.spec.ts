import { BusinessCalendar, DayName, InvalidCalendarError } from './business-calendar';
import { addBusinessMinutes, businessMinutesBetween, ComputeTargetInput, computeTarget } from './sla-clock';

const at = (iso: string) => new Date(iso);
const WEEKDAYS: DayName[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const ALL_DAYS: DayName[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function cal(
  timeZone: string,
  hours: [string, string][],
  days: DayName[] = WEEKDAYS,
  holidays: string[] = [],
): BusinessCalendar {
  return { timeZone, workingHours: days.flatMap((day) => hours.map(([start, end]) => ({ day, start, end }))), holidays };
}

/** Mon-Fri 09:00-17:00 Berlin. January 2026 has no DST change: offset +01:00. */
const office = cal('Europe/Berlin', [['09:00', '17:00']]);

describe('24x7 (calendar null)', () => {
  it('adds plain elapsed minutes', () => {
    expect(addBusinessMinutes(at('2026-01-01T00:00:00Z'), 90, null)).toEqual(at('2026-01-01T01:30:00Z'));
    expect(addBusinessMinutes(at('2026-01-01T00:00:00Z'), 0, null)).toEqual(at('2026-01-01T00:00:00Z'));
    expect(businessMinutesBetween(at('2026-01-01T00:00:00Z'), at('2026-01-08T00:00:00Z'), null)).toBe(7 * 1440);
  });

  it('is unaffected by DST (real elapsed time)', () => {
    expect(addBusinessMinutes(at('2026-03-29T00:00:00+01:00'), 24 * 60, null)).toEqual(at('2026-03-30T00:00:00+01:00'));
  });

  it('returns 0 when to <= from and supports fractional minutes', () => {
    expect(businessMinutesBetween(at('2026-01-02T00:00:00Z'), at('2026-01-01T00:00:00Z'), null)).toBe(0);
    expect(businessMinutesBetween(at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'), null)).toBe(0);
    expect(businessMinutesBetween(at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:30Z'), null)).toBe(0.5);
  });

  it('rejects negative or non-finite minutes', () => {
    expect(() => addBusinessMinutes(at('2026-01-01T00:00:00Z'), -1, null)).toThrow(RangeError);
    expect(() => addBusinessMinutes(at('2026-01-01T00:00:00Z'), NaN, null)).toThrow(RangeError);
    expect(() => addBusinessMinutes(at('2026-01-01T00:00:00Z'), Infinity, null)).toThrow(RangeError);
  });
});

describe('Mon-Fri 09:00-17:00', () => {
  it('carries across the weekend: Friday 16:30 + 60 -> Monday 09:30', () => {
    expect(addBusinessMinutes(at('2026-01-09T16:30:00+01:00'), 60, office)).toEqual(at('2026-01-12T09:30:00+01:00'));
    expect(businessMinutesBetween(at('2026-01-09T16:30:00+01:00'), at('2026-01-12T09:30:00+01:00'), office)).toBe(60);
  });

  it('ends exactly at closing time rather than at the next opening', () => {
    expect(addBusinessMinutes(at('2026-01-09T16:00:00+01:00'), 60, office)).toEqual(at('2026-01-09T17:00:00+01:00'));
  });

  it('counts whole weeks', () => {
    expect(addBusinessMinutes(at('2026-01-05T09:00:00+01:00'), 5 * 480, office)).toEqual(at('2026-01-09T17:00:00+01:00'));
    expect(businessMinutesBetween(at('2026-01-03T00:00:00+01:00'), at('2026-01-17T00:00:00+01:00'), office)).toBe(10 * 480);
  });

  it('skips a holiday (whole local day)', () => {
    const xmas = cal('Europe/Berlin', [['09:00', '17:00']], WEEKDAYS, ['2026-12-25']);
    // Thu 24 Dec 16:00 + 120: 60 on Thursday, Friday is a holiday, 60 on Monday.
    expect(addBusinessMinutes(at('2026-12-24T16:00:00+01:00'), 120, xmas)).toEqual(at('2026-12-28T10:00:00+01:00'));
    expect(businessMinutesBetween(at('2026-12-24T00:00:00+01:00'), at('2026-12-29T00:00:00+01:00'), xmas)).toBe(2 * 480);
  });

  it('uses the calendar time zone for holidays, not UTC', () => {
    // Tokyo holiday 2026-01-12 (Mon) spans 2026-01-11T15:00Z .. 2026-01-12T15:00Z.
    const tokyo = cal('Asia/Tokyo', [['09:00', '17:00']], WEEKDAYS, ['2026-01-12']);
    expect(addBusinessMinutes(at('2026-01-09T16:30:00+09:00'), 60, tokyo)).toEqual(at('2026-01-13T09:30:00+09:00'));
  });

  it('splits a day with a lunch break', () => {
    const lunch = cal('Europe/Berlin', [
      ['09:00', '12:00'],
      ['13:00', '17:00'],
    ]);
    expect(addBusinessMinutes(at('2026-01-12T11:30:00+01:00'), 60, lunch)).toEqual(at('2026-01-12T13:30:00+01:00'));
    expect(addBusinessMinutes(at('2026-01-12T11:30:00+01:00'), 30, lunch)).toEqual(at('2026-01-12T12:00:00+01:00'));
    expect(addBusinessMinutes(at('2026-01-12T12:15:00+01:00'), 0, lunch)).toEqual(at('2026-01-12T13:00:00+01:00'));
    expect(businessMinutesBetween(at('2026-01-12T00:00:00+01:00'), at('2026-01-13T00:00:00+01:00'), lunch)).toBe(420);
    expect(businessMinutesBetween(at('2026-01-12T11:00:00+01:00'), at('2026-01-12T14:00:00+01:00'), lunch)).toBe(120);
  });

  it('starts the clock at the next opening when started outside hours', () => {
    expect(addBusinessMinutes(at('2026-01-10T10:00:00+01:00'), 30, office)).toEqual(at('2026-01-12T09:30:00+01:00')); // Sat
    expect(addBusinessMinutes(at('2026-01-12T07:00:00+01:00'), 30, office)).toEqual(at('2026-01-12T09:30:00+01:00')); // early
    expect(addBusinessMinutes(at('2026-01-12T18:00:00+01:00'), 30, office)).toEqual(at('2026-01-13T09:30:00+01:00')); // late
    expect(addBusinessMinutes(at('2026-01-12T17:00:00+01:00'), 0, office)).toEqual(at('2026-01-13T09:00:00+01:00'));
    expect(addBusinessMinutes(at('2026-01-12T10:00:00+01:00'), 0, office)).toEqual(at('2026-01-12T10:00:00+01:00'));
    expect(businessMinutesBetween(at('2026-01-10T10:00:00+01:00'), at('2026-01-12T09:30:00+01:00'), office)).toBe(30);
  });

  it('handles working hours that end at 24:00 and continue next day', () => {
    const evening = cal('UTC', [['20:00', '24:00']], ['mon', 'tue']);
    expect(addBusinessMinutes(at('2026-01-12T23:00:00Z'), 120, evening)).toEqual(at('2026-01-13T21:00:00Z'));
    const nights = cal('UTC', [['00:00', '24:00']], ['mon', 'tue']);
    expect(addBusinessMinutes(at('2026-01-12T23:00:00Z'), 120, nights)).toEqual(at('2026-01-13T01:00:00Z'));
  });

  it('rejects invalid calendars instead of looping', () => {
    const none = { timeZone: 'UTC', workingHours: [], holidays: [] };
    expect(() => addBusinessMinutes(at('2026-01-01T00:00:00Z'), 10, none)).toThrow(InvalidCalendarError);
    expect(() => addBusinessMinutes(at('2026-01-01T00:00:00Z'), 10, none)).toThrow(/no working time/);
    expect(() => businessMinutesBetween(at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), none)).toThrow(
      InvalidCalendarError,
    );
    expect(() => addBusinessMinutes(at('2026-01-01T00:00:00Z'), 10, { ...office, timeZone: 'Nope/Nope' })).toThrow(
      /calendar.timeZone/,
    );
  });

  it('is fast: 10,000 minutes with 1 h of work per week', () => {
    const tight = cal('America/New_York', [['10:00', '11:00']], ['wed']);
    const t0 = process.hrtime.bigint();
    const due = addBusinessMinutes(at('2026-01-05T00:00:00Z'), 10_000, tight);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    // 166 full hours + 40 min: the 167th Wednesday (2026-01-07 + 166 weeks) at 10:40 EDT.
    expect(due).toEqual(at('2029-03-14T10:40:00-04:00'));
    expect(businessMinutesBetween(at('2026-01-05T00:00:00Z'), due, tight)).toBe(10_000);
    expect(ms).toBeLessThan(1000);
  });
});

describe('daylight saving time', () => {
  const H = 60;
  describe.each([
    // zone, spring-forward date, next day, fall-back date, next day, offsets
    ['Europe/Berlin', '2026-03-29', '2026-03-30', '2026-10-25', '2026-10-26', '+01:00', '+02:00'],
    ['America/New_York', '2026-03-08', '2026-03-09', '2026-11-01', '2026-11-02', '-05:00', '-04:00'],
  ])('%s', (zone, spring, springNext, fall, fallNext, std, dst) => {
    const allDay = cal(zone, [['00:00', '24:00']], ALL_DAYS);
    const early = cal(zone, [['01:00', '04:00']], ALL_DAYS);

    it('00:00-24:00 lasts 23 h on spring-forward day and 25 h on fall-back day', () => {
      expect(businessMinutesBetween(at(`${spring}T00:00:00${std}`), at(`${springNext}T00:00:00${dst}`), allDay)).toBe(23 * H);
      expect(businessMinutesBetween(at(`${fall}T00:00:00${dst}`), at(`${fallNext}T00:00:00${std}`), allDay)).toBe(25 * H);
      expect(addBusinessMinutes(at(`${spring}T00:00:00${std}`), 23 * H, allDay)).toEqual(at(`${springNext}T00:00:00${dst}`));
      expect(addBusinessMinutes(at(`${fall}T00:00:00${dst}`), 25 * H, allDay)).toEqual(at(`${fallNext}T00:00:00${std}`));
      // Business time equals real elapsed time for a 24x7 calendar in any zone.
      expect(addBusinessMinutes(at(`${spring}T00:00:00${std}`), 5 * H, allDay)).toEqual(
        addBusinessMinutes(at(`${spring}T00:00:00${std}`), 5 * H, null),
      );
    });

    it('01:00-04:00 lasts 2 h on spring-forward day and 4 h on fall-back day', () => {
      const springOpen = at(`${spring}T01:00:00${std}`);
      const springClose = at(`${spring}T04:00:00${dst}`);
      expect(springClose.getTime() - springOpen.getTime()).toBe(2 * H * 60_000);
      expect(businessMinutesBetween(at(`${spring}T00:00:00${std}`), at(`${springNext}T00:00:00${dst}`), early)).toBe(2 * H);
      expect(addBusinessMinutes(springOpen, 2 * H, early)).toEqual(springClose);
      expect(addBusinessMinutes(springOpen, 2 * H + 1, early)).toEqual(at(`${springNext}T01:01:00${dst}`));

      const fallOpen = at(`${fall}T01:00:00${dst}`); // first occurrence of 01:00
      const fallClose = at(`${fall}T04:00:00${std}`);
      expect(fallClose.getTime() - fallOpen.getTime()).toBe(4 * H * 60_000);
      expect(businessMinutesBetween(at(`${fall}T00:00:00${dst}`), at(`${fallNext}T00:00:00${std}`), early)).toBe(4 * H);
      expect(addBusinessMinutes(fallOpen, 4 * H, early)).toEqual(fallClose);
      expect(addBusinessMinutes(at(`${fall}T00:00:00${dst}`), 150, early)).toEqual(
        new Date(fallOpen.getTime() + 150 * 60_000),
      );
    });

    it('carries from the day before across the switch', () => {
      // Saturday 03:00-04:00 (1 h) then Sunday from 01:00.
      const sat = (d: string) => {
        const x = new Date(`${d}T12:00:00Z`);
        x.setUTCDate(x.getUTCDate() - 1);
        return x.toISOString().slice(0, 10);
      };
      expect(addBusinessMinutes(at(`${sat(spring)}T03:00:00${std}`), 90, early)).toEqual(at(`${spring}T01:30:00${std}`));
      expect(addBusinessMinutes(at(`${sat(fall)}T03:00:00${dst}`), 90, early)).toEqual(at(`${fall}T01:30:00${dst}`));
    });
  });

  it('maps a boundary inside the spring-forward gap to the transition instant', () => {
    // Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST, so 02:30-05:00 holds 03:00-05:00 CEST.
    const c = cal('Europe/Berlin', [['02:30', '05:00']], ALL_DAYS);
    expect(addBusinessMinutes(at('2026-03-29T00:00:00+01:00'), 0, c)).toEqual(at('2026-03-29T03:00:00+02:00'));
    expect(businessMinutesBetween(at('2026-03-29T00:00:00+01:00'), at('2026-03-30T00:00:00+02:00'), c)).toBe(120);
  });

  it('maps an ambiguous fall-back boundary to its first occurrence', () => {
    // Berlin 2026-10-25: 02:30 happens at 02:30 CEST and again at 02:30 CET; the first one is used.
    const c = cal('Europe/Berlin', [['02:30', '05:00']], ALL_DAYS);
    expect(addBusinessMinutes(at('2026-10-25T00:00:00+02:00'), 0, c)).toEqual(at('2026-10-25T02:30:00+02:00'));
    expect(businessMinutesBetween(at('2026-10-25T00:00:00+02:00'), at('2026-10-26T00:00:00+01:00'), c)).toBe(210);
  });

  it('handles a midnight DST switch (America/Santiago, day starts at 01:00)', () => {
    // 2026-09-06: Saturday 24:00 -04:00 becomes Sunday 01:00 -03:00; Sunday 00:00 does not exist.
    const c = cal('America/Santiago', [['00:00', '24:00']], ['sun']);
    expect(businessMinutesBetween(at('2026-09-05T00:00:00-04:00'), at('2026-09-08T00:00:00-03:00'), c)).toBe(23 * 60);
    expect(addBusinessMinutes(at('2026-09-05T12:00:00-04:00'), 0, c)).toEqual(at('2026-09-06T01:00:00-03:00'));
  });
});

describe('computeTarget', () => {
  const base: ComputeTargetInput = {
    startedAt: at('2026-01-12T09:00:00+01:00'), // Monday
    targetMinutes: 240,
    calendar: office,
    pauses: [],
    now: at('2026-01-12T10:00:00+01:00'),
    warningPercent: 80,
    completedAt: null,
  };
  const run = (patch: Partial<ComputeTargetInput>) => computeTarget({ ...base, ...patch });
  const pause = (from: string, to: string | null) => ({ from: at(from), to: to === null ? null : at(to) });

  it('runs without pauses', () => {
    expect(run({})).toEqual({
      dueAt: at('2026-01-12T13:00:00+01:00'),
      warningAt: at('2026-01-12T12:12:00+01:00'),
      status: 'running',
      elapsedMinutes: 60,
      remainingMinutes: 180,
      overdueMinutes: 0,
    });
  });

  it('pause and resume push dueAt and warningAt out by exactly the business time paused', () => {
    const r = run({
      pauses: [pause('2026-01-12T10:00:00+01:00', '2026-01-12T10:45:00+01:00')],
      now: at('2026-01-12T11:00:00+01:00'),
    });
    expect(r.dueAt).toEqual(at('2026-01-12T13:45:00+01:00'));
    expect(r.warningAt).toEqual(at('2026-01-12T12:57:00+01:00'));
    expect(r).toMatchObject({ status: 'running', elapsedMinutes: 75, remainingMinutes: 165 });
  });

  it('a pause over the weekend pushes by its business minutes only', () => {
    const friday = { startedAt: at('2026-01-09T09:00:00+01:00'), targetMinutes: 600, now: at('2026-01-12T09:30:00+01:00') };
    expect(run(friday).dueAt).toEqual(at('2026-01-12T11:00:00+01:00'));
    // Fri 17:00 -> Mon 09:00 covers no business time: no change.
    expect(run({ ...friday, pauses: [pause('2026-01-09T17:00:00+01:00', '2026-01-12T09:00:00+01:00')] }).dueAt).toEqual(
      at('2026-01-12T11:00:00+01:00'),
    );
    // Fri 16:00 -> Mon 10:00 covers 60 + 60 business minutes.
    const r = run({ ...friday, pauses: [pause('2026-01-09T16:00:00+01:00', '2026-01-12T10:00:00+01:00')], now: at('2026-01-12T10:30:00+01:00') });
    expect(r.dueAt).toEqual(at('2026-01-12T13:00:00+01:00'));
    expect(r).toMatchObject({ status: 'running', elapsedMinutes: 420 + 30 });
  });

  it('an open pause means paused now; dueAt is as if the pause ended now', () => {
    const open = [pause('2026-01-12T10:00:00+01:00', null)];
    const r = run({ pauses: open, now: at('2026-01-12T10:30:00+01:00') });
    expect(r).toMatchObject({ status: 'paused', dueAt: at('2026-01-12T13:30:00+01:00'), elapsedMinutes: 60, remainingMinutes: 180 });
    // Later "now" moves dueAt further; elapsed is frozen.
    const later = run({ pauses: open, now: at('2026-01-12T16:00:00+01:00') });
    expect(later).toMatchObject({ status: 'paused', elapsedMinutes: 60, remainingMinutes: 180 });
    expect(later.dueAt).toEqual(at('2026-01-13T11:00:00+01:00'));
    // Paused wins over past-due (status precedence as specified).
    const pastDue = run({ pauses: [pause('2026-01-12T14:00:00+01:00', null)], now: at('2026-01-12T15:00:00+01:00') });
    expect(pastDue).toMatchObject({ status: 'paused', elapsedMinutes: 240 + 60, overdueMinutes: 60 });
  });

  it('a closed pause that covers now is also "paused"', () => {
    const r = run({ pauses: [pause('2026-01-12T09:30:00+01:00', '2026-01-12T11:00:00+01:00')], now: at('2026-01-12T10:00:00+01:00') });
    expect(r.status).toBe('paused');
    expect(r.elapsedMinutes).toBe(30);
  });

  it('merges overlapping, touching and unsorted pauses, and ignores empty ones and time before start', () => {
    const r = run({
      pauses: [
        pause('2026-01-12T10:30:00+01:00', '2026-01-12T11:00:00+01:00'),
        pause('2026-01-12T10:00:00+01:00', '2026-01-12T10:45:00+01:00'),
        pause('2026-01-12T11:00:00+01:00', '2026-01-12T11:15:00+01:00'), // touching
        pause('2026-01-12T12:00:00+01:00', '2026-01-12T12:00:00+01:00'), // empty
        pause('2026-01-12T08:00:00+01:00', '2026-01-12T09:00:00+01:00'), // before start
      ],
      now: at('2026-01-12T11:30:00+01:00'),
    });
    expect(r.dueAt).toEqual(at('2026-01-12T14:15:00+01:00'));
    expect(r.elapsedMinutes).toBe(60 + 15);
  });

  it('pauses in a 24x7 calendar', () => {
    const r = computeTarget({
      startedAt: at('2026-03-29T00:00:00Z'),
      targetMinutes: 60,
      calendar: null,
      pauses: [pause('2026-03-29T00:10:00Z', '2026-03-29T00:20:00Z')],
      now: at('2026-03-29T00:30:00Z'),
      warningPercent: 50,
      completedAt: null,
    });
    expect(r).toEqual({
      dueAt: at('2026-03-29T01:10:00Z'),
      warningAt: at('2026-03-29T00:40:00Z'),
      status: 'running',
      elapsedMinutes: 20,
      remainingMinutes: 40,
      overdueMinutes: 0,
    });
  });

  it('switches to warning at warningPercent of the target, then breached at dueAt', () => {
    const w = { targetMinutes: 100, warningPercent: 80 };
    expect(run({ ...w, now: at('2026-01-12T10:19:00+01:00') })).toMatchObject({
      status: 'running',
      warningAt: at('2026-01-12T10:20:00+01:00'),
      dueAt: at('2026-01-12T10:40:00+01:00'),
    });
    expect(run({ ...w, now: at('2026-01-12T10:20:00+01:00') }).status).toBe('warning');
    expect(run({ ...w, now: at('2026-01-12T10:39:59+01:00') })).toMatchObject({ status: 'warning', remainingMinutes: 1 });
    expect(run({ ...w, now: at('2026-01-12T10:40:00+01:00') })).toMatchObject({ status: 'breached', remainingMinutes: 0, overdueMinutes: 0 });
    expect(run({ ...w, now: at('2026-01-12T12:00:00+01:00') })).toMatchObject({ status: 'breached', overdueMinutes: 80, elapsedMinutes: 180 });
  });

  it('breached past closing time with no business minutes overdue yet', () => {
    // Due Monday 17:00; at 18:00 it is breached but no business time has run since.
    const r = run({ targetMinutes: 480, now: at('2026-01-12T18:00:00+01:00') });
    expect(r).toMatchObject({ status: 'breached', dueAt: at('2026-01-12T17:00:00+01:00'), overdueMinutes: 0 });
  });

  it('met when completed on or before dueAt, breached when completed late (and stays so)', () => {
    const onTime = run({ completedAt: at('2026-01-12T13:00:00+01:00'), now: at('2026-01-20T00:00:00+01:00') });
    expect(onTime).toMatchObject({ status: 'met', elapsedMinutes: 240, remainingMinutes: 0, overdueMinutes: 0 });
    expect(run({ completedAt: at('2026-01-12T12:00:00+01:00') })).toMatchObject({ status: 'met', remainingMinutes: 60 });
    const late = run({ completedAt: at('2026-01-12T13:30:00+01:00'), now: at('2026-01-20T00:00:00+01:00') });
    expect(late).toMatchObject({ status: 'breached', elapsedMinutes: 270, overdueMinutes: 30 });
    // Completion takes precedence over an open pause; the pause ends at completion.
    const pausedThenDone = run({
      pauses: [pause('2026-01-12T10:00:00+01:00', null)],
      completedAt: at('2026-01-12T16:00:00+01:00'),
      now: at('2026-01-13T10:00:00+01:00'),
    });
    expect(pausedThenDone).toMatchObject({ status: 'met', elapsedMinutes: 60, dueAt: at('2026-01-13T11:00:00+01:00') });
  });

  it('elapsed is 0 before the start and before the first opening', () => {
    expect(run({ now: at('2026-01-12T08:00:00+01:00') })).toMatchObject({ status: 'running', elapsedMinutes: 0, remainingMinutes: 240 });
    expect(run({ startedAt: at('2026-01-10T12:00:00+01:00'), now: at('2026-01-11T12:00:00+01:00') })).toMatchObject({
      elapsedMinutes: 0,
      dueAt: at('2026-01-12T13:00:00+01:00'),
    });
  });

  it('validates targetMinutes and warningPercent', () => {
    expect(() => run({ targetMinutes: 0 })).toThrow(RangeError);
    expect(() => run({ targetMinutes: NaN })).toThrow(RangeError);
    expect(() => run({ warningPercent: 0 })).toThrow(RangeError);
    expect(() => run({ warningPercent: 100 })).toThrow(RangeError);
    expect(() => run({ warningPercent: 1 })).not.toThrow();
    expect(() => run({ warningPercent: 99 })).not.toThrow();
  });
});
