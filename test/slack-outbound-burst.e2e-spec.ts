import { FakeSlackServer } from './support/fake-slack/fake-slack.server';
import { db, eventually, outboundEnv, outboundReady } from './support/slack-outbound';
import { startTestApp, TestApp } from './support/test-app';

/**
 * A burst of 500 tickets over 5 channels, with Slack's per-channel limit enforced by the fake at the
 * rate the app is configured for (50/s here, so the suite stays short; the benchmark runs Slack's
 * real 1/s): every ticket gets exactly one root message, nothing exceeds the limit, and every
 * thread is in order.
 */
describe('Slack outbound: a 500-ticket burst', () => {
  const RATE = 50;
  const TICKETS = 500;
  const CHANNELS = ['C0B1', 'C0B2', 'C0B3', 'C0B4', 'C0B5'];
  const slack = new FakeSlackServer();
  let t: TestApp;

  beforeAll(async () => {
    await slack.start();
    t = await startTestApp(outboundEnv(slack, { SLACK_CHANNEL_RATE_PER_SEC: String(RATE), SLACK_DEFAULT_CHANNEL: '', NOTIFY_CONCURRENCY: '16' }));
    await outboundReady(t);
    for (const [i, channel] of CHANNELS.entries()) {
      await t.http().post('/api/v1/projects').set('Authorization', t.admin).send({ key: `BURST${i}`, name: `Burst ${i}` }).expect(201);
      await t.http().post('/api/v1/integrations/slack/routes').set('Authorization', t.admin).send({ channel, projectKey: `BURST${i}` }).expect(201);
    }
  });
  afterAll(async () => {
    await t?.close();
    await slack.stop();
  });

  it('delivers every ticket once, within the limit, each thread in order', async () => {
    slack.enforceRateLimit({ perChannelPerSecond: RATE });
    const started = Date.now();
    const tickets: { id: string; number: string; channel: string }[] = [];
    // Ten clients creating tickets as fast as the API takes them.
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < TICKETS) {
          const i = next++;
          const res = await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: `Burst ${i}`, priority: i % 7 === 0 ? 'critical' : 'low', projectKey: `BURST${i % 5}` }).expect(201);
          tickets.push({ id: res.body.id, number: res.body.number, channel: CHANNELS[i % 5] });
        }
      }),
    );
    // Two comments on every tenth ticket, right behind its creation: they must land after the root, in order.
    const commented = tickets.filter((_, i) => i % 10 === 0);
    for (const tk of commented) {
      await t.http().post(`/api/v1/tickets/${tk.id}/comments`).set('Authorization', t.admin).send({ body: `first on ${tk.number}` }).expect(201);
      await t.http().post(`/api/v1/tickets/${tk.id}/comments`).set('Authorization', t.admin).send({ body: `second on ${tk.number}` }).expect(201);
    }
    const rootsOf = (channel: string) => slack.messages(channel).filter((m) => !m.thread_ts);
    await eventually(
      'all root messages and replies',
      () => CHANNELS.reduce((n, c) => n + slack.messages(c).length, 0) >= TICKETS + 2 * commented.length,
      45_000,
    );
    const elapsed = (Date.now() - started) / 1000;

    expect(slack.rateLimitViolations()).toEqual([]);
    for (const channel of CHANNELS) expect(rootsOf(channel)).toHaveLength(TICKETS / CHANNELS.length);
    // One root per ticket, in its routed channel.
    const byTicket = new Map<string, { channel: string; ts: string }[]>();
    for (const channel of CHANNELS) {
      for (const m of rootsOf(channel)) {
        const id = (m.metadata as { event_payload: { ticket_id: string } }).event_payload.ticket_id;
        byTicket.set(id, [...(byTicket.get(id) ?? []), { channel, ts: m.ts }]);
      }
    }
    for (const tk of tickets) expect(byTicket.get(tk.id)).toEqual([{ channel: tk.channel, ts: expect.any(String) }]);
    // Threads in order: root, first, second.
    for (const tk of commented) {
      const [root] = byTicket.get(tk.id)!;
      const thread = slack.thread(tk.channel, root.ts).map((m) => m.text ?? '');
      expect(thread).toEqual([expect.stringContaining(tk.number), expect.stringContaining(`first on ${tk.number}`), expect.stringContaining(`second on ${tk.number}`)]);
    }
    // Every delivery finishes as delivered (the last ones may still be recording their outcome).
    await eventually('every delivery recorded', async () => {
      const rows = await db(t).query(`SELECT status, count(*)::int AS n FROM notification_deliveries WHERE channel = 'slack' GROUP BY status`);
      return rows.length === 1 && rows[0].status === 'delivered' && rows[0].n === TICKETS + 2 * commented.length;
    });
    // Per channel, 100 roots + 20 replies at 50/s need at least 2.4 s.
    expect(elapsed).toBeGreaterThanOrEqual((TICKETS + 2 * commented.length) / CHANNELS.length / RATE - 0.1);
  });
});
