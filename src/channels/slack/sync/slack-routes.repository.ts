import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SlackRoute, ThreadLink } from './slack-routing';

type Queryable = Pick<EntityManager, 'query'>;

export interface SlackRouteRecord extends SlackRoute {
  createdAt: Date;
  updatedAt: Date;
}

/** A route as written by the admin API: everything but its id. */
export type RouteFields = Omit<SlackRoute, 'id'>;

/* eslint-disable @typescript-eslint/no-explicit-any */
const toRoute = (r: any): SlackRouteRecord => ({
  id: r.id,
  teamId: r.team_id,
  projectKey: r.project_key,
  priority: r.priority,
  channel: r.channel,
  eventTypes: r.event_types,
  minPriority: r.min_priority,
  agentsOnly: r.agents_only,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface RoutingSnapshot {
  routes: SlackRoute[];
  threads: ThreadLink[];
  installations: { teamId: string; source: 'env' | 'oauth' }[];
}

/** slack_channel_routes (admin CRUD) and the one read that routing needs. */
@Injectable()
export class SlackRoutesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Everything routing needs in one statement: all routes (a small table), the ticket's threads
   * (unique index on ticket_id) and the active installations (to know the default workspace).
   */
  async routingSnapshot(ticketId: string, q: Queryable = this.db): Promise<RoutingSnapshot> {
    const rows: any[] = await q.query(
      `SELECT 'route' AS kind, r.id::text AS id, r.team_id, r.project_key, r.priority, r.channel, r.event_types, r.min_priority, r.agents_only
         FROM slack_channel_routes r
       UNION ALL
       SELECT 'thread', t.id::text, t.team_id, NULL, NULL, t.channel_id, NULL, NULL, t.agents_only
         FROM slack_threads t WHERE t.ticket_id = $1
       UNION ALL
       SELECT 'install', i.source, i.team_id, NULL, NULL, NULL, NULL, NULL, i.active
         FROM slack_installations i WHERE i.active`,
      [ticketId],
    );
    const out: RoutingSnapshot = { routes: [], threads: [], installations: [] };
    for (const r of rows) {
      if (r.kind === 'route') out.routes.push(toRoute(r));
      else if (r.kind === 'thread') out.threads.push({ teamId: r.team_id, channelId: r.channel, agentsOnly: r.agents_only });
      else out.installations.push({ teamId: r.team_id, source: r.id });
    }
    return out;
  }

  async list(): Promise<SlackRouteRecord[]> {
    const rows = await this.db.query(`SELECT * FROM slack_channel_routes ORDER BY created_at, id`);
    return rows.map(toRoute);
  }

  async get(id: string): Promise<SlackRouteRecord | null> {
    const rows = await this.db.query(`SELECT * FROM slack_channel_routes WHERE id = $1`, [id]);
    return rows.length ? toRoute(rows[0]) : null;
  }

  async insert(f: RouteFields): Promise<SlackRouteRecord> {
    const rows = await this.db.query(
      `INSERT INTO slack_channel_routes (team_id, project_key, priority, channel, event_types, min_priority, agents_only)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [f.teamId, f.projectKey, f.priority, f.channel, f.eventTypes, f.minPriority, f.agentsOnly],
    );
    return toRoute(rows[0]);
  }

  async update(id: string, f: RouteFields): Promise<SlackRouteRecord | null> {
    const rows = await this.db.query(
      `WITH changed AS (
         UPDATE slack_channel_routes SET team_id = $2, project_key = $3, priority = $4, channel = $5, event_types = $6,
                min_priority = $7, agents_only = $8, updated_at = now()
          WHERE id = $1 RETURNING *
       ) SELECT * FROM changed`,
      [id, f.teamId, f.projectKey, f.priority, f.channel, f.eventTypes, f.minPriority, f.agentsOnly],
    );
    return rows.length ? toRoute(rows[0]) : null;
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db.query(`WITH gone AS (DELETE FROM slack_channel_routes WHERE id = $1 RETURNING id) SELECT id FROM gone`, [id]);
    return rows.length > 0;
  }
}
