/** Public types of the fake Slack Web API server. */

export type SlackArgs = Record<string, unknown>;

export interface RecordedCall {
  /** Slack method name, e.g. `chat.postMessage`. */
  method: string;
  /** Bearer token (or legacy `token` argument), if any. */
  token: string | undefined;
  /** Parsed arguments; JSON-valued fields (`blocks`, `view`, …) are already parsed. */
  args: SlackArgs;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** HTTP status and body we answered with (filled in when the response is sent). */
  status?: number;
  response?: SlackArgs;
}

export interface FakeSlackUser {
  id: string;
  name: string;
  real_name?: string;
  email?: string;
  is_bot?: boolean;
  deleted?: boolean;
  tz?: string;
}

export interface FakeSlackChannel {
  id: string;
  name: string;
  is_private?: boolean;
  /** Whether the bot is a member (chat.postMessage answers `not_in_channel` otherwise). */
  is_member?: boolean;
}

export interface FakeSlackOAuthGrant {
  code: string;
  accessToken: string;
  team: { id: string; name: string };
  botUserId?: string;
  appId?: string;
  scope?: string;
  /** When set, `client_id` must match. */
  clientId?: string;
  /** When set, `client_secret` must match. */
  clientSecret?: string;
  authedUserId?: string;
}

export interface FakeSlackOptions {
  /** Bearer tokens accepted by authenticated methods. Default: `['xoxb-test']`. */
  validTokens?: string[];
  users?: FakeSlackUser[];
  /**
   * Known channels. When empty (default) any channel id is accepted and the bot is a member;
   * when given, unknown ids answer `channel_not_found` and non-member ones `not_in_channel`.
   */
  channels?: FakeSlackChannel[];
  team?: { id: string; name: string; domain?: string };
  bot?: { userId: string; botId: string; appId: string };
  oauth?: FakeSlackOAuthGrant[];
  /** First message `ts`, in seconds. Default 1700000000. */
  startTs?: number;
}

/** Injected failures. */
export type FakeSlackFailure =
  /** HTTP 429 with `Retry-After`, as Slack answers rate-limited calls. */
  | { status: 429; retryAfterSec: number }
  /** Any other HTTP status (e.g. 500, 503) with a small body. */
  | { status: number }
  /** Hold the response this long (longer than the client timeout), then process it normally. */
  | { timeoutMs: number }
  /** HTTP 200 with `{ ok: false, error }`. */
  | { error: string };

export type FailNextOptions = FakeSlackFailure & {
  /** Only fail calls whose `channel` argument equals this. */
  channel?: string;
  /** How many matching calls fail. Default 1. */
  times?: number;
};

export interface RateLimitOptions {
  /** Allowed calls per channel in any sliding one-second window. */
  perChannelPerSecond: number;
  /** Methods subject to the limit. Default: chat.postMessage, chat.update, chat.postEphemeral. */
  methods?: string[];
  /** Retry-After seconds to announce. Default 1. */
  retryAfterSec?: number;
}

export interface RateLimitViolation {
  method: string;
  channel: string;
  at: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  edited?: { user: string; ts: string };
  reactions?: { name: string; users: string[]; count: number }[];
  metadata?: unknown;
}

export interface BlockRejection {
  method: string;
  errors: string[];
  at: number;
}
