import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { DomainEvent, EventType } from '../events/event-catalogue';

type Queryable = Pick<EntityManager, 'query'>;

export const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** Deliveries still to be made; they hold back later deliveries of the same chain. */
export const OPEN_STATUSES: DeliveryStatus[] = ['pending', 'delivering'];

export interface DeliveryRecord {
  id: string;
  eventId: string;
  outboxId: string;
  eventType: string;
  aggregateId: string;
  channel: string;
  target: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  deliveredAt: Date | null;
}

/** What a scheduler needs to (re)schedule a delivery. */
export interface DeliveryRef {
  id: string;
  eventId: string;
  channel: string;
  target: string;
  /** Milliseconds until it is due, by the database's clock (0 when due). */
  dueInMs: number;
}

export interface NewDelivery {
  event: DomainEvent;
  channel: string;
  target: string;
}

/** Why a delivery could not be claimed: the scheduler's cue for what to do with its job. */
export type ClaimRefusal =
  | { reason: 'missing' | 'finished' | 'blocked' }
  | { reason: 'not-due' | 'leased'; retryInMs: number };

export type ClaimResult = { claimed: true; delivery: DeliveryRecord; event: DomainEvent } | ({ claimed: false } & ClaimRefusal);

/** A chain is one aggregate's deliveries to one channel target: delivered strictly in outbox order. */
const EARLIER_OPEN = `
  NOT EXISTS (SELECT 1 FROM notification_deliveries p
               WHERE p.aggregate_id = d.aggregate_id AND p.channel = d.channel AND p.target = d.target
                 AND p.outbox_id < d.outbox_id AND p.status IN ('pending', 'delivering'))
  AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.aggregate_id = d.aggregate_id AND e.id < d.outbox_id AND e.published_at IS NULL)`;

const REF_COLUMNS = `d.id, d.event_id, d.channel, d.target,
  GREATEST(0, CEIL(EXTRACT(EPOCH FROM (COALESCE(CASE WHEN d.status = 'delivering' THEN d.locked_until END, d.next_attempt_at) - now())) * 1000))::int AS due_in_ms`;

/* eslint-disable @typescript-eslint/no-explicit-any */
const toRef = (r: any): DeliveryRef => ({ id: r.id, eventId: r.event_id, channel: r.channel, target: r.target, dueInMs: Number(r.due_in_ms) });

export function toDelivery(r: any): DeliveryRecord {
  return {
    id: r.id,
    eventId: r.event_id,
    outboxId: String(r.outbox_id),
    eventType: r.event_type,
    aggregateId: r.aggregate_id,
    channel: r.channel,
    target: r.target,
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lockedUntil: r.locked_until,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deliveredAt: r.delivered_at,
  };
}

