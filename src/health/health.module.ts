import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { HEALTH_INDICATORS, HealthController, HealthIndicatorRegistry } from './health.controller';
import { METRICS_REGISTRY, MetricsController } from './metrics.controller';
import { RedisHealthIndicator } from './redis.health';

/**
 * Global so any module can push an indicator into the registry, and register metrics, at init.
 * Both are built per application instance (a factory, not a shared literal).
 */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [
    { provide: HEALTH_INDICATORS, useFactory: (): HealthIndicatorRegistry => ({ indicators: [] }) },
    { provide: METRICS_REGISTRY, useFactory: () => new Registry() },
    RedisHealthIndicator,
  ],
  exports: [HEALTH_INDICATORS, METRICS_REGISTRY],
})
export class HealthModule {}
