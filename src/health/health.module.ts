import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HEALTH_INDICATORS, HealthController, HealthIndicatorRegistry } from './health.controller';

/** Global so any module can push an indicator into the registry at init. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [{ provide: HEALTH_INDICATORS, useValue: { indicators: [] } satisfies HealthIndicatorRegistry }],
  exports: [HEALTH_INDICATORS],
})
export class HealthModule {}
