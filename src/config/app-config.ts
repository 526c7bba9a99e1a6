import { plainToInstance, Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

export const PROCESS_ROLES = ['api', 'worker', 'all'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/**
 * Every setting the service reads, validated once at start-up. A bad value stops the process with a
 * message naming the variable. Built from `process.env` in main.ts; tests build it from an object, so
 * no test mutates the environment of another.
 */
export class AppConfig {
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT: number = 3000;

  @IsOptional() @IsString()
  HOST: string = '0.0.0.0';

  /** PostgreSQL connection string; when absent an embedded PGlite database is used. */
  @IsOptional() @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  /** Where embedded PGlite keeps its files; `memory://` keeps everything in memory. */
  @IsOptional() @IsString() @MinLength(1)
  DATA_DIR: string = './data';

  /** Redis for Bull queues (services mode); when absent notifications are delivered in process. */
  @IsOptional() @Transform(emptyToUndefined)
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsOptional() @IsIn(PROCESS_ROLES)
  PROCESS_ROLE: ProcessRole = 'all';

  /** A secret accepted as an admin API token from the first start. */
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(16, { message: 'ADMIN_API_TOKEN must be at least 16 characters' })
  ADMIN_API_TOKEN?: string;

  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** Public base URL of this service, used in links posted to other tools. */
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true })
  APP_BASE_URL: string = 'http://localhost:3000';

  /** Largest accepted request body; larger ones get 413. */
  @IsOptional() @IsString() @Matches(/^\d+(b|kb|mb)$/i)
  BODY_LIMIT: string = '512kb';

  /** Seconds an authenticated API token stays cached in process (revocation elsewhere takes effect within this). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(3600)
  AUTH_CACHE_SECONDS: number = 10;

  /** Connections per process to an external PostgreSQL (embedded PGlite always uses one). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE: number = 10;

  /**
   * Milliseconds between SLA scans, in processes with PROCESS_ROLE worker or all (a Bull repeatable
   * job when REDIS_URL is set, an in-process timer otherwise); 0 turns the scanner off.
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(3_600_000)
  SLA_SCAN_INTERVAL_MS: number = 30000;

  /** Prefix of this deployment's Bull keys in Redis (lets deployments, and test apps, share a Redis). */
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'QUEUE_PREFIX must be 1-64 letters, digits, _ . or -' })
  QUEUE_PREFIX: string = 'threadline';

  /** Attempts per notification delivery before it is dead-lettered (status `failed`). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100)
  NOTIFY_MAX_ATTEMPTS: number = 10;

  /** How often the dispatcher polls the outbox and sweeps for stranded deliveries (commits wake it at once). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(10) @Max(60000)
  NOTIFY_POLL_INTERVAL_MS: number = 1000;

  /** Retry backoff: attempt n waits between half and all of min(max, base * 2^(n-1)), or a channel's retry-after if longer. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(3600000)
  NOTIFY_BACKOFF_BASE_MS: number = 2000;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(86400000)
  NOTIFY_BACKOFF_MAX_MS: number = 600000;

  /** How long one delivery attempt may hold its delivery; a crashed worker's delivery is retried after this. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1000) @Max(600000)
  NOTIFY_LEASE_MS: number = 30000;

  /** Deliveries attempted at once per process. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(256)
  NOTIFY_CONCURRENCY: number = 8;

  /** Comma-separated host names or CIDR ranges that webhooks may target even though they are private or loopback. */
  @IsOptional() @Transform(emptyToUndefined)
  @Matches(/^\s*[\w.:\/\[\]*-]+\s*(,\s*[\w.:\/\[\]*-]+\s*)*$/, { message: 'WEBHOOK_ALLOWED_HOSTS must be comma-separated host names or CIDR ranges' })
  WEBHOOK_ALLOWED_HOSTS?: string;

  /**
   * The raw variables this configuration was built from, for modules that validate their own
   * settings (e.g. the Slack channel's SLACK_*); not enumerable, so never logged with the config.
   */
  readonly env: Readonly<Record<string, string | undefined>>;

  get embeddedDatabase(): boolean {
    return !this.DATABASE_URL;
  }

  get queuesEnabled(): boolean {
    return !!this.REDIS_URL;
  }
}

export class ConfigError extends Error {}

/** Builds and validates the configuration; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const declared = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(AppConfig, '', true, false)
      .map((m) => m.propertyName),
  );
  const picked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && declared.has(key)) picked[key] = value;
  }
  const config = plainToInstance(AppConfig, picked, { exposeDefaultValues: true });
  Object.defineProperty(config, 'env', { value: Object.freeze({ ...env }), enumerable: false });
  const errors = validateSync(config, { whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return config;
}
