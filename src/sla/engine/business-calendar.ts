import { IANAZone } from 'luxon';

/**
 * Business calendar used by the SLA clock. Pure data: no I/O, no current time.
 *
 * `null` in place of a calendar means 24x7 everywhere in the engine
 * (and `validateCalendar(null)` accepts it).
 */

export const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type DayName = (typeof DAY_NAMES)[number];

export interface WorkingInterval {
  day: DayName;
  /** Local wall-clock time 'HH:mm', inclusive. */
  start: string;
  /** Local wall-clock time 'HH:mm', exclusive; '24:00' means end of day. */
  end: string;
}

export interface BusinessCalendar {
  /** IANA time zone, e.g. 'Europe/Berlin'. */
  timeZone: string;
  /** Several intervals per day are allowed (e.g. a lunch break); they must not overlap. */
  workingHours: WorkingInterval[];
  /** Local dates 'YYYY-MM-DD' that are non-working for the whole local day. */
  holidays: string[];
}

export interface CalendarFieldError {
  field: string;
  message: string;
}

const TIME_RE = /^(\d{2}):(\d{2})$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** 'HH:mm' -> minutes since local midnight (0..1440), or null when malformed. '24:00' is allowed. */
export function parseTimeOfDay(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = TIME_RE.exec(value);
  if (!m) return null;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  if (hours > 24 || minutes > 59 || (hours === 24 && minutes !== 0)) return null;
  return hours * 60 + minutes;
}

/** 'YYYY-MM-DD' -> days since 1970-01-01 (a "local epoch day"), or null when malformed/impossible. */
export function parseLocalDate(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = DATE_RE.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  // Date.UTC silently rolls 2026-02-30 over to March; a round trip detects impossible dates.
  // (Date.UTC maps years 0..99 to 19xx, which the round trip also rejects; fine for holidays.)
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return ms / MS_PER_DAY;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Field-level validation of an untrusted calendar payload. Returns [] when valid.
 * Field names are paths rooted at `calendar`, e.g. `calendar.workingHours[1].start`.
 */
export function validateCalendar(input: unknown): CalendarFieldError[] {
  if (input === null) return []; // 24x7
  if (!isRecord(input)) return [{ field: 'calendar', message: 'must be an object or null (24x7)' }];
  const errors: CalendarFieldError[] = [];
  const err = (field: string, message: string) => errors.push({ field: `calendar${field}`, message });

  const tz = input.timeZone;
  if (typeof tz !== 'string' || tz.length === 0) err('.timeZone', 'must be an IANA time zone name');
  else if (!IANAZone.isValidZone(tz)) err('.timeZone', `unknown IANA time zone '${tz}'`);

  const wh = input.workingHours;
  if (!Array.isArray(wh)) {
    err('.workingHours', 'must be an array of working intervals');
  } else if (wh.length === 0) {
    err('.workingHours', 'no working time: at least one working interval is required');
  } else {
    const valid: { index: number; day: DayName; start: number; end: number }[] = [];
    wh.forEach((item: unknown, i) => {
      const path = `.workingHours[${i}]`;
      if (!isRecord(item)) return err(path, 'must be an object { day, start, end }');
      const dayOk = typeof item.day === 'string' && (DAY_NAMES as readonly string[]).includes(item.day);
      if (!dayOk) err(`${path}.day`, `unknown day '${String(item.day)}', expected one of ${DAY_NAMES.join(', ')}`);
      const start = parseTimeOfDay(item.start);
      const end = parseTimeOfDay(item.end);
      if (start === null) err(`${path}.start`, 'must be a time HH:mm (00:00..24:00)');
      if (end === null) err(`${path}.end`, 'must be a time HH:mm (00:00..24:00)');
      if (start !== null && end !== null && start >= end) err(`${path}.end`, 'end must be after start');
      else if (dayOk && start !== null && end !== null) {
        valid.push({ index: i, day: item.day as DayName, start, end });
      }
    });
    // Overlaps: per day, sorted by start, each interval must begin at or after the previous end.
    for (const day of DAY_NAMES) {
      const list = valid.filter((v) => v.day === day).sort((a, b) => a.start - b.start || a.index - b.index);
      for (let k = 1; k < list.length; k++) {
        const prev = list[k - 1];
        const cur = list[k];
        if (cur.start < prev.end) {
          const [first, second] = prev.index < cur.index ? [prev, cur] : [cur, prev];
          err(`.workingHours[${second.index}]`, `overlaps calendar.workingHours[${first.index}] on ${day}`);
        }
      }
    }
  }

  const hol = input.holidays;
  if (!Array.isArray(hol)) {
    err('.holidays', 'must be an array of YYYY-MM-DD dates');
  } else {
    hol.forEach((h: unknown, i) => {
      if (typeof h !== 'string' || !DATE_RE.test(h)) err(`.holidays[${i}]`, 'must be a date YYYY-MM-DD');
      else if (parseLocalDate(h) === null) err(`.holidays[${i}]`, `'${h}' is not a real calendar date`);
    });
  }
  return errors;
}

export class InvalidCalendarError extends Error {
  constructor(public readonly errors: CalendarFieldError[]) {
    super(`Invalid business calendar: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
    this.name = 'InvalidCalendarError';
  }
}

/** Calendar pre-processed for fast lookups by the clock. */
export interface CompiledCalendar {
  zone: IANAZone;
  /** Index 1..7 = ISO weekday (Mon..Sun); sorted, merged [startMin, endMin) local intervals. */
  days: [number, number][][];
  /** Holiday local epoch days. */
  holidays: Set<number>;
}

/**
 * Validates and compiles a calendar. Throws InvalidCalendarError for invalid input,
 * so the clock never loops forever on a calendar without working time.
 */
export function compileCalendar(calendar: BusinessCalendar): CompiledCalendar {
  const errors = validateCalendar(calendar);
  if (errors.length > 0) throw new InvalidCalendarError(errors);

  const days: [number, number][][] = Array.from({ length: 8 }, () => []);
  for (const wi of calendar.workingHours) {
    days[DAY_NAMES.indexOf(wi.day) + 1].push([parseTimeOfDay(wi.start)!, parseTimeOfDay(wi.end)!]);
  }
  let weeklyMinutes = 0;
  for (const list of days) {
    list.sort((a, b) => a[0] - b[0]);
    // Merge touching intervals (09-12 + 12-17) so the clock sees one contiguous span.
    for (let k = list.length - 1; k > 0; k--) {
      if (list[k][0] <= list[k - 1][1]) {
        list[k - 1][1] = Math.max(list[k - 1][1], list[k][1]);
        list.splice(k, 1);
      }
    }
    for (const [s, e] of list) weeklyMinutes += e - s;
  }
  // Unreachable after validation (start < end, >= 1 interval) but this is what keeps the clock finite.
  if (weeklyMinutes <= 0) {
    throw new InvalidCalendarError([{ field: 'calendar.workingHours', message: 'no working time' }]);
  }
  return {
    zone: IANAZone.create(calendar.timeZone),
    days,
    holidays: new Set(calendar.holidays.map((h) => parseLocalDate(h)!)),
  };
}
