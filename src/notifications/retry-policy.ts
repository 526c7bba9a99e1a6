/**
 * When to try a failed delivery again: exponential backoff with "equal jitter". Attempt n (1-based,
 * the attempt that just failed) waits a random time in [step/2, step], step = min(max, base * 2^(n-1)).
 * Unlike full jitter ([0, step]) every retry waits at least half its step, so waits really grow while
 * a herd of retries is still spread out. A channel's retry-after wins when it is longer (capped too).
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export function retryDelayMs(policy: RetryPolicy, failedAttempt: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failedAttempt - 1, 0), 40);
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const jittered = Math.round(step / 2 + random() * (step / 2));
  const honoured = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? Math.min(retryAfterMs, policy.maxMs) : 0;
  return Math.max(jittered, honoured);
}

/** Whether another attempt is allowed after `attemptsMade` attempts. */
export const canRetry = (policy: RetryPolicy, attemptsMade: number) => attemptsMade < policy.maxAttempts;
