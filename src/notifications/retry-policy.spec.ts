import { canRetry, retryDelayMs } from './retry-policy';

const policy = { maxAttempts: 5, baseMs: 100, maxMs: 1000 };

describe('retryDelayMs', () => {
  it('waits between half and all of an exponentially growing step', () => {
    expect(retryDelayMs(policy, 1, undefined, () => 0)).toBe(50);
    expect(retryDelayMs(policy, 1, undefined, () => 1)).toBe(100);
    expect(retryDelayMs(policy, 2, undefined, () => 0)).toBe(100);
    expect(retryDelayMs(policy, 3, undefined, () => 0.5)).toBe(300);
  });

  it('never exceeds the cap', () => {
    expect(retryDelayMs(policy, 30, undefined, () => 1)).toBe(1000);
    expect(retryDelayMs(policy, 1000, undefined, () => 1)).toBe(1000);
  });

  it('honours a longer retry-after, capped', () => {
    expect(retryDelayMs(policy, 1, 700, () => 0)).toBe(700);
    expect(retryDelayMs(policy, 1, 60_000, () => 0)).toBe(1000);
    expect(retryDelayMs(policy, 3, 10, () => 0)).toBe(200);
  });

  it('ignores nonsense retry-after values', () => {
    expect(retryDelayMs(policy, 1, Number.NaN, () => 0)).toBe(50);
    expect(retryDelayMs(policy, 1, -5, () => 0)).toBe(50);
  });
});

describe('canRetry', () => {
  it('allows attempts up to the maximum', () => {
    expect(canRetry(policy, 4)).toBe(true);
    expect(canRetry(policy, 5)).toBe(false);
  });
});
