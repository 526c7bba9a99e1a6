import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ChangeContext } from '../events/event-catalogue';

export interface ActivityEntry {
  action: string;
  field: string | null;
  from: string | null;
  to: string | null;
}

export interface ActivityRow {
  id: string;
  actor: { id: string | null; name: string };
  action: string;
  field: string | null;
  from: string | null;
  to: string | null;
  origin: string;
  at: string;
}

/** The append-only history of a ticket: who changed what, from what, to what, when. */
@Injectable()
export class TicketActivityRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async append(m: EntityManager, ticketId: string, ctx: ChangeContext, entries: ActivityEntry[]): Promise<void> {
    if (!entries.length) return;
    const params: unknown[] = [ticketId, ctx.actor.type === 'user' ? ctx.actor.id : null, ctx.actor.name, ctx.origin.channel];
    const values = entries.map((e) => {
      const base = params.length;
      params.push(e.action, e.field, e.from, e.to);
      return `($1, $2, $3, $4, $${base + 1}, $${base + 2}, $${base + 3}, $${base + 4})`;
    });
    await m.query(
      `INSERT INTO ticket_activity (ticket_id, actor_id, actor_name, origin, action, field, from_value, to_value)
       VALUES ${values.join(', ')}`,
      params,
    );
  }

  async list(ticketId: string, limit: number, afterId?: string): Promise<ActivityRow[]> {
    const rows = await this.db.query(
      `SELECT id, actor_id, actor_name, action, field, from_value, to_value, origin, created_at
         FROM ticket_activity WHERE ticket_id = $1 AND ($2::bigint IS NULL OR id > $2::bigint)
        ORDER BY id LIMIT $3`,
      [ticketId, afterId ?? null, limit],
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return rows.map((r: any) => ({
      id: String(r.id),
      actor: { id: r.actor_id, name: r.actor_name },
      action: r.action,
      field: r.field,
      from: r.from_value,
      to: r.to_value,
      origin: r.origin,
      at: r.created_at.toISOString(),
    }));
  }
}
