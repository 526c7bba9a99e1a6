import { FakeSlackServer, RecordedCall } from '../test/support/fake-slack/fake-slack.server';
import { BENCH_ADMIN_TOKEN, fmt, percentile, startProcess } from './support';

const LATENCY_SECONDS = Number(process.env.BENCH_SLACK_LATENCY_SECONDS ?? 15);
const COMMENTS_PER_SECOND = 20;
const LATENCY_TICKETS = 20;
const BURST_TICKETS = Number(process.env.BENCH_SLACK_BURST_TICKETS ?? 500);
const BURST_CHANNELS = 5;

const auth = { Authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'Content-Type': 'application/json' };

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
const isRoot = (c: RecordedCall) => c.method === 'chat.postMessage' && !c.args.thread_ts && c.status === 200;

/**
 * The outbound Slack channel in embedded mode (PGlite, in-process delivery), the service as its own
 * process, a fake Slack Web API enforcing Slack's per-channel limit (1 message per second):
 * 1. API comment -> chat.postMessage arriving at Slack, at 20 comments/s spread over 20 tickets in
 *    20 channels (so each channel runs at Slack's limit);
 * 2. a burst of 500 tickets over 5 channels, against the minimum the limit allows (100 s).
 */
export async function benchSlackOutbound(): Promise<string> {
  const slack = new FakeSlackServer();
  await slack.start();
  const app = await startProcess('dist/src/main.js', {
    DATA_DIR: 'memory://',
    ADMIN_API_TOKEN: BENCH_ADMIN_TOKEN,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: 'bench-signing-secret-0123456789',
    SLACK_API_URL: slack.apiUrl,
    SLACK_CHANNEL_RATE_PER_SEC: '1',
    SLACK_RECONCILE_START_DELAY_MS: '-1',
    SLACK_RECONCILE_INTERVAL_MS: '0',
    SLA_SCAN_INTERVAL_MS: '0',
  });
  try {
    const api = `${app.url}/api/v1`;

    // --- 1. latency ---------------------------------------------------------------------------
    const tickets: { id: string; number: string }[] = [];
    for (let i = 0; i < LATENCY_TICKETS; i++) {
      await post(`${api}/projects`, { key: `LAT${i}`, name: `Latency ${i}` });
      await post(`${api}/integrations/slack/routes`, { channel: `C0LAT${i}`, projectKey: `LAT${i}` });
      tickets.push((await post(`${api}/tickets`, { title: `Latency ${i}`, priority: 'medium', projectKey: `LAT${i}` })) as { id: string; number: string });
    }
    await until('the latency tickets root messages', () => slack.calls('chat.postMessage').filter(isRoot).length >= LATENCY_TICKETS, 30_000);
    // Warm-up: each ticket's first comment also completes its first-response SLA, which updates the
    // card (a second call in that channel). Steady state is what we measure.
    for (const [i, t] of tickets.entries()) await post(`${api}/tickets/${t.id}/comments`, { body: `warm-up ${i}` });
    await until('the warm-up replies', () => slack.calls('chat.postMessage').filter((c) => String(c.args.text).includes('warm-up')).length >= LATENCY_TICKETS, 30_000);
    await new Promise((r) => setTimeout(r, 2500)); // let the card updates pass their channels' slots

    const total = LATENCY_SECONDS * COMMENTS_PER_SECOND;
    const sentAt = new Map<number, number>();
    const start = Date.now() + 100;
    const inflight: Promise<unknown>[] = [];
    for (let k = 0; k < total; k++) {
      await sleepUntil(start + (k * 1000) / COMMENTS_PER_SECOND);
      sentAt.set(k, Date.now());
      inflight.push(post(`${api}/tickets/${tickets[k % LATENCY_TICKETS].id}/comments`, { body: `bench-comment-${k}-end` }));
    }
    await Promise.all(inflight);
    const marker = /bench-comment-(\d+)-end/;
    await until('every benchmark comment in Slack', () => slack.calls('chat.postMessage').filter((c) => c.status === 200 && marker.test(String(c.args.text))).length >= total, 60_000);
    const latencies = slack
      .calls('chat.postMessage')
      .filter((c) => c.status === 200 && marker.test(String(c.args.text)))
      .map((c) => c.at - sentAt.get(Number(marker.exec(String(c.args.text))![1]))!)
      .sort((a, b) => a - b);
    // Closest two calls in one channel during the run (the fake records, it does not enforce here: see below).
    const byChannel = new Map<string, number[]>();
    for (const c of slack.calls().filter((c) => c.at >= start && ['chat.postMessage', 'chat.update'].includes(c.method))) {
      byChannel.set(String(c.args.channel), [...(byChannel.get(String(c.args.channel)) ?? []), c.at]);
    }
    const closest = Math.min(...[...byChannel.values()].flatMap((ats) => ats.slice(1).map((at, i) => at - ats[i])));
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    process.stdout.write(`  comment -> chat.postMessage: p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms (${latencies.length} comments, closest calls in a channel ${closest} ms apart)\n`);

    // --- 2. burst -----------------------------------------------------------------------------
    for (let i = 0; i < BURST_CHANNELS; i++) {
      await post(`${api}/projects`, { key: `BURST${i}`, name: `Burst ${i}` });
      await post(`${api}/integrations/slack/routes`, { channel: `C0BURST${i}`, projectKey: `BURST${i}` });
    }
    slack.enforceRateLimit({ perChannelPerSecond: 1 });
    const burstStart = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < BURST_TICKETS) {
          const i = next++;
          await post(`${api}/tickets`, { title: `Burst ${i}`, priority: 'low', projectKey: `BURST${i % BURST_CHANNELS}` });
        }
      }),
    );
    const created = (Date.now() - burstStart) / 1000;
    const burstRoots = () => slack.calls('chat.postMessage').filter((c) => isRoot(c) && String(c.args.channel).startsWith('C0BURST'));
    await until('the burst', () => burstRoots().length >= BURST_TICKETS, 400_000);
    const roots = burstRoots();
    const burstSeconds = (roots[roots.length - 1].at - burstStart) / 1000;
    const perChannel = BURST_TICKETS / BURST_CHANNELS;
    const minimum = perChannel; // Slack's 1 message/s/channel: 100 messages need ~100 s
    const ratio = burstSeconds / minimum;
    const burstViolations = slack.rateLimitViolations().length;
    const duplicates = roots.length - new Set(roots.map((c) => (c.args.metadata as { event_payload: { ticket_id: string } }).event_payload.ticket_id)).size;
    process.stdout.write(`  burst: ${BURST_TICKETS} tickets in ${fmt(burstSeconds)} s (minimum ${minimum} s, ratio ${fmt(ratio, 3)}), ${burstViolations} 429s, ${duplicates} duplicates\n`);

    const ok = (pass: boolean) => (pass ? '✅' : '❌');
    return [
      '## Slack outbound (embedded mode)',
      '',
      `The service runs as its own process on embedded PGlite with in-process delivery, against a fake Slack Web API over HTTP in the benchmark process. SLACK_CHANNEL_RATE_PER_SEC=1, NOTIFY_CONCURRENCY=8 (defaults). ` +
        `Latency: each channel receives exactly Slack's one message per second, so the fake only records calls (a strict sliding one-second window, stricter than Slack's "1/s with short bursts", would turn every few ms of network jitter into a 429); ` +
        `each ticket's first comment (which also updates the card, as it completes the first-response SLA) is a warm-up outside the measurement. ` +
        `Burst: the fake enforces one call per channel in any sliding second and answers 429 beyond it; the limiter widens a channel's spacing after each 429 it sees.`,
      '',
      '| measure | result | target |',
      '|---|---|---|',
      `| comment → chat.postMessage p50, ${COMMENTS_PER_SECOND} comments/s over ${LATENCY_TICKETS} tickets in ${LATENCY_TICKETS} channels, ${LATENCY_SECONDS} s (${latencies.length} comments) | ${fmt(p50)} ms | < 50 ms ${ok(p50 < 50)} |`,
      `| comment → chat.postMessage p99 (max ${fmt(latencies[latencies.length - 1])} ms) | ${fmt(p99)} ms | < 250 ms ${ok(p99 < 250)} |`,
      `| closest two calls in one channel during the latency run | ${closest} ms | ≈ 1000 ms |`,
      `| burst: ${BURST_TICKETS} tickets over ${BURST_CHANNELS} channels, first request → last root message (created through the API in ${fmt(created)} s) | ${fmt(burstSeconds)} s | ≤ ${fmt(minimum * 1.1)} s (minimum ${minimum} s + 10%) ${ok(ratio <= 1.1)} |`,
      `| burst: 429s answered (each waited out, none dropped) / duplicate root messages / missing | ${burstViolations} / ${duplicates} / ${BURST_TICKETS - (roots.length - duplicates)} | few / 0 / 0 ${ok(duplicates === 0 && roots.length - duplicates === BURST_TICKETS)} |`,
    ].join('\n');
  } finally {
    await app.stop();
    await slack.stop();
  }
}
