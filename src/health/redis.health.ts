import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { HEALTH_INDICATORS, HealthIndicatorRegistry } from './health.controller';

/**
 * `redis` in /health when REDIS_URL is set: a PING on a connection of its own that never queues
 * commands while disconnected, so a Redis outage reports `down` within a second instead of hanging.
 */
@Injectable()
export class RedisHealthIndicator implements OnModuleInit, OnApplicationShutdown {
  private client?: Redis;

  constructor(
    private readonly config: AppConfig,
    private readonly health: HealthIndicatorService,
    @Inject(HEALTH_INDICATORS) private readonly registry: HealthIndicatorRegistry,
  ) {}

  onModuleInit(): void {
    if (!this.config.REDIS_URL) return;
    this.client = new Redis(this.config.REDIS_URL, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      retryStrategy: () => 1000,
      connectionName: 'threadline-health',
    });
    this.client.on('error', () => undefined); // reported through the indicator instead
    this.registry.indicators.push(() => this.check());
  }

  async check() {
    const session = this.health.check('redis');
    const client = this.client!;
    const started = Date.now();
    try {
      if (client.status === 'wait') await withTimeout(client.connect(), 1000);
      await withTimeout(client.ping(), 1000);
      return session.up({ latencyMs: Date.now() - started });
    } catch (err) {
      return session.down({ message: err instanceof Error ? err.message : String(err) });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.client?.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