export function toEvent(r: any, prefix = ''): DomainEvent {
  const at = r[`${prefix}occurred_at`];
  return {
    eventId: r[`${prefix}event_id`],
    sequence: String(r[`${prefix}id`]),
    type: r[`${prefix}type`] as EventType,
    schemaVersion: Number(r[`${prefix}schema_version`]),
    aggregateType: r[`${prefix}aggregate_type`],
    aggregateId: r[`${prefix}aggregate_id`],
    occurredAt: at instanceof Date ? at.toISOString() : String(at),
    actor: r[`${prefix}actor`],
    origin: r[`${prefix}origin`],
    payload: r[`${prefix}payload`],
  } as DomainEvent;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface DeliveryFilter {
  statuses?: DeliveryStatus[];
  channel?: string;
  target?: string;
  eventId?: string;
}

/** Plain SQL over `outbox` (claiming) and `notification_deliveries`; the rules live in the services. */
@Injectable()
export class DeliveriesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Marks up to `limit` unpublished outbox rows as published and returns them, skipping rows another dispatcher holds. */
  async claimOutbox(m: Queryable, limit: number): Promise<DomainEvent[]> {
    const rows = await m.query(
      `WITH picked AS (
         SELECT id FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
       ), published AS (
         UPDATE outbox o SET published_at = now() FROM picked WHERE o.id = picked.id RETURNING o.*
       )
       SELECT * FROM published ORDER BY id`,
      [limit],
    );
    return rows.map((r: unknown) => toEvent(r));
  }

  /**
   * Inserts deliveries (existing ones are left alone) and returns those of them that are first in
   * their chain, to be scheduled once the transaction commits. (The statement does not see its own
   * rows in the chain check, so among new rows of one chain only the earliest is kept.)
   */
  async insert(m: Queryable, deliveries: NewDelivery[]): Promise<{ heads: DeliveryRef[]; waitingAggregates: string[] }> {
    if (!deliveries.length) return { heads: [], waitingAggregates: [] };
    const rows = await m.query(
      `WITH d AS (
         INSERT INTO notification_deliveries (event_id, outbox_id, event_type, aggregate_id, channel, target)
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::uuid[], $5::text[], $6::text[])
         ON CONFLICT ON CONSTRAINT notification_deliveries_event_channel_key DO NOTHING
         RETURNING *
       )
       SELECT ${REF_COLUMNS}, d.aggregate_id, d.outbox_id, (${EARLIER_OPEN}) AS is_head FROM d ORDER BY d.outbox_id`,
      [
        deliveries.map((d) => d.event.eventId),
        deliveries.map((d) => d.event.sequence),
        deliveries.map((d) => d.event.type),
        deliveries.map((d) => d.event.aggregateId),
        deliveries.map((d) => d.channel),
        deliveries.map((d) => d.target),
      ],
    );
    const heads = new Map<string, DeliveryRef>();
    const waiting = new Set<string>();
    for (const r of rows) {
      const chain = `${r.aggregate_id} ${r.channel} ${r.target}`;
      if (r.is_head && !heads.has(chain)) heads.set(chain, toRef(r));
      else if (!r.is_head) waiting.add(r.aggregate_id);
    }
    return { heads: [...heads.values()], waitingAggregates: [...waiting] };
  }

  /** The pending deliveries of these aggregates that are next in their chain. */
  async headsOf(aggregateIds: string[]): Promise<DeliveryRef[]> {
    if (!aggregateIds.length) return [];
    const rows = await this.db.query(
      `SELECT ${REF_COLUMNS} FROM notification_deliveries d
        WHERE d.aggregate_id = ANY($1::uuid[]) AND d.status = 'pending' AND ${EARLIER_OPEN}`,
      [aggregateIds],
    );
    return rows.map(toRef);
  }

  /**
   * Open deliveries that should be running but may have no job: pending and due for `graceMs`, or
   * delivering with a lease that ran out (a crashed worker). Next-in-chain only.
   */
  async stranded(graceMs: number, limit: number): Promise<DeliveryRef[]> {
    const rows = await this.db.query(
      `SELECT ${REF_COLUMNS} FROM notification_deliveries d
        WHERE d.status IN ('pending', 'delivering')
          AND d.next_attempt_at <= now() - $1::int * interval '1 millisecond'
          AND (d.status = 'pending' OR d.locked_until <= now())
          AND ${EARLIER_OPEN}
        ORDER BY d.next_attempt_at LIMIT $2`,
      [graceMs, limit],
    );
    return rows.map(toRef);
  }

  /**
   * Takes a delivery for one attempt: due, not leased by a live attempt, and first in its chain.
   * Counts the attempt and leases the row for `leaseMs`. Concurrent claimers: exactly one wins.
   */
  async claim(id: string, leaseMs: number): Promise<ClaimResult> {
    const rows = await this.db.query(
      `WITH claimed AS (
         UPDATE notification_deliveries d
            SET status = 'delivering', attempts = d.attempts + 1, updated_at = now(),
                locked_until = now() + $2::int * interval '1 millisecond'
          WHERE d.id = $1
            AND ((d.status = 'pending' AND d.next_attempt_at <= now() + interval '20 milliseconds')
              OR (d.status = 'delivering' AND d.locked_until <= now()))
            AND ${EARLIER_OPEN}
          RETURNING d.*
       )
       SELECT c.*, o.id AS o_id, o.event_id AS o_event_id, o.type AS o_type, o.schema_version AS o_schema_version,
              o.aggregate_type AS o_aggregate_type, o.aggregate_id AS o_aggregate_id, o.payload AS o_payload,
              o.actor AS o_actor, o.origin AS o_origin, o.occurred_at AS o_occurred_at
         FROM claimed c JOIN outbox o ON o.id = c.outbox_id`,
      [id, leaseMs],
    );
    if (rows.length) return { claimed: true, delivery: toDelivery(rows[0]), event: toEvent(rows[0], 'o_') };
    const why = await this.db.query(
      `SELECT d.status,
              GREATEST(0, CEIL(EXTRACT(EPOCH FROM (d.next_attempt_at - now())) * 1000))::int AS due_in_ms,
              GREATEST(0, CEIL(EXTRACT(EPOCH FROM (d.locked_until - now())) * 1000))::int AS lease_in_ms,
              NOT (${EARLIER_OPEN}) AS blocked
         FROM notification_deliveries d WHERE d.id = $1`,
      [id],
    );
    if (!why.length) return { claimed: false, reason: 'missing' };
    const w = why[0];
    if (w.status === 'delivered' || w.status === 'failed') return { claimed: false, reason: 'finished' };
    if (w.blocked) return { claimed: false, reason: 'blocked' };
    if (w.status === 'delivering') return { claimed: false, reason: 'leased', retryInMs: Math.max(Number(w.lease_in_ms), 10) };
    return { claimed: false, reason: 'not-due', retryInMs: Math.max(Number(w.due_in_ms), 10) };
  }

  /**
   * Records an attempt's outcome, fenced by the attempt number: a late writer whose lease ran out
   * (and whose delivery was taken over) changes nothing. Returns false when fenced off.
   */
  async finish(
    id: string,
    attempt: number,
    outcome: { status: 'delivered' } | { status: 'failed'; error: string } | { status: 'pending'; error: string; delayMs: number },
  ): Promise<{ next: DeliveryRef | null } | null> {
    let set: string;
    const params: unknown[] = [id, attempt];
    if (outcome.status === 'delivered') set = `status = 'delivered', delivered_at = now()`;
    else if (outcome.status === 'failed') {
      set = `status = 'failed', last_error = $3`;
      params.push(outcome.error.slice(0, 2000));
    } else {
      set = `status = 'pending', last_error = $3, next_attempt_at = now() + $4::int * interval '1 millisecond'`;
      params.push(outcome.error.slice(0, 2000), Math.round(outcome.delayMs));
    }
    // For a final outcome, the same statement finds the chain's next open delivery (this row still
    // counts as open in the statement's snapshot, hence id <> done.id).
    const rows = await this.db.query(
      `WITH done AS (
         UPDATE notification_deliveries SET ${set}, locked_until = NULL, updated_at = now()
          WHERE id = $1 AND status = 'delivering' AND attempts = $2
          RETURNING id, aggregate_id, channel, target, status
       )
       SELECT done.id AS done_id, n.* FROM done
         LEFT JOIN LATERAL (
           SELECT ${REF_COLUMNS} FROM notification_deliveries d
            WHERE done.status IN ('delivered', 'failed') AND d.aggregate_id = done.aggregate_id AND d.channel = done.channel
              AND d.target = done.target AND d.id <> done.id AND d.status IN ('pending', 'delivering')
            ORDER BY d.outbox_id LIMIT 1
         ) n ON true`,
      params,
    );
    if (!rows.length) return null;
    return { next: rows[0].id ? toRef(rows[0]) : null };
  }

  /** Puts a dead-lettered delivery back in line with a fresh budget of attempts. */
  async requeue(id: string): Promise<DeliveryRecord | null> {
    const rows = await this.db.query(
      `WITH again AS (
         UPDATE notification_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'failed' RETURNING *
       ) SELECT * FROM again`,
      [id],
    );
    return rows.length ? toDelivery(rows[0]) : null;
  }

  async get(id: string): Promise<DeliveryRecord | null> {
    const rows = await this.db.query(`SELECT * FROM notification_deliveries WHERE id = $1`, [id]);
    return rows.length ? toDelivery(rows[0]) : null;
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async list(filter: DeliveryFilter, limit: number, after?: [string, string]): Promise<DeliveryRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.statuses?.length) add('status = ANY(?::text[])', filter.statuses);
    if (filter.channel) add('channel = ?', filter.channel);
    if (filter.target !== undefined) add('target = ?', filter.target);
    if (filter.eventId) add('event_id = ?', filter.eventId);
    if (after) {
      params.push(after[0], after[1]);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit);
    const rows = await this.db.query(
      `SELECT * FROM notification_deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toDelivery);
  }

  /** Open (pending or delivering) and dead-lettered deliveries per channel, and the age of the oldest open one. */
  async countsByChannel(): Promise<Array<{ channel: string; open: number; failed: number; oldestOpenSeconds: number | null }>> {
    const rows = await this.db.query(
      `SELECT channel,
              count(*) FILTER (WHERE status IN ('pending', 'delivering'))::int AS open,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE status IN ('pending', 'delivering')))::float8 AS oldest
         FROM notification_deliveries WHERE status IN ('pending', 'delivering', 'failed') GROUP BY channel`,
    );
    return rows.map((r: { channel: string; open: number; failed: number; oldest: number | null }) => ({
      channel: r.channel,
      open: Number(r.open),
      failed: Number(r.failed),
      oldestOpenSeconds: r.oldest === null ? null : Math.round(Number(r.oldest)),
    }));
  }
}
