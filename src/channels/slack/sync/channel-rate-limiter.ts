/**
 * Slack allows about one message per second per channel (chat.postMessage, chat.update). This
 * limiter paces our calls per (workspace, channel) key so that we stay inside that limit instead of
 * running into 429s:
 *
 * - Strict spacing (GCRA without burst): grants are at least `intervalMs = 1000 / rate + guardMs`
 *   apart, so any sliding one-second window sees at most `rate` calls. The small guard absorbs
 *   network jitter between our clock and Slack's; without it a backlog released exactly at the
 *   window edge would trip the limit now and then.
 * - Priority: waiters are granted in (priority, arrival) order, so a critical ticket's message goes
 *   ahead of routine updates when Slack makes us wait. Lower number = more urgent.
 * - `pause(key, ms)` after a 429 holds every waiter of that channel until Retry-After has passed,
 *   and widens that channel's spacing a little (+10 ms, at most +100 ms), decaying again with each
 *   grant: the guard adapts to the jitter actually seen between us and Slack, instead of paying a
 *   large fixed margin on every call (which would fall behind a channel busy at exactly the limit).
 * - `acquire` refuses (returns the expected wait) instead of queueing when the wait would exceed
 *   `maxWaitMs`; the caller then hands the delivery back to the pipeline with that retry-after, so a
 *   long backlog does not hold a delivery slot (or run past its lease).
 *
 * In process: with several worker processes each paces its own calls (see ADR 0005).
 */
export interface RateLimiterClock {
  now(): number;
}

interface Waiter {
  priority: number;
  seq: number;
  resolve: (granted: boolean) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface KeyState {
  /** Earliest time the next call may be granted. */
  nextAt: number;
  /** Extra spacing learnt from 429s on this key (ms). */
  extraMs: number;
  waiters: Waiter[];
  timer?: NodeJS.Timeout;
}

const EXTRA_STEP_MS = 10;
const MAX_EXTRA_MS = 100;
/** 10 ms learnt from one 429 fade over ~200 grants. */
const EXTRA_DECAY_MS = 0.05;

export type AcquireResult = { granted: true; waitedMs: number } | { granted: false; retryAfterMs: number };

export class ChannelRateLimiter {
  readonly intervalMs: number;
  private readonly keys = new Map<string, KeyState>();
  private seq = 0;
  private closed = false;

  constructor(
    ratePerSec: number,
    private readonly opts: { guardMs?: number; clock?: RateLimiterClock } = {},
  ) {
    this.intervalMs = 1000 / ratePerSec + (opts.guardMs ?? 1);
  }

  private now(): number {
    return this.opts.clock?.now() ?? Date.now();
  }

  private state(key: string): KeyState {
    let s = this.keys.get(key);
    if (!s) {
      s = { nextAt: 0, extraMs: 0, waiters: [] };
      this.keys.set(key, s);
    }
    return s;
  }

  /** Expected wait for a new caller of this priority (ms). */
  estimateWaitMs(key: string, priority: number): number {
    const s = this.keys.get(key);
    if (!s) return 0;
    const ahead = s.waiters.filter((w) => w.priority <= priority).length;
    return Math.max(0, s.nextAt - this.now()) + ahead * (this.intervalMs + s.extraMs);
  }

  /**
   * Waits for this key's next slot. Resolves `granted: false` with the expected wait when that is
   * longer than `maxWaitMs`, or when `signal` aborts (retryAfterMs 0 then).
   */
  async acquire(key: string, priority: number, opts: { maxWaitMs?: number; signal?: AbortSignal } = {}): Promise<AcquireResult> {
    if (this.closed || opts.signal?.aborted) return { granted: false, retryAfterMs: 0 };
    const s = this.state(key);
    const expected = this.estimateWaitMs(key, priority);
    if (opts.maxWaitMs !== undefined && expected > opts.maxWaitMs) return { granted: false, retryAfterMs: Math.ceil(expected) };
    const started = this.now();
    if (!s.waiters.length && s.nextAt <= started) {
      this.grant(s, started);
      return { granted: true, waitedMs: 0 };
    }
    const granted = await new Promise<boolean>((resolve) => {
      const waiter: Waiter = { priority, seq: this.seq++, resolve, signal: opts.signal };
      if (opts.signal) {
        waiter.onAbort = () => {
          const i = s.waiters.indexOf(waiter);
          if (i >= 0) s.waiters.splice(i, 1);
          resolve(false);
        };
        opts.signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      // Sorted insert: by priority, then arrival.
      let i = s.waiters.length;
      while (i > 0 && (s.waiters[i - 1].priority > priority || (s.waiters[i - 1].priority === priority && s.waiters[i - 1].seq > waiter.seq))) i--;
      s.waiters.splice(i, 0, waiter);
      this.pump(key, s);
    });
    return granted ? { granted: true, waitedMs: this.now() - started } : { granted: false, retryAfterMs: 0 };
  }

  /** Slack answered 429 for this key: nobody calls before `retryAfterMs` has passed. */
  pause(key: string, retryAfterMs: number): void {
    const s = this.state(key);
    s.nextAt = Math.max(s.nextAt, this.now() + retryAfterMs);
    s.extraMs = Math.min(MAX_EXTRA_MS, s.extraMs + EXTRA_STEP_MS);
    if (s.waiters.length) this.pump(key, s);
  }

  /** Number of callers waiting on a key (for tests and status). */
  waiting(key: string): number {
    return this.keys.get(key)?.waiters.length ?? 0;
  }

  private pump(key: string, s: KeyState): void {
    if (s.timer) {
      clearTimeout(s.timer);
      s.timer = undefined;
    }
    while (s.waiters.length) {
      const now = this.now();
      if (s.nextAt > now) {
        s.timer = setTimeout(() => {
          s.timer = undefined;
          this.pump(key, s);
        }, Math.ceil(s.nextAt - now));
        return;
      }
      const w = s.waiters.shift()!;
      if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      this.grant(s, now);
      w.resolve(true);
    }
    // Idle keys whose slot has passed (and that learnt nothing) carry no state worth keeping.
    if (s.nextAt <= this.now() && s.extraMs === 0) this.keys.delete(key);
  }

  private grant(s: KeyState, now: number): void {
    s.nextAt = now + this.intervalMs + s.extraMs;
    if (s.extraMs > 0) s.extraMs = Math.max(0, s.extraMs - EXTRA_DECAY_MS);
  }

  /** Current spacing of a key (ms), guard included. */
  spacingMs(key: string): number {
    return this.intervalMs + (this.keys.get(key)?.extraMs ?? 0);
  }

  /** Releases every waiter (granted: false) and stops the timers. */
  close(): void {
    this.closed = true;
    for (const s of this.keys.values()) {
      if (s.timer) clearTimeout(s.timer);
      for (const w of s.waiters.splice(0)) {
        if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
        w.resolve(false);
      }
    }
    this.keys.clear();
  }
}
