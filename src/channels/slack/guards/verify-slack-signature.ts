import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verification of Slack request signatures
 * (https://docs.slack.dev/authentication/verifying-requests-from-slack), modelled on
 * slackapi/bolt-js `src/receivers/verify-request.ts`, but pure: no request object, an
 * injected clock and a result value instead of exceptions.
 */

/** Slack's recommended replay window; we enforce it in both directions to reject clock-skewed "future" requests too. */
export const MAX_REQUEST_AGE_SECONDS = 300;

const SIGNATURE_VERSION = 'v0';
const SIGNATURE_PATTERN = /^v0=[0-9a-f]{64}$/;

export type SlackSignatureFailure =
  | 'missing_signature'
  | 'missing_timestamp'
  | 'malformed_signature'
  | 'malformed_timestamp'
  | 'stale_timestamp'
  | 'signature_mismatch';

export type SlackSignatureResult = { ok: true } | { ok: false; reason: SlackSignatureFailure };

export interface VerifySlackSignatureInput {
  signingSecret: string;
  /** `X-Slack-Signature` header. */
  signature: string | undefined | null;
  /** `X-Slack-Request-Timestamp` header (unix seconds). */
  timestamp: string | undefined | null;
  /** The body exactly as received; re-serialised JSON or parsed forms will not match. */
  rawBody: string | Buffer;
  nowMs: number;
}

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{rawBody}`. */
export function signSlackRequest(signingSecret: string, timestamp: string | number, rawBody: string | Buffer): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`${SIGNATURE_VERSION}:${timestamp}:`);
  hmac.update(rawBody);
  return `${SIGNATURE_VERSION}=${hmac.digest('hex')}`;
}

/** Constant-time string comparison; `timingSafeEqual` throws on unequal lengths, so check that first. */
function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

const fail = (reason: SlackSignatureFailure): SlackSignatureResult => ({ ok: false, reason });

export function verifySlackSignature(input: VerifySlackSignatureInput): SlackSignatureResult {
  const { signature, timestamp } = input;
  if (!signature) return fail('missing_signature');
  if (!timestamp) return fail('missing_timestamp');
  // Strict digits only: Number('1e3'), Number(' 12 ') and Number('0x10') would all parse.
  if (!/^\d{1,12}$/.test(timestamp)) return fail('malformed_timestamp');
  if (!SIGNATURE_PATTERN.test(signature)) return fail('malformed_signature');

  const nowSec = Math.floor(input.nowMs / 1000);
  if (Math.abs(nowSec - Number(timestamp)) > MAX_REQUEST_AGE_SECONDS) return fail('stale_timestamp');

  const expected = signSlackRequest(input.signingSecret, timestamp, input.rawBody);
  return safeEqual(signature, expected) ? { ok: true } : fail('signature_mismatch');
}
