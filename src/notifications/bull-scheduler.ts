import { Logger } from '@nestjs/common';
import Bull, { Job, Queue } from 'bull';
import type { AppConfig } from '../config/app-config';
import type { DeliveryRunner } from './delivery-runner';
import { DeliveryScheduler, jobIdOf, ScheduledDelivery } from './delivery-scheduler';

export const NOTIFICATIONS_QUEUE = 'notifications';

interface DeliveryJob {
  deliveryId: string;
  channel: string;
}

/** Thrown by the processor to have Bull run the same job again after `delayMs` (see the backoff strategy). */
class AttemptLater extends Error {
  constructor(readonly delayMs: number) {
    super(`attempt again in ${delayMs} ms`);
  }
}

/**
 * Services mode: one Bull queue, `notifications`, jobs carrying only a delivery id.
 * - jobId = `${channel}[:${target}]:${eventId}`, so enqueuing twice is harmless while the job is stored.
 *   A stored job that already finished would swallow a needed re-enqueue (Bull dedupes by id only
 *   while it keeps the job), so `schedule` removes a finished job of that id before adding again.
 * - Retries are the same job run again: the processor throws AttemptLater(delay) and a custom
 *   backoff strategy returns that delay, so the policy (and a channel's retry-after) decides, not Bull.
 * - Retention is bounded: the last 1,000 completed and 5,000 failed jobs are kept.
 * - Redis down: scheduling fails fast (the client is not ready) and deliveries stay pending in
 *   PostgreSQL until the sweeper schedules them once Redis is back.
 */
export class BullScheduler implements DeliveryScheduler {
  readonly mode = 'bull' as const;
  readonly sweepGraceMs: number;
  private readonly logger = new Logger('Notifications');
  private readonly queue: Queue<DeliveryJob>;
  private lastErrorLog = 0;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing?: Promise<void>;

  constructor(
    private readonly config: AppConfig,
    private readonly runner: DeliveryRunner,
  ) {
    this.sweepGraceMs = Math.max(1000, 3 * config.NOTIFY_POLL_INTERVAL_MS);
    this.queue = new Bull<DeliveryJob>(NOTIFICATIONS_QUEUE, config.REDIS_URL!, {
      prefix: config.QUEUE_PREFIX,
      settings: {
        // A crashed worker's job is taken over once its lock expires, like its delivery's lease.
        lockDuration: config.NOTIFY_LEASE_MS,
        stalledInterval: Math.max(1000, Math.floor(config.NOTIFY_LEASE_MS / 2)),
        maxStalledCount: 100,
        retryProcessDelay: 1000,
        backoffStrategies: { policy: (_attempts: number, err: Error) => (err instanceof AttemptLater ? err.delayMs : 1000) },
      },
      defaultJobOptions: {
        attempts: 10_000,
        backoff: { type: 'policy' },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000 },
      },
    });
    this.queue.on('error', (err) => this.logThrottled(`queue error: ${err.message}`));
  }

  start(): void {
    this.queue.isReady().catch(() => undefined);
    void this.queue.process(this.config.NOTIFY_CONCURRENCY, (job) => this.process(job)).catch((err: Error) => {
      if (!this.closing) this.logger.error(`queue consumer stopped: ${err.message}`);
    });
  }

  private async process(job: Job<DeliveryJob>): Promise<string> {
    const attempt = this.runner.attempt(job.data.deliveryId);
    this.inFlight.add(attempt);
    const outcome = await attempt.finally(() => this.inFlight.delete(attempt));
    if (outcome.kind === 'again') throw new AttemptLater(outcome.delayMs);
    if (outcome.kind === 'done' && outcome.next) await this.schedule(outcome.next, outcome.next.dueInMs);
    return outcome.kind === 'skip' ? `skipped: ${outcome.why}` : 'done';
  }

  async schedule(delivery: ScheduledDelivery, delayMs: number): Promise<boolean> {
    // Fail fast while Redis is known to be away; a connection being (re)made gets the timeout below.
    const status = this.queue.client.status;
    if (this.closing || !['ready', 'connect', 'connecting', 'wait'].includes(status)) return false;
    const jobId = jobIdOf(delivery);
    try {
      return await withTimeout(
        (async () => {
          const existing = await this.queue.getJob(jobId);
          if (existing) {
            const state = await existing.getState();
            if (state !== 'completed' && state !== 'failed') return true; // waiting, delayed or active: it will run
            await existing.remove().catch(() => undefined);
          }
          await this.queue.add({ deliveryId: delivery.id, channel: delivery.channel }, { jobId, delay: Math.max(0, Math.round(delayMs)) });
          return true;
        })(),
        2000,
      );
    } catch (err) {
      this.logThrottled(`could not schedule delivery ${delivery.id}: ${err instanceof Error ? err.message : err}`);
      return false;
    }
  }

  async counts(): Promise<Bull.JobCounts> {
    return withTimeout(this.queue.getJobCounts(), 1000);
  }

  /**
   * Stops taking jobs and lets the attempts in flight finish (bounded by the lease: each attempt
   * ends within it) while the queue closes. When Redis is away, Bull is not asked to wait for its jobs
   * (it could not record them anyway); their deliveries are recorded in PostgreSQL all the same.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const bound = this.config.NOTIFY_LEASE_MS;
      const closed = withTimeout(this.queue.close(this.queue.client.status !== 'ready'), bound).catch((err: Error) => {
        this.logger.warn(`queue did not close cleanly: ${err.message}`);
      });
      await Promise.all([closed, withTimeout(Promise.allSettled([...this.inFlight]), bound).catch(() => undefined)]);
    })();
    return this.closing;
  }

  private logThrottled(message: string): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.logger.warn(message);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
