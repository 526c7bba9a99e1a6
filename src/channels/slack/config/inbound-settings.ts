import { plainToInstance, Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, validateSync } from 'class-validator';
import { ConfigError } from '../../../config/app-config';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/**
 * Settings of the inbound side of the Slack channel (events, interactions, commands, reconciler),
 * read from the same environment as SlackSettings. All optional; defaults suit production.
 */
export class InboundSlackSettings {
  /** Milliseconds between reconciler runs over threads active in the last day; 0 turns the periodic run off. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(86_400_000)
  SLACK_RECONCILE_INTERVAL_MS: number = 300_000;

  /** Delay after start before the first (full) reconciler run; -1 skips the run on start. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(-1) @Max(3_600_000)
  SLACK_RECONCILE_START_DELAY_MS: number = 5_000;

  /** Hours a thread stays "recently active" for the periodic reconciler run. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(24 * 30)
  SLACK_RECONCILE_ACTIVE_HOURS: number = 24;

  /** Inbound work items processed at once per process (each thread is still processed in order). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(64)
  SLACK_INBOUND_CONCURRENCY: number = 4;

  /**
   * How long a slash command or modal submission may work before the request is answered anyway
   * (the result then goes to response_url / a DM). Slack gives up after 3 seconds.
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(2_500)
  SLACK_ACK_DEADLINE_MS: number = 2_000;

  /** Most work items waiting in process (embedded mode); beyond it events are dropped and left to the reconciler. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(1_000_000)
  SLACK_INBOUND_MAX_BACKLOG: number = 100_000;

  static from(env: Readonly<Record<string, string | undefined>>): InboundSlackSettings {
    const known = new Set(Object.keys(new InboundSlackSettings()));
    const picked: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) if (known.has(k) && v !== undefined) picked[k] = v;
    const settings = plainToInstance(InboundSlackSettings, picked, { exposeDefaultValues: true });
    const errors = validateSync(settings, { forbidUnknownValues: false });
    if (errors.length) {
      throw new ConfigError(`Invalid Slack configuration:\n${errors.map((e) => `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`).join('\n')}`);
    }
    return settings;
  }
}
