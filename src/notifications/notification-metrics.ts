import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../health/metrics.controller';
import { DeliveriesRepository } from './deliveries.repository';

export interface ChannelCounts {
  channel: string;
  open: number;
  failed: number;
  oldestOpenSeconds: number | null;
}

/**
 * Prometheus metrics of the pipeline. Counters count what this process did; the queue-depth and
 * dead-letter gauges read the deliveries table at scrape time, so every process reports the same truth.
 */
@Injectable()
export class NotificationMetrics {
  private readonly deliveries: Counter<'channel' | 'status'>;
  private readonly failures: Counter<'channel'>;
  private readonly latency: Histogram<'channel'>;
  private knownChannels: () => string[] = () => [];
  private cached?: { at: number; value: Promise<ChannelCounts[]> };

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly repo: DeliveriesRepository,
  ) {
    this.deliveries = new Counter({
      name: 'threadline_notification_deliveries_total',
      help: 'Delivery attempts finished by this process, by channel and outcome (delivered, retried, failed = dead-lettered)',
      labelNames: ['channel', 'status'],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'threadline_notification_failures_total',
      help: 'Failed delivery attempts (transient or permanent) made by this process, by channel',
      labelNames: ['channel'],
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'threadline_notification_delivery_latency_seconds',
      help: 'From the event being recorded to its delivery being confirmed, by channel',
      labelNames: ['channel'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
    const counts = () => this.counts();
    const known = () => this.knownChannels();
    new Gauge({
      name: 'threadline_notification_queue_depth',
      help: 'Deliveries waiting or in flight (pending or delivering), by channel',
      labelNames: ['channel'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const name of known()) this.set({ channel: name }, 0);
        for (const c of await counts()) this.set({ channel: c.channel }, c.open);
      },
    });
    new Gauge({
      name: 'threadline_notification_dead_letters',
      help: 'Dead-lettered deliveries (status failed) awaiting an operator, by channel',
      labelNames: ['channel'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const name of known()) this.set({ channel: name }, 0);
        for (const c of await counts()) this.set({ channel: c.channel }, c.failed);
      },
    });
  }

  setChannelNames(names: () => string[]): void {
    this.knownChannels = names;
  }

  /** Per-channel counts, shared by the gauges and /health for half a second. */
  counts(): Promise<ChannelCounts[]> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > 500) {
      const value = this.repo.countsByChannel();
      value.catch(() => (this.cached = undefined));
      this.cached = { at: now, value };
    }
    return this.cached.value;
  }

  delivered(channel: string, latencyMs: number): void {
    this.deliveries.inc({ channel, status: 'delivered' });
    if (Number.isFinite(latencyMs) && latencyMs >= 0) this.latency.observe({ channel }, latencyMs / 1000);
  }

  failedAttempt(channel: string): void {
    this.failures.inc({ channel });
  }

  retried(channel: string): void {
    this.deliveries.inc({ channel, status: 'retried' });
  }

  deadLettered(channel: string): void {
    this.deliveries.inc({ channel, status: 'failed' });
  }
}
