import { ChannelRateLimiter } from './channel-rate-limiter';

describe('ChannelRateLimiter', () => {
  let limiter: ChannelRateLimiter;
  afterEach(() => limiter?.close());

  it('spaces grants per key at least 1000/rate ms apart, keys independent', async () => {
    limiter = new ChannelRateLimiter(20, { guardMs: 1 }); // 51 ms
    const at: Record<string, number[]> = { a: [], b: [] };
    const start = Date.now();
    await Promise.all([
      ...[0, 1, 2, 3].map(async () => (await limiter.acquire('a', 3)).granted && at.a.push(Date.now() - start)),
      ...[0, 1].map(async () => (await limiter.acquire('b', 3)).granted && at.b.push(Date.now() - start)),
    ]);
    expect(at.a).toHaveLength(4);
    // The n-th grant comes no sooner than n intervals after the first one (which is immediate).
    for (let i = 1; i < at.a.length; i++) expect(at.a[i]).toBeGreaterThanOrEqual(i * 51 - 2);
    for (let i = 2; i < at.a.length; i++) expect(at.a[i] - at.a[i - 1]).toBeGreaterThanOrEqual(48);
    expect(at.b[0]).toBeLessThan(20); // b does not wait for a
  });

  it('grants the most urgent waiter first, then in arrival order', async () => {
    limiter = new ChannelRateLimiter(50);
    const order: string[] = [];
    await limiter.acquire('k', 3); // takes the slot: everyone below waits
    const waits = [
      limiter.acquire('k', 3).then(() => order.push('low-1')),
      limiter.acquire('k', 2).then(() => order.push('medium')),
      limiter.acquire('k', 3).then(() => order.push('low-2')),
      limiter.acquire('k', 0).then(() => order.push('critical')),
    ];
    await Promise.all(waits);
    expect(order).toEqual(['critical', 'medium', 'low-1', 'low-2']);
  });

  it('holds a paused key for the Retry-After, and refuses waits longer than maxWaitMs', async () => {
    limiter = new ChannelRateLimiter(50);
    limiter.pause('k', 300);
    const refused = await limiter.acquire('k', 0, { maxWaitMs: 100 });
    expect(refused.granted).toBe(false);
    expect(!refused.granted && refused.retryAfterMs).toBeGreaterThanOrEqual(250);
    const started = Date.now();
    const granted = await limiter.acquire('k', 0, { maxWaitMs: 1000 });
    expect(granted.granted).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('lets an aborted waiter go without granting it', async () => {
    limiter = new ChannelRateLimiter(1);
    await limiter.acquire('k', 3);
    const abort = new AbortController();
    const waiting = limiter.acquire('k', 3, { signal: abort.signal });
    abort.abort();
    expect((await waiting).granted).toBe(false);
    expect(limiter.waiting('k')).toBe(0);
  });
});

describe('ChannelRateLimiter: learnt guard', () => {
  it('widens a key’s spacing after a 429 and lets it fade with each grant', () => {
    const limiter = new ChannelRateLimiter(1, { guardMs: 1 });
    expect(limiter.spacingMs('k')).toBe(1001);
    limiter.pause('k', 0);
    expect(limiter.spacingMs('k')).toBe(1011);
    limiter.pause('k', 0);
    expect(limiter.spacingMs('k')).toBe(1021);
    limiter.close();
  });
});
