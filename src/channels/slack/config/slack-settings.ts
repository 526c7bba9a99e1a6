import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength, validateSync } from 'class-validator';
import { ConfigError } from '../../../config/app-config';

const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);
const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/**
 * The Slack channel's own settings, validated when the module starts. Without SLACK_BOT_TOKEN and
 * without OAuth client credentials the module stays off (and /health says so).
 */
export class SlackSettings {
  /** Bot token of a single workspace (xoxb-...). */
  @IsOptional() @Transform(emptyToUndefined) @IsString() @Matches(/^xox[a-z]-/, { message: 'SLACK_BOT_TOKEN must be a Slack token (xoxb-...)' })
  SLACK_BOT_TOKEN?: string;

  /** Verifies that inbound requests come from Slack. */
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(8)
  SLACK_SIGNING_SECRET?: string;

  /** Channel id (C123...) or name (#support) that receives tickets no route claims. */
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MaxLength(80)
  SLACK_DEFAULT_CHANNEL?: string;

  /** Base URL of the Slack Web API; tests and local emulators point it at a fake server. */
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true })
  SLACK_API_URL: string = 'https://slack.com/api/';

  /** OAuth v2 app credentials, for installing into many workspaces. */
  @IsOptional() @Transform(emptyToUndefined) @IsString()
  SLACK_CLIENT_ID?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  SLACK_CLIENT_SECRET?: string;

  /** Where /slack/oauth/install sends the browser. */
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true })
  SLACK_OAUTH_AUTHORIZE_URL: string = 'https://slack.com/oauth/v2/authorize';

  @IsOptional() @IsString()
  SLACK_BOT_SCOPES: string =
    'chat:write,chat:write.public,channels:history,groups:history,channels:join,commands,reactions:read,users:read,users:read.email,im:write,app_mentions:read';

  /** Encrypts stored bot tokens (AES-256-GCM); required for OAuth installs. */
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(16, { message: 'ENCRYPTION_KEY must be at least 16 characters' })
  ENCRYPTION_KEY?: string;

  /** Name of the slash command (without the slash). */
  @IsOptional() @Matches(/^[a-z0-9_-]{1,32}$/)
  SLACK_COMMAND_NAME: string = 'ticket';

  /** Reaction that turns a message into a ticket. */
  @IsOptional() @Matches(/^[a-z0-9_+-]{1,64}$/)
  SLACK_TRIAGE_EMOJI: string = 'ticket';

  /** Milliseconds a Slack Web API call may take before it is retried. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(60000)
  SLACK_TIMEOUT_MS: number = 10000;

  /** Sustained messages per second per channel (Slack allows about one). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(50)
  SLACK_CHANNEL_RATE_PER_SEC: number = 1;

  @IsOptional() @IsIn(['true', 'false'])
  SLACK_ENABLED: string = 'true';

  get enabled(): boolean {
    return this.SLACK_ENABLED === 'true' && !!(this.SLACK_BOT_TOKEN || (this.SLACK_CLIENT_ID && this.SLACK_CLIENT_SECRET));
  }

  get oauthEnabled(): boolean {
    return !!(this.SLACK_CLIENT_ID && this.SLACK_CLIENT_SECRET && this.ENCRYPTION_KEY);
  }

  static from(env: Readonly<Record<string, string | undefined>>): SlackSettings {
    const picked: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) if ((k.startsWith('SLACK_') || k === 'ENCRYPTION_KEY') && v !== undefined) picked[k] = v;
    const settings = plainToInstance(SlackSettings, picked, { exposeDefaultValues: true });
    const errors = validateSync(settings, { forbidUnknownValues: false });
    if (errors.length) {
      throw new ConfigError(`Invalid Slack configuration:\n${errors.map((e) => `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`).join('\n')}`);
    }
    if (settings.SLACK_CLIENT_ID && settings.SLACK_CLIENT_SECRET && !settings.ENCRYPTION_KEY) {
      throw new ConfigError('Invalid Slack configuration:\n  ENCRYPTION_KEY: required when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set (bot tokens are encrypted at rest)');
    }
    if (!settings.SLACK_API_URL.endsWith('/')) settings.SLACK_API_URL += '/';
    return settings;
  }
}
