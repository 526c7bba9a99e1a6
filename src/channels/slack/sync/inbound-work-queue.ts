import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import Bull, { Queue } from 'bull';
import { AppConfig } from '../../../config/app-config';
import { InboundSlackSettings } from '../config/inbound-settings';
import type { InboundEvent } from './inbound-payloads';

export const SLACK_INBOUND_QUEUE = 'slack-inbound';

/** One Events API event to act on; small, so it travels through Redis as is. */
export interface InboundEventJob {
  eventId: string;
  key: string;
  event: InboundEvent;
}

type Handler = (job: InboundEventJob) => Promise<void>;

/**
 * Runs work items one at a time per key, at most `concurrency` keys at once. Keys are threads
 * (`team:channel:thread_ts`), so the replies, edits and deletions of one thread are applied in the
 * order Slack sent them while other threads proceed in parallel.
 */
export class KeyedSerialRunner<T> {
  private readonly pending = new Map<string, { item: T; done: (err?: unknown) => void }[]>();
  private readonly runnable: string[] = [];
  private readonly active = new Set<string>();
  private size = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly concurrency: number,
    private readonly run: (item: T) => Promise<void>,
  ) {}

  get backlog(): number {
    return this.size;
  }

  /** Resolves when the item has run (rejects with its error). */
  push(key: string, item: T): Promise<void> {
    if (this.closed) return Promise.reject(new Error('closed'));
    return new Promise((resolve, reject) => {
      const queue = this.pending.get(key);
      const entry = { item, done: (err?: unknown) => (err === undefined ? resolve() : reject(err)) };
      this.size++;
      if (queue) queue.push(entry);
      else {
        this.pending.set(key, [entry]);
        if (!this.active.has(key)) this.runnable.push(key);
      }
      this.pump();
    });
  }

  private pump(): void {
    while (!this.closed && this.active.size < this.concurrency && this.runnable.length) {
      const key = this.runnable.shift()!;
      const queue = this.pending.get(key);
      if (!queue?.length) continue;
      const entry = queue.shift()!;
      if (!queue.length) this.pending.delete(key);
      this.active.add(key);
      // Start on a later turn of the event loop: acknowledgements waiting in the poll phase go
      // first, so a backlog of work never delays Slack's 3-second deadline (or our 20 ms target).
      new Promise<void>((r) => setImmediate(r))
        .then(() => this.run(entry.item))
        .then(() => entry.done(), (err) => entry.done(err ?? new Error('failed')))
        .finally(() => {
          this.size--;
          this.active.delete(key);
          if (this.pending.has(key)) this.runnable.push(key);
          this.pump();
          if (this.size === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops what has not started (the reconciler recovers it) and waits for what is running. */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    for (const queue of this.pending.values()) for (const e of queue) e.done(new Error('shutting down'));
    this.size -= [...this.pending.values()].reduce((n, q) => n + q.length, 0);
    this.pending.clear();
    this.runnable.length = 0;
    if (this.size > 0) await Promise.race([this.idle(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }
}

/**
 * Where acknowledged Slack work goes. Embedded mode: an in-process runner. Services mode
 * (REDIS_URL): a Bull queue, so the API process that acknowledged an event need not be the one that
 * works on it; processes with PROCESS_ROLE worker or all consume it (through the same per-thread
 * runner, so one process keeps a thread's events in order). `jobId` = Slack's event_id, so a retry
 * that reaches another API process while the first job is stored is absorbed by Redis too.
 *
 * Enqueueing never blocks the acknowledgement for long: Redis gets 1 s, then the work runs in this
 * process instead (it has the database too).
 */
@Injectable()
export class InboundWorkQueue implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SlackInbound');
  private readonly local: KeyedSerialRunner<() => Promise<void>>;
  private queue?: Queue<InboundEventJob>;
  private handler?: Handler;
  private closing = false;
  private lastWarn = 0;
  /** Work handed to Bull from this process and not yet seen finished (test drains wait for it). */
  private readonly remote = new Set<string>();
  private remoteWaiters: (() => void)[] = [];

  constructor(
    private readonly config: AppConfig,
    private readonly settings: InboundSlackSettings,
  ) {
    this.local = new KeyedSerialRunner(settings.SLACK_INBOUND_CONCURRENCY, (work) => work());
  }

  get mode(): 'bull' | 'in-process' {
    return this.config.queuesEnabled ? 'bull' : 'in-process';
  }

  setHandler(handler: Handler): void {
    this.handler = handler;
  }

  onApplicationBootstrap(): void {
    if (!this.config.queuesEnabled) return;
    this.queue = new Bull<InboundEventJob>(SLACK_INBOUND_QUEUE, this.config.REDIS_URL!, {
      prefix: this.config.QUEUE_PREFIX,
      defaultJobOptions: {
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 1000 },
      },
    });
    this.queue.on('error', (err) => this.warn(`queue error: ${err.message}`));
    if (this.config.PROCESS_ROLE !== 'api') {
      // Completions are followed (for drain()) where work also runs; a pure API process skips the
      // pub/sub traffic: it only acknowledges and queues.
      this.queue.on('global:completed', (jobId: string) => this.remoteDone(jobId));
      this.queue.on('global:failed', (jobId: string) => this.remoteDone(jobId));
      void this.queue
        .process(this.settings.SLACK_INBOUND_CONCURRENCY, (job) => this.runLocally(job.data))
        .catch((err: Error) => !this.closing && this.logger.error(`inbound queue consumer stopped: ${err.message}`));
    }
  }

  /** Hands an event to the workers; resolves as soon as it is queued (never rejects). */
  async enqueue(job: InboundEventJob): Promise<void> {
    if (this.closing) return;
    if (this.queue) {
      try {
        const queue = this.queue;
        if (!['ready', 'connect', 'connecting', 'wait'].includes(queue.client.status)) throw new Error(`Redis is ${queue.client.status}`);
        if (this.config.PROCESS_ROLE !== 'api') this.remote.add(job.eventId);
        await withTimeout(queue.add(job, { jobId: job.eventId }), 1000);
        return;
      } catch (err) {
        this.remoteDone(job.eventId);
        this.warn(`could not queue Slack event ${job.eventId} (${err instanceof Error ? err.message : err}); handling it in process`);
      }
    }
    if (this.local.backlog >= this.settings.SLACK_INBOUND_MAX_BACKLOG) {
      this.warn(`inbound backlog full (${this.local.backlog}); event ${job.eventId} left to the reconciler`);
      return;
    }
    this.runLocally(job).catch((err) => {
      if (!this.closing) this.warn(`Slack event ${job.eventId} failed: ${err instanceof Error ? err.message : err}`);
    });
  }

  /** Runs any work item in this process, in order per key (interactions use it directly). */
  runInProcess(key: string, work: () => Promise<void>): void {
    if (this.closing) return;
    this.local.push(key, work).catch((err) => {
      if (!this.closing) this.logger.warn(`Slack work ${key} failed: ${err instanceof Error ? err.message : err}`);
    });
  }

  /** Like runInProcess, but the caller waits for the outcome (the reconciler, per thread). */
  run(key: string, work: () => Promise<void>): Promise<void> {
    return this.local.push(key, work);
  }

  private runLocally(job: InboundEventJob): Promise<void> {
    return this.local.push(job.key, async () => {
      if (!this.handler) throw new Error('no inbound handler registered');
      await this.handler(job);
    });
  }

  private remoteDone(jobId: string) {
    if (!this.remote.delete(jobId)) return;
    if (this.remote.size === 0) for (const w of this.remoteWaiters.splice(0)) w();
  }

  /** Resolves when the work this process queued or runs is done (tests and the benchmark use it). */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const remote = this.remote.size ? new Promise<void>((r) => this.remoteWaiters.push(r)) : Promise.resolve();
      await Promise.race([Promise.all([remote, this.local.idle()]), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
      if ((this.remote.size === 0 && this.local.backlog === 0) || Date.now() >= deadline) return;
    }
  }

  /** Job counts of the Bull queue (services mode), for health pages and tests. */
  async counts(): Promise<Record<string, number> | null> {
    return this.queue ? ((await withTimeout(this.queue.getJobCounts(), 1000)) as unknown as Record<string, number>) : null;
  }

  get backlog(): number {
    return this.local.backlog + this.remote.size;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.local.close(10_000);
    if (this.queue) await withTimeout(this.queue.close(), 10_000).catch(() => undefined);
  }

  private warn(message: string) {
    const now = Date.now();
    if (now - this.lastWarn < 5000) return;
    this.lastWarn = now;
    this.logger.warn(message);
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
