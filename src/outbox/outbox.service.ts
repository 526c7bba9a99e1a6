import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { EntityManager } from 'typeorm';
import { ChangeContext, EventPayloads, EventType, SCHEMA_VERSION } from '../events/event-catalogue';

/**
 * Writes domain events into the outbox inside the caller's transaction, so an event exists if and
 * only if the change it describes was committed. After a commit, callers call `notifyCommitted()`
 * so that an in-process dispatcher can pick the rows up at once instead of waiting for its poll.
 */
/** PostgreSQL channel on which committed outbox rows are announced to worker processes. */
export const OUTBOX_NOTIFY_CHANNEL = 'threadline_outbox';

/** An event about to be committed, as seen by in-transaction listeners. */
export interface PendingEvent<T extends EventType = EventType> {
  type: T;
  aggregateId: string;
  payload: EventPayloads[T];
  context: ChangeContext;
}

/**
 * Runs inside the producer's transaction, after the event row is written: for modules whose own
 * state must change atomically with a domain change (the SLA clocks), without the producer
 * knowing them. Keep listeners to a few indexed statements; never call the network here.
 */
export type TransactionalListener = (manager: EntityManager, event: PendingEvent) => Promise<void>;

@Injectable()
export class OutboxService {
  private readonly committed = new EventEmitter();
  private readonly listeners: TransactionalListener[] = [];

  registerTransactionalListener(listener: TransactionalListener): void {
    this.listeners.push(listener);
  }

  async append<T extends EventType>(
    manager: EntityManager,
    type: T,
    aggregateId: string,
    payload: EventPayloads[T],
    context: ChangeContext,
  ): Promise<void> {
    await manager.query(
      // The NOTIFY rides in the same statement and is delivered at commit, so worker processes learn
      // of new rows without an extra round trip (PostgreSQL folds repeats within a transaction).
      `WITH e AS (
         INSERT INTO outbox (type, schema_version, aggregate_type, aggregate_id, payload, actor, origin)
         VALUES ($1, $2, 'ticket', $3, $4, $5, $6) RETURNING id)
       SELECT pg_notify('${OUTBOX_NOTIFY_CHANNEL}', '') FROM e`,
      [type, SCHEMA_VERSION[type], aggregateId, JSON.stringify(payload), JSON.stringify(context.actor), JSON.stringify(context.origin)],
    );
    for (const listener of this.listeners) {
      await listener(manager, { type, aggregateId, payload, context } as PendingEvent);
    }
  }

  notifyCommitted(): void {
    this.committed.emit('committed');
  }

  onCommitted(listener: () => void): () => void {
    this.committed.on('committed', listener);
    return () => this.committed.off('committed', listener);
  }
}
