import {
  BusinessCalendar,
  compileCalendar,
  InvalidCalendarError,
  parseLocalDate,
  parseTimeOfDay,
  validateCalendar,
} from './business-calendar';

const valid: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  workingHours: [
    { day: 'mon', start: '09:00', end: '12:00' },
    { day: 'mon', start: '13:00', end: '17:00' },
    { day: 'tue', start: '12:00', end: '24:00' },
  ],
  holidays: ['2026-12-25', '2024-02-29'],
};

/** The valid calendar with some fields replaced. */
function withFields(patch: Record<string, unknown>): unknown {
  return { ...valid, ...patch };
}

function fields(input: unknown): string[] {
  return validateCalendar(input).map((e) => e.field);
}

describe('parseTimeOfDay', () => {
  it.each([
    ['00:00', 0],
    ['09:30', 570],
    ['23:59', 1439],
    ['24:00', 1440],
  ])('%s -> %d', (s, n) => expect(parseTimeOfDay(s)).toBe(n));

  it.each(['9:00', '09:0', '0900', '25:00', '24:01', '12:60', '-1:00', 'ab:cd', '', ' 09:00'])('rejects %p', (s) =>
    expect(parseTimeOfDay(s)).toBeNull(),
  );

  it('rejects non-strings', () => expect(parseTimeOfDay(900)).toBeNull());
});

describe('parseLocalDate', () => {
  it('returns the epoch day', () => {
    expect(parseLocalDate('1970-01-01')).toBe(0);
    expect(parseLocalDate('2026-01-01')).toBe(Date.UTC(2026, 0, 1) / 86_400_000);
  });

  it.each(['2026-02-30', '2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-1-01', '26-01-01', 'x'])(
    'rejects %p',
    (s) => expect(parseLocalDate(s)).toBeNull(),
  );

  it('accepts leap days', () => expect(parseLocalDate('2028-02-29')).not.toBeNull());
});

