import { ErrorCode } from '@slack/web-api';
import { DeliveryResult, permanentFailure, retryLater } from '../../../notifications/notification-channel';

/** Slack error codes that no retry can fix: dead-letter and show them in the integration status. */
export const PERMANENT_SLACK_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'invalid_blocks',
  'msg_too_long',
  'team_access_not_granted',
  'restricted_action',
  'user_not_found',
  'users_not_found',
  'cant_update_message',
  'message_not_found',
  'cant_delete_message',
]);

/** Errors that mean the installation itself is unusable (disable it, do not retry). */
export const AUTH_SLACK_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'team_access_not_granted']);

export interface ClassifiedSlackError {
  code: string;
  permanent: boolean;
  auth: boolean;
  retryAfterMs?: number;
  message: string;
}

/** Maps whatever @slack/web-api threw to a retry decision. */
export function classifySlackError(err: unknown): ClassifiedSlackError {
  const e = err as { code?: string; data?: { error?: string }; retryAfter?: number; message?: string; statusCode?: number };
  if (e?.code === ErrorCode.RateLimitedError) {
    return { code: 'ratelimited', permanent: false, auth: false, retryAfterMs: (e.retryAfter ?? 1) * 1000, message: `rate limited, retry after ${e.retryAfter ?? 1}s` };
  }
  if (e?.code === ErrorCode.PlatformError) {
    const code = e.data?.error ?? 'unknown_error';
    return { code, permanent: PERMANENT_SLACK_ERRORS.has(code), auth: AUTH_SLACK_ERRORS.has(code), message: `Slack error: ${code}` };
  }
  if (e?.code === ErrorCode.HTTPError) {
    const status = e.statusCode ?? 0;
    return { code: `http_${status}`, permanent: false, auth: false, message: `Slack answered HTTP ${status}` };
  }
  // RequestError (connection refused, timeout) and anything unexpected: transient.
  return { code: 'request_error', permanent: false, auth: false, message: e?.message ?? String(err) };
}

export function slackErrorToDelivery(err: unknown): DeliveryResult {
  const c = classifySlackError(err);
  return c.permanent ? permanentFailure(c.message) : retryLater(c.message, c.retryAfterMs);
}

/** The Slack error code of a failed call, or undefined when it was not a Slack platform error. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = err as { code?: string; data?: { error?: string } };
  return e?.code === ErrorCode.PlatformError ? e.data?.error : undefined;
}
