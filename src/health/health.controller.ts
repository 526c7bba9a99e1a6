import { Controller, Get, Inject, Optional, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../identity/principal';

/** Extra readiness checks contributed by other modules (Redis, notification channels, ...). */
export const HEALTH_INDICATORS = 'threadline:health-indicators';
export interface HealthIndicatorRegistry {
  indicators: HealthIndicatorFunction[];
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    @Optional() @Inject(HEALTH_INDICATORS) private readonly extra?: HealthIndicatorRegistry,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: database (and Redis and channels when configured)' })
  async check(@Res({ passthrough: true }) res: FastifyReply) {
    try {
      return await this.health.check([() => this.db.pingCheck('database', { timeout: 3000 }), ...(this.extra?.indicators ?? [])]);
    } catch (err) {
      // 503 with terminus' own body (status, info, error, details), not the generic error format.
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503);
      return err.getResponse();
    }
  }
}
