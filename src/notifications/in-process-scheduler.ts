import { Logger } from '@nestjs/common';
import type { AttemptOutcome, DeliveryRunner } from './delivery-runner';
import { DeliveryScheduler, ScheduledDelivery } from './delivery-scheduler';

/**
 * Embedded mode: attempts run in this process under the same policy as Bull jobs. One timer per
 * delivery (scheduling twice is harmless), at most `concurrency` attempts at once.
 */
export class InProcessScheduler implements DeliveryScheduler {
  readonly mode = 'in-process' as const;
  readonly sweepGraceMs = 0;
  private readonly logger = new Logger('Notifications');
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout; delivery: ScheduledDelivery }>();
  private readonly ready: ScheduledDelivery[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  private started = false;
  private closed = false;

  constructor(
    private readonly runner: DeliveryRunner,
    private readonly concurrency: number,
  ) {}

  start(): void {
    this.started = true;
    this.pump();
  }

  async schedule(delivery: ScheduledDelivery, delayMs: number): Promise<boolean> {
    if (this.closed) return false;
    const id = delivery.id;
    if (this.queued.has(id) || this.running.has(id)) return true;
    const at = Date.now() + Math.max(0, delayMs);
    const existing = this.timers.get(id);
    if (existing) {
      if (existing.at <= at) return true;
      clearTimeout(existing.timer);
      this.timers.delete(id);
    }
    if (delayMs <= 0) this.enqueue(delivery);
    else {
      const timer = setTimeout(() => {
        this.timers.delete(id);
        this.enqueue(delivery);
      }, delayMs);
      this.timers.set(id, { at, timer, delivery });
    }
    return true;
  }

  private enqueue(delivery: ScheduledDelivery): void {
    if (this.closed || this.queued.has(delivery.id) || this.running.has(delivery.id)) return;
    this.queued.add(delivery.id);
    this.ready.push(delivery);
    this.pump();
  }

  private pump(): void {
    while (this.started && !this.closed && this.running.size < this.concurrency && this.ready.length) {
      const delivery = this.ready.shift()!;
      this.queued.delete(delivery.id);
      const run: Promise<void> = this.run(delivery).finally(() => {
        if (this.running.get(delivery.id) === run) this.running.delete(delivery.id);
        this.pump();
      });
      this.running.set(delivery.id, run);
    }
  }

  private async run(delivery: ScheduledDelivery): Promise<void> {
    let outcome: AttemptOutcome;
    try {
      outcome = await this.runner.attempt(delivery.id);
    } catch (err) {
      // The database is unreachable or closing; the sweeper picks the delivery up again.
      if (!this.closed) this.logger.warn(`delivery ${delivery.id}: attempt not recorded: ${err instanceof Error ? err.message : err}`);
      return;
    }
    if (outcome.kind === 'again') {
      this.running.delete(delivery.id);
      await this.schedule(delivery, outcome.delayMs);
    } else if (outcome.kind === 'done' && outcome.next) {
      await this.schedule(outcome.next, outcome.next.dueInMs);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    this.queued.clear();
    await Promise.allSettled([...this.running.values()]);
  }
}
