import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { HEALTH_INDICATORS, HealthIndicatorRegistry } from '../health/health.controller';
import { OUTBOX_NOTIFY_CHANNEL, OutboxService } from '../outbox/outbox.service';
import { BullScheduler } from './bull-scheduler';
import { ChannelRegistry } from './channel-registry';
import { DeliveryRunner } from './delivery-runner';
import { DeliveryScheduler, ScheduledDelivery } from './delivery-scheduler';
import { InProcessScheduler } from './in-process-scheduler';
import { NotificationDispatcher } from './notification-dispatcher';
import { NotificationMetrics } from './notification-metrics';


/**
 * Wires the pipeline to the process role.
 * - `worker` and `all`: dispatch (woken after local commits, by NOTIFY from API processes, and by the
 *   poll), sweep, and run attempts: Bull consumers when REDIS_URL is set, in process otherwise.
 * - `api`: only writes the outbox (the domain services do) and, in services mode, NOTIFYs workers
 *   after each commit so they need not wait for their poll.
 * Shutdown: stop dispatching, then let attempts in flight finish, all before TypeORM closes the pool
 * (it does so in onApplicationShutdown, which runs after every beforeApplicationShutdown).
 */
@Injectable()
export class NotificationPipeline implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Notifications');
  private scheduler?: DeliveryScheduler;
  private poll?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private listener?: Client;
  private notifyQueued = false;
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxService,
    private readonly channels: ChannelRegistry,
    private readonly runner: DeliveryRunner,
    private readonly dispatcher: NotificationDispatcher,
    private readonly metrics: NotificationMetrics,
    private readonly health: HealthIndicatorService,
    @Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicatorRegistry,
  ) {}

  get runsDeliveries(): boolean {
    return this.config.PROCESS_ROLE !== 'api';
  }

  get mode(): 'bull' | 'in-process' {
    return this.config.queuesEnabled ? 'bull' : 'in-process';
  }

  onModuleInit(): void {
    this.metrics.setChannelNames(() => this.channels.names());
    this.indicators.indicators.push(() => this.check());
  }

  async onApplicationBootstrap(): Promise<void> {
    this.channels.discover();
    if (!this.runsDeliveries) {
      // Workers hear of new rows from the NOTIFY that every outbox insert carries to its commit.
      if (this.config.embeddedDatabase) {
        this.logger.warn('PROCESS_ROLE=api with the embedded database: no process will deliver notifications');
      }
      return;
    }
    this.scheduler = this.config.queuesEnabled
      ? new BullScheduler(this.config, this.runner)
      : new InProcessScheduler(this.runner, this.config.NOTIFY_CONCURRENCY);
    this.scheduler.start();
    this.dispatcher.start(this.scheduler);
    this.unsubscribe = this.outbox.onCommitted(() => this.dispatcher.wake());
    if (this.config.PROCESS_ROLE === 'worker' && !this.config.embeddedDatabase) await this.listen();
    this.poll = setInterval(() => {
      this.dispatcher.wake();
      void this.dispatcher.sweep();
      if (this.config.PROCESS_ROLE === 'worker' && !this.config.embeddedDatabase && !this.listener) void this.listen();
    }, this.config.NOTIFY_POLL_INTERVAL_MS);
    this.poll.unref();
    this.dispatcher.wake();
    void this.dispatcher.sweep();
    this.logger.log(`notification pipeline running (${this.mode}, role ${this.config.PROCESS_ROLE})`);
  }

  /** Schedules a delivery now if this process runs deliveries; otherwise wakes the workers. */
  async kick(delivery: ScheduledDelivery): Promise<void> {
    if (this.scheduler) await this.scheduler.schedule(delivery, 0);
    else this.notifyWorkers();
  }

  private notifyWorkers(): void {
    if (this.notifyQueued || this.stopping) return;
    this.notifyQueued = true;
    setImmediate(() => {
      this.notifyQueued = false;
      if (this.stopping) return;
      this.db.query(`SELECT pg_notify($1, '')`, [OUTBOX_NOTIFY_CHANNEL]).catch(() => undefined);
    });
  }

  /** Workers LISTEN on a connection of their own (never one of the pool's). */
  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.DATABASE_URL });
    this.listener = client;
    client.on('notification', () => {
      this.dispatcher.wake();
      void this.dispatcher.sweep();
    });
    client.on('error', (err) => {
      if (!this.stopping) this.logger.warn(`outbox listener lost (${err.message}); polling until it is back`);
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
    } catch (err) {
      if (this.listener === client) this.listener = undefined;
      await client.end().catch(() => undefined);
      this.logger.warn(`cannot LISTEN for outbox wake-ups (${err instanceof Error ? err.message : err}); polling`);
    }
  }

  async check() {
    const session = this.health.check('notifications');
    try {
      const counts = await this.metrics.counts();
      const byName = new Map(counts.map((c) => [c.channel, c]));
      const channels: Record<string, { queued: number; failed: number; oldestQueuedSeconds: number | null }> = {};
      for (const name of new Set([...this.channels.names(), ...byName.keys()])) {
        const c = byName.get(name);
        channels[name] = { queued: c?.open ?? 0, failed: c?.failed ?? 0, oldestQueuedSeconds: c?.oldestOpenSeconds ?? null };
      }
      return session.up({ mode: this.mode, role: this.config.PROCESS_ROLE, channels });
    } catch (err) {
      return session.down({ message: err instanceof Error ? err.message : String(err) });
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.poll) clearInterval(this.poll);
    this.unsubscribe?.();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.dispatcher.stop();
    await this.scheduler?.close();
  }
}
