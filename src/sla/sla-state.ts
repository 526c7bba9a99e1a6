import type { SlaTarget, SlaTargetState } from '../events/event-catalogue';
import type { BusinessCalendar } from './engine/business-calendar';
import { computeTarget, SlaPause } from './engine/sla-clock';

/**
 * The pure state machine of one SLA clock (one ticket, one target), over the stored row. Every
 * transition returns a new row with `dueAt`/`warningAt` recomputed by the engine; callers persist it.
 * Nothing here reads the current time: `now` is always passed in (from the injected Clock).
 */

export type TargetKey = 'first_response' | 'resolution';
export const TARGET_KEYS: readonly TargetKey[] = ['first_response', 'resolution'];
export const TARGET_NAMES: Record<TargetKey, SlaTarget> = { first_response: 'firstResponse', resolution: 'resolution' };

export interface ClosedPause {
  from: string;
  to: string;
}

export interface ClockRow {
  ticketId: string;
  target: TargetKey;
  policyId: string | null;
  calendarId: string | null;
  targetMinutes: number;
  warningPercent: number;
  startedAt: Date;
  completedAt: Date | null;
  /** Set while the ticket is pending: the clock is stopped since then. */
  pausedSince: Date | null;
  /** Finished pauses, oldest first. */
  pauses: ClosedPause[];
  /** Due time counting only finished pauses (so while paused: the due time as the pause began). */
  dueAt: Date;
  warningAt: Date;
  episode: number;
  warningEmittedEpisode: number;
  breachedEmittedEpisode: number;
  overdueEmittedEpisode: number;
}

/** What a policy prescribes for one target of one ticket. */
export interface TargetTerms {
  policyId: string | null;
  calendarId: string | null;
  targetMinutes: number;
  warningPercent: number;
}

export type CalendarLookup = (calendarId: string | null) => BusinessCalendar | null;

function pausesOf(row: ClockRow, includeOpen: boolean): SlaPause[] {
  const closed = row.pauses.map((p) => ({ from: new Date(p.from), to: new Date(p.to) }));
  return includeOpen && row.pausedSince ? [...closed, { from: row.pausedSince, to: null }] : closed;
}

/** dueAt and warningAt from the finished pauses (the indexed columns the scanner reads). */
export function scheduledTimes(row: Omit<ClockRow, 'dueAt' | 'warningAt'>, calendar: BusinessCalendar | null) {
  const r = computeTarget({
    startedAt: row.startedAt,
    targetMinutes: row.targetMinutes,
    warningPercent: row.warningPercent,
    calendar,
    pauses: pausesOf(row as ClockRow, false),
    now: row.startedAt,
    completedAt: null,
  });
  return { dueAt: r.dueAt!, warningAt: r.warningAt! };
}

function withTimes(row: Omit<ClockRow, 'dueAt' | 'warningAt'> & Partial<ClockRow>, calendar: BusinessCalendar | null): ClockRow {
  return { ...row, ...scheduledTimes(row, calendar) } as ClockRow;
}

export function startClock(ticketId: string, target: TargetKey, terms: TargetTerms, now: Date, calendar: BusinessCalendar | null): ClockRow {
  return withTimes(
    {
      ticketId,
      target,
      ...terms,
      startedAt: now,
      completedAt: null,
      pausedSince: null,
      pauses: [],
      episode: 1,
      warningEmittedEpisode: 0,
      breachedEmittedEpisode: 0,
      overdueEmittedEpisode: 0,
    },
    calendar,
  );
}

export function pauseClock(row: ClockRow, now: Date): ClockRow {
  if (row.completedAt || row.pausedSince) return row;
  return { ...row, pausedSince: now };
}

export function resumeClock(row: ClockRow, now: Date, calendar: BusinessCalendar | null): ClockRow {
  if (!row.pausedSince) return row;
  const pauses = now > row.pausedSince ? [...row.pauses, { from: row.pausedSince.toISOString(), to: now.toISOString() }] : row.pauses;
  return withTimes({ ...row, pausedSince: null, pauses }, calendar);
}

export function completeClock(row: ClockRow, now: Date, calendar: BusinessCalendar | null): ClockRow {
  if (row.completedAt) return row;
  return { ...resumeClock(row, now, calendar), completedAt: now };
}

/** A fresh clock from `now` in a new episode (reopen): every event may be emitted again. */
export function restartClock(row: ClockRow, terms: TargetTerms, now: Date, calendar: BusinessCalendar | null): ClockRow {
  return withTimes(
    { ...row, ...terms, startedAt: now, completedAt: null, pausedSince: null, pauses: [], episode: row.episode + 1 },
    calendar,
  );
}

/**
 * Recomputes due times of an open clock under new terms (priority or project change, calendar edit),
 * keeping its start and pauses. If the times move, a new episode begins; an event already emitted in
 * the old episode counts as emitted in the new one as long as its threshold is still in the past, so
 * a change re-arms an event only when it moves the threshold into the future.
 */
export function retargetClock(row: ClockRow, terms: TargetTerms, now: Date, calendar: BusinessCalendar | null): ClockRow {
  if (row.completedAt) return row;
  const next = withTimes({ ...row, ...terms }, calendar);
  if (next.dueAt.getTime() === row.dueAt.getTime() && next.warningAt.getTime() === row.warningAt.getTime()) return next;
  const episode = row.episode + 1;
  const carry = (emitted: number, threshold: Date) => (emitted === row.episode && threshold <= now ? episode : emitted);
  return {
    ...next,
    episode,
    warningEmittedEpisode: carry(row.warningEmittedEpisode, next.warningAt),
    breachedEmittedEpisode: carry(row.breachedEmittedEpisode, next.dueAt),
    overdueEmittedEpisode: carry(row.overdueEmittedEpisode, next.dueAt),
  };
}

/** The state shown on a ticket and carried in events, at `now`. */
export function targetState(row: ClockRow, now: Date, calendar: BusinessCalendar | null): SlaTargetState {
  const r = computeTarget({
    startedAt: row.startedAt,
    targetMinutes: row.targetMinutes,
    warningPercent: row.warningPercent,
    calendar,
    pauses: pausesOf(row, true),
    // A clock that started "in the future" of an earlier-set clock is simply not elapsed yet.
    now: now < row.startedAt ? row.startedAt : now,
    completedAt: row.completedAt,
  });
  return {
    dueAt: r.dueAt!.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    status: r.status,
    targetMinutes: row.targetMinutes,
    remainingMinutes: r.remainingMinutes,
    overdueMinutes: r.overdueMinutes,
  };
}