describe('validateCalendar', () => {
  it('accepts a valid calendar (lunch break, adjacent intervals, 24:00 end)', () => {
    expect(validateCalendar(valid)).toEqual([]);
    expect(
      validateCalendar(
        withFields({
          workingHours: [
            { day: 'wed', start: '09:00', end: '12:00' },
            { day: 'wed', start: '12:00', end: '24:00' },
          ],
          holidays: [],
        }),
      ),
    ).toEqual([]);
  });

  it('accepts null (24x7)', () => expect(validateCalendar(null)).toEqual([]));

  it.each([undefined, 'Europe/Berlin', 42, []])('rejects non-object %p', (input) =>
    expect(fields(input)).toEqual(['calendar']),
  );

  it.each(['Mars/Olympus_Mons', 'Europe/Berlinn', '', 'CET+1'])('rejects unknown time zone %p', (tz) => {
    const errors = validateCalendar(withFields({ timeZone: tz }));
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toBe('calendar.timeZone');
  });

  it('rejects a missing time zone', () => expect(fields(withFields({ timeZone: undefined }))).toEqual(['calendar.timeZone']));

  it.each([
    ['9:00', 'start'],
    ['25:00', 'start'],
    ['10:60', 'start'],
    ['24:30', 'end'],
    ['noon', 'end'],
  ])('rejects malformed time %p', (bad, which) => {
    const wh = [{ day: 'mon', start: '08:00', end: '09:00' }, { day: 'mon', start: '10:00', end: '11:00', [which]: bad }];
    expect(fields(withFields({ workingHours: wh }))).toEqual([`calendar.workingHours[1].${which}`]);
  });

  it.each([
    ['10:00', '10:00'],
    ['17:00', '09:00'],
    ['24:00', '24:00'],
  ])('rejects start %s >= end %s', (start, end) => {
    const errors = validateCalendar(withFields({ workingHours: [{ day: 'fri', start, end }] }));
    expect(errors).toEqual([{ field: 'calendar.workingHours[0].end', message: 'end must be after start' }]);
  });

  it('rejects overlapping intervals on the same day, naming the later entry', () => {
    const wh = [
      { day: 'mon', start: '09:00', end: '12:00' },
      { day: 'tue', start: '11:00', end: '14:00' }, // other day: no overlap
      { day: 'wed', start: '09:00', end: '10:00' },
      { day: 'mon', start: '11:30', end: '13:00' },
    ];
    const errors = validateCalendar(withFields({ workingHours: wh }));
    expect(errors).toEqual([
      { field: 'calendar.workingHours[3]', message: 'overlaps calendar.workingHours[0] on mon' },
    ]);
  });

  it('detects overlap when the later entry is listed first, and containment', () => {
    const wh = [
      { day: 'thu', start: '10:00', end: '11:00' },
      { day: 'thu', start: '08:00', end: '18:00' },
    ];
    expect(fields(withFields({ workingHours: wh }))).toEqual(['calendar.workingHours[1]']);
  });

  it('rejects unknown day names', () => {
    const wh = [
      { day: 'monday', start: '09:00', end: '17:00' },
      { day: 'MON', start: '09:00', end: '17:00' },
      { day: 'tue', start: '09:00', end: '17:00' },
    ];
    expect(fields(withFields({ workingHours: wh }))).toEqual([
      'calendar.workingHours[0].day',
      'calendar.workingHours[1].day',
    ]);
  });

  it('rejects non-object working-hour entries', () =>
    expect(fields(withFields({ workingHours: [null, { day: 'mon', start: '09:00', end: '17:00' }] }))).toEqual([
      'calendar.workingHours[0]',
    ]));

  it('rejects a calendar without working time', () => {
    expect(validateCalendar(withFields({ workingHours: [] }))).toEqual([
      { field: 'calendar.workingHours', message: 'no working time: at least one working interval is required' },
    ]);
    expect(fields(withFields({ workingHours: undefined }))).toEqual(['calendar.workingHours']);
  });

  it('rejects malformed and impossible holiday dates', () => {
    const errors = validateCalendar(withFields({ holidays: ['2026-02-30', '2026-1-1', '2026-12-25', 20261225, '2025-02-29'] }));
    expect(errors).toEqual([
      { field: 'calendar.holidays[0]', message: "'2026-02-30' is not a real calendar date" },
      { field: 'calendar.holidays[1]', message: 'must be a date YYYY-MM-DD' },
      { field: 'calendar.holidays[3]', message: 'must be a date YYYY-MM-DD' },
      { field: 'calendar.holidays[4]', message: "'2025-02-29' is not a real calendar date" },
    ]);
  });

  it('rejects missing holidays array', () => expect(fields(withFields({ holidays: undefined }))).toEqual(['calendar.holidays']));

  it('reports every problem at once', () => {
    const input = {
      timeZone: 'Nowhere/Town',
      workingHours: [{ day: 'funday', start: '9', end: '17:00' }],
      holidays: ['someday'],
    };
    expect(fields(input)).toEqual([
      'calendar.timeZone',
      'calendar.workingHours[0].day',
      'calendar.workingHours[0].start',
      'calendar.holidays[0]',
    ]);
  });
});

describe('compileCalendar', () => {
  it('merges touching intervals and indexes by ISO weekday', () => {
    const compiled = compileCalendar({
      timeZone: 'UTC',
      workingHours: [
        { day: 'sun', start: '13:00', end: '17:00' },
        { day: 'sun', start: '09:00', end: '13:00' },
        { day: 'mon', start: '00:00', end: '24:00' },
      ],
      holidays: ['1970-01-02'],
    });
    expect(compiled.days[7]).toEqual([[540, 1020]]);
    expect(compiled.days[1]).toEqual([[0, 1440]]);
    expect(compiled.days[2]).toEqual([]);
    expect([...compiled.holidays]).toEqual([1]);
  });

  it('throws InvalidCalendarError with field errors', () => {
    const bad = { timeZone: 'UTC', workingHours: [], holidays: [] } as BusinessCalendar;
    expect(() => compileCalendar(bad)).toThrow(InvalidCalendarError);
    expect(() => compileCalendar(bad)).toThrow(/no working time/);
    try {
      compileCalendar(bad);
    } catch (e) {
      expect((e as InvalidCalendarError).errors).toEqual(validateCalendar(bad));
    }
  });
});
