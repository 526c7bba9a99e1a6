import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { BusinessCalendar } from '../engine/business-calendar';

type Queryable = Pick<EntityManager, 'query'>;

export interface CalendarRecord extends BusinessCalendar {
  id: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id, name, time_zone, working_hours, holidays, created_at, updated_at`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toCalendar(r: any): CalendarRecord {
  return {
    id: r.id,
    name: r.name,
    timeZone: r.time_zone,
    workingHours: r.working_hours,
    holidays: r.holidays,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

@Injectable()
export class CalendarsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(): Promise<CalendarRecord[]> {
    return (await this.db.query(`SELECT ${COLUMNS} FROM sla_calendars ORDER BY name, id`)).map(toCalendar);
  }

  async findById(id: string, q: Queryable = this.db, lock = false): Promise<CalendarRecord | null> {
    const rows = await q.query(`SELECT ${COLUMNS} FROM sla_calendars WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows.length ? toCalendar(rows[0]) : null;
  }

  async findByIds(ids: string[], q: Queryable = this.db): Promise<Map<string, CalendarRecord>> {
    if (!ids.length) return new Map();
    const rows = await q.query(`SELECT ${COLUMNS} FROM sla_calendars WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((r: unknown) => [toCalendar(r).id, toCalendar(r)]));
  }

  async nameTaken(name: string, exceptId: string | null): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM sla_calendars WHERE name = $1 AND id IS DISTINCT FROM $2::uuid`, [name, exceptId]);
    return rows.length > 0;
  }

  async insert(c: { name: string } & BusinessCalendar): Promise<string> {
    const rows = await this.db.query(
      `INSERT INTO sla_calendars (name, time_zone, working_hours, holidays) VALUES ($1, $2, $3, $4) RETURNING id`,
      [c.name, c.timeZone, JSON.stringify(c.workingHours), JSON.stringify(c.holidays)],
    );
    return rows[0].id;
  }

  async update(q: Queryable, c: { id: string; name: string } & BusinessCalendar): Promise<void> {
    await q.query(
      `UPDATE sla_calendars SET name = $2, time_zone = $3, working_hours = $4, holidays = $5, updated_at = now() WHERE id = $1`,
      [c.id, c.name, c.timeZone, JSON.stringify(c.workingHours), JSON.stringify(c.holidays)],
    );
  }

  /** How many policies and clocks (any, running or finished) refer to the calendar. */
  async usage(q: Queryable, id: string): Promise<{ policies: number; clocks: number }> {
    const rows = await q.query(
      `SELECT (SELECT count(*) FROM sla_policies WHERE calendar_id = $1)::int AS policies,
              (SELECT count(*) FROM ticket_sla WHERE calendar_id = $1)::int AS clocks`,
      [id],
    );
    return rows[0];
  }

  async delete(q: Queryable, id: string): Promise<void> {
    await q.query(`DELETE FROM sla_calendars WHERE id = $1`, [id]);
  }
}
