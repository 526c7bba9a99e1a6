import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { BusinessCalendar } from './engine/business-calendar';
import { ClockRow, TargetKey } from './sla-state';

type Queryable = Pick<EntityManager, 'query'>;

export const CLOCK_COLUMNS = `ticket_id, target, policy_id, calendar_id, target_minutes, warning_percent, started_at,
  completed_at, paused_since, pauses, due_at, warning_at, episode, warning_emitted_episode,
  breached_emitted_episode, overdue_emitted_episode`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toClockRow(r: any): ClockRow {
  return {
    ticketId: r.ticket_id,
    target: r.target,
    policyId: r.policy_id,
    calendarId: r.calendar_id,
    targetMinutes: r.target_minutes,
    warningPercent: r.warning_percent,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    pausedSince: r.paused_since,
    pauses: r.pauses,
    dueAt: r.due_at,
    warningAt: r.warning_at,
    episode: r.episode,
    warningEmittedEpisode: r.warning_emitted_episode,
    breachedEmittedEpisode: r.breached_emitted_episode,
    overdueEmittedEpisode: r.overdue_emitted_episode,
  };
}

/** A clock of a ticket with what its view needs: its policy's name and its calendar. */
export interface ClockWithTerms {
  row: ClockRow;
  policyName: string | null;
  calendar: BusinessCalendar | null;
}

const asDate = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

