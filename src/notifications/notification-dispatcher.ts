import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DomainEvent } from '../events/event-catalogue';
import { ChannelRegistry } from './channel-registry';
import { DeliveriesRepository, DeliveryRef, NewDelivery } from './deliveries.repository';
import { DeliveryScheduler } from './delivery-scheduler';

const BATCH = 200;

/**
 * Turns outbox rows into delivery rows. One short transaction per batch: claim unpublished rows
 * (`FOR UPDATE SKIP LOCKED`, so several workers can run it), ask each channel whether it wants each
 * event and for which targets, insert one delivery per (event, channel, target), mark the rows
 * published. After the commit, the deliveries that are first in their chain are scheduled; later
 * ones are scheduled when the one before them finishes. A sweep catches anything that fell through.
 */
@Injectable()
export class NotificationDispatcher {
  private readonly logger = new Logger('Notifications');
  private scheduler?: DeliveryScheduler;
  private dirty = false;
  private loop?: Promise<void>;
  private sweeping?: Promise<void>;
  private wakeQueued = false;
  private stopped = true;
  private lastFailureLog = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly deliveries: DeliveriesRepository,
    private readonly channels: ChannelRegistry,
  ) {}

  start(scheduler: DeliveryScheduler): void {
    this.scheduler = scheduler;
    this.stopped = false;
  }

  /** Dispatch soon (coalesces bursts of commits into one pass). */
  wake(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (this.loop || this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      if (!this.loop && !this.stopped) this.loop = this.run().finally(() => (this.loop = undefined));
    });
  }

  private async run(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        const claimed = await this.dispatchBatch();
        if (claimed === BATCH) this.dirty = true;
      } catch (err) {
        this.logFailure('dispatch', err);
        return; // the next poll tries again
      }
    }
  }

  /** One batch; returns how many outbox rows it claimed. */
  async dispatchBatch(): Promise<number> {
    const channels = this.channels.all();
    const { events, inserted } = await this.db.transaction(async (tx) => {
      const events = await this.deliveries.claimOutbox(tx, BATCH);
      const rows: NewDelivery[] = [];
      for (const event of events) {
        for (const channel of channels) {
          if (!wants(channel.wants.bind(channel), event, this.logger, channel.name)) continue;
          const targets = channel.targets ? await channel.targets(event, tx) : [''];
          for (const target of new Set(targets)) rows.push({ event, channel: channel.name, target });
        }
      }
      return { events, inserted: await this.deliveries.insert(tx, rows) };
    });
    await this.scheduleAll(inserted.heads);
    // Deliveries queued behind an open one are normally scheduled when it finishes; but if it
    // finished concurrently with this transaction, neither side saw the other: look again now.
    if (inserted.waitingAggregates.length) await this.scheduleAll(await this.deliveries.headsOf(inserted.waitingAggregates));
    return events.length;
  }

  /** Schedules open deliveries that may have lost their job (crash, Redis outage, lost wake-up). */
  sweep(): Promise<void> {
    if (this.stopped || this.sweeping || !this.scheduler) return this.sweeping ?? Promise.resolve();
    const scheduler = this.scheduler;
    this.sweeping = (async () => {
      try {
        await this.scheduleAll(await this.deliveries.stranded(scheduler.sweepGraceMs, 500));
      } catch (err) {
        this.logFailure('sweep', err);
      }
    })().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async scheduleAll(refs: DeliveryRef[]): Promise<void> {
    const scheduler = this.scheduler;
    if (!scheduler) return;
    for (let i = 0; i < refs.length; i += 50) {
      const results = await Promise.all(refs.slice(i, i + 50).map((r) => scheduler.schedule(r, r.dueInMs)));
      if (results.includes(false)) return; // the queue is unavailable: leave the rest to the sweeper
    }
  }

  /** Stops dispatching and waits for the pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([this.loop, this.sweeping]);
  }

  private logFailure(what: string, err: unknown): void {
    if (this.stopped) return;
    const now = Date.now();
    if (now - this.lastFailureLog < 10_000) return;
    this.lastFailureLog = now;
    this.logger.warn(`notification ${what} failed (will retry): ${err instanceof Error ? err.message : err}`);
  }
}

function wants(fn: (e: DomainEvent) => boolean, event: DomainEvent, logger: Logger, name: string): boolean {
  try {
    return fn(event) === true;
  } catch (err) {
    logger.error(`channel ${name}: wants() threw for ${event.type} ${event.eventId}; skipped: ${err instanceof Error ? err.message : err}`);
    return false;
  }
}
