import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface WebhookSubscription {
  id: string;
  url: string;
  events: string[];
  secret: string;
  secretPrefix: string;
  description: string;
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const toSubscription = (r: any): WebhookSubscription => ({
  id: r.id,
  url: r.url,
  events: r.events,
  secret: r.secret,
  secretPrefix: r.secret_prefix,
  description: r.description,
  createdById: r.created_by_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

@Injectable()
export class WebhookSubscriptionsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(s: { url: string; events: string[]; secret: string; secretPrefix: string; description: string; createdById: string | null }) {
    const rows = await this.db.query(
      `INSERT INTO webhook_subscriptions (url, events, secret, secret_prefix, description, created_by_id)
       VALUES ($1, $2::text[], $3, $4, $5, $6) RETURNING *`,
      [s.url, s.events, s.secret, s.secretPrefix, s.description, s.createdById],
    );
    return toSubscription(rows[0]);
  }

  async find(id: string): Promise<WebhookSubscription | null> {
    const rows = await this.db.query(`SELECT * FROM webhook_subscriptions WHERE id = $1 AND deleted_at IS NULL`, [id]);
    return rows.length ? toSubscription(rows[0]) : null;
  }

  async list(): Promise<WebhookSubscription[]> {
    const rows = await this.db.query(`SELECT * FROM webhook_subscriptions WHERE deleted_at IS NULL ORDER BY created_at, id`);
    return rows.map(toSubscription);
  }

  async softDelete(id: string): Promise<boolean> {
    const rows = await this.db.query(
      `WITH gone AS (UPDATE webhook_subscriptions SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id)
       SELECT id FROM gone`,
      [id],
    );
    return rows.length > 0;
  }

  /** Ids of the live subscriptions to an event type, inside the dispatcher's transaction. */
  async subscribedTo(tx: Pick<EntityManager, 'query'>, eventType: string): Promise<string[]> {
    const rows = await tx.query(
      `SELECT id FROM webhook_subscriptions WHERE deleted_at IS NULL AND events @> ARRAY[$1]::text[] ORDER BY id`,
      [eventType],
    );
    return rows.map((r: { id: string }) => r.id);
  }
}