/** Reads the value of CLOCKS_OF_TICKET_JSON (sla-view.sql.ts) (null when the ticket has no clocks). */
export function clocksFromJson(value: unknown): ClockWithTerms[] {
  if (!Array.isArray(value)) return [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return value.map((v: any) => {
    const c = v.clock;
    // JSON carries timestamps as text; the columns that are timestamps become Dates as pg makes them.
    const row = toClockRow({
      ...c,
      started_at: asDate(c.started_at),
      completed_at: asDate(c.completed_at),
      paused_since: asDate(c.paused_since),
      due_at: asDate(c.due_at),
      warning_at: asDate(c.warning_at),
    });
    return { row, policyName: v.policy_name ?? null, calendar: v.calendar ?? null };
  });
}

/** What the scanner claims: one kind of event, its threshold column and index predicate. */
export type ScanKind = 'warning' | 'breached' | 'overdue';

const SCAN: Record<ScanKind, { marker: string; threshold: string; predicate: string }> = {
  // Each predicate is the WHERE of its partial index in the migration, so the planner uses it.
  warning: {
    marker: 'warning_emitted_episode',
    threshold: 'warning_at',
    predicate: `completed_at IS NULL AND paused_since IS NULL AND warning_emitted_episode < episode`,
  },
  breached: {
    marker: 'breached_emitted_episode',
    threshold: 'due_at',
    predicate: `completed_at IS NULL AND paused_since IS NULL AND breached_emitted_episode < episode`,
  },
  overdue: {
    marker: 'overdue_emitted_episode',
    threshold: 'due_at',
    predicate: `target = 'resolution' AND completed_at IS NULL AND paused_since IS NULL AND overdue_emitted_episode < episode`,
  },
};

/**
 * The claim, in two statements of one transaction (exported so the benchmark EXPLAINs exactly what
 * runs). First lock the due rows through the partial index, skipping rows another scanner holds;
 * then mark them by primary key. (One `UPDATE ... FROM (SELECT ... FOR UPDATE SKIP LOCKED)` lets
 * the planner hash-join against a sequential scan of the whole table, which grows with it.)
 */
export function claimSql(kind: ScanKind): { select: string; update: string } {
  const s = SCAN[kind];
  return {
    select: `SELECT ticket_id, target FROM ticket_sla
       WHERE ${s.predicate} AND ${s.threshold} <= $1
       ORDER BY ${s.threshold} LIMIT $2
       FOR UPDATE SKIP LOCKED`,
    update: `UPDATE ticket_sla s SET ${s.marker} = s.episode, updated_at = now()
       FROM unnest($1::uuid[], $2::varchar[]) AS due(ticket_id, target)
      WHERE s.ticket_id = due.ticket_id AND s.target = due.target
    RETURNING ${CLOCK_COLUMNS.split(',').map((c) => `s.${c.trim()}`).join(', ')}`,
  };
}

/** Plain SQL over `ticket_sla`: one row per ticket and target. */
@Injectable()
export class SlaStateRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async forTicket(q: Queryable, ticketId: string, lock: boolean): Promise<ClockRow[]> {
    const rows = await q.query(
      `SELECT ${CLOCK_COLUMNS} FROM ticket_sla WHERE ticket_id = $1 ORDER BY target${lock ? ' FOR UPDATE' : ''}`,
      [ticketId],
    );
    return rows.map(toClockRow);
  }

  /** Every clock of the given tickets, with its policy's name and its calendar: one query per page. */
  async forTickets(ticketIds: string[]): Promise<ClockWithTerms[]> {
    if (!ticketIds.length) return [];
    const rows = await this.db.query(
      `SELECT ${CLOCK_COLUMNS.split(',').map((c) => `s.${c.trim()}`).join(', ')}, p.name AS policy_name,
              c.time_zone, c.working_hours, c.holidays
         FROM ticket_sla s LEFT JOIN sla_policies p ON p.id = s.policy_id LEFT JOIN sla_calendars c ON c.id = s.calendar_id
        WHERE s.ticket_id = ANY($1::uuid[])`,
      [ticketIds],
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return rows.map((r: any) => ({
      row: toClockRow(r),
      policyName: r.policy_name,
      calendar: r.calendar_id ? { timeZone: r.time_zone, workingHours: r.working_hours, holidays: r.holidays } : null,
    }));
  }

  /** Inserts or replaces clock rows, in one statement. */
  async upsert(q: Queryable, ...rows: ClockRow[]): Promise<void> {
    if (!rows.length) return;
    const params: unknown[] = [];
    const values = rows.map((r) => {
      const base = params.push(
        r.ticketId, r.target, r.policyId, r.calendarId, r.targetMinutes, r.warningPercent, r.startedAt, r.completedAt,
        r.pausedSince, JSON.stringify(r.pauses), r.dueAt, r.warningAt, r.episode, r.warningEmittedEpisode,
        r.breachedEmittedEpisode, r.overdueEmittedEpisode,
      ) - 16;
      return `(${Array.from({ length: 16 }, (_, i) => `$${base + i + 1}`).join(', ')})`;
    });
    await q.query(
      `INSERT INTO ticket_sla (${CLOCK_COLUMNS}) VALUES ${values.join(', ')}
       ON CONFLICT (ticket_id, target) DO UPDATE SET
         policy_id = EXCLUDED.policy_id, calendar_id = EXCLUDED.calendar_id, target_minutes = EXCLUDED.target_minutes,
         warning_percent = EXCLUDED.warning_percent, started_at = EXCLUDED.started_at, completed_at = EXCLUDED.completed_at,
         paused_since = EXCLUDED.paused_since, pauses = EXCLUDED.pauses, due_at = EXCLUDED.due_at,
         warning_at = EXCLUDED.warning_at, episode = EXCLUDED.episode,
         warning_emitted_episode = EXCLUDED.warning_emitted_episode,
         breached_emitted_episode = EXCLUDED.breached_emitted_episode,
         overdue_emitted_episode = EXCLUDED.overdue_emitted_episode, updated_at = now()`,
      params,
    );
  }

  /** Open clocks on a calendar, in keyset pages (for recomputing after the calendar changes). */
  async openOnCalendar(q: Queryable, calendarId: string, limit: number, after?: [string, TargetKey]): Promise<ClockRow[]> {
    const rows = await q.query(
      `SELECT ${CLOCK_COLUMNS} FROM ticket_sla
        WHERE calendar_id = $1 AND completed_at IS NULL ${after ? 'AND (ticket_id, target) > ($3::uuid, $4)' : ''}
        ORDER BY ticket_id, target LIMIT $2 FOR UPDATE`,
      after ? [calendarId, limit, after[0], after[1]] : [calendarId, limit],
    );
    return rows.map(toClockRow);
  }

  /**
   * Marks up to `limit` clocks whose `kind` threshold has passed as emitted for their episode, and
   * returns them; rows another scanner holds are skipped, so each is claimed by exactly one.
   */
  async claim(q: Queryable, kind: ScanKind, now: Date, limit: number): Promise<ClockRow[]> {
    const sql = claimSql(kind);
    const due: { ticket_id: string; target: string }[] = await q.query(sql.select, [now, limit]);
    if (!due.length) return [];
    const result = await q.query(sql.update, [due.map((d) => d.ticket_id), due.map((d) => d.target)]);
    // TypeORM's postgres driver returns [rows, affected] for UPDATE ... RETURNING.
    const rows = Array.isArray(result[0]) ? result[0] : result;
    return rows.map(toClockRow);
  }
}
