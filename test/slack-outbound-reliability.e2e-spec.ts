import { SlackChannel } from '../src/channels/slack/sync/slack-outbound.channel';
import { toEvent } from '../src/notifications/deliveries.repository';
import { ManualClock } from '../src/sla/clock';
import { SlaScannerService } from '../src/sla/sla-scanner.service';
import { FakeSlackServer } from './support/fake-slack/fake-slack.server';
import { db, eventually, isRootFor, OUT_TEAM, outboundEnv, outboundReady, rootsFor, settled, slackDeliveries, textOf, threadOf } from './support/slack-outbound';
import { createUser, startTestApp, TestApp } from './support/test-app';

/**
 * Sync guarantees of the outbound Slack channel against a misbehaving fake Slack: rate limits,
 * 5xx, timeouts, permanent errors, concurrent deliveries, coalescing, priorities and the live SLA
 * card. Both run modes.
 */
describe('Slack outbound: sync guarantees', () => {
  const DEFAULT = 'C0DEFAULT';
  const suffix = Math.random().toString(36).slice(2, 8);
  const janeEmail = `jane.${suffix}@example.com`;
  const slack = new FakeSlackServer({ users: [{ id: 'U0JANE', name: 'jane', real_name: 'Jane Agent', email: janeEmail }] });
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  let t: TestApp;
  let jane: { user: { id: string }; auth: string };

  beforeAll(async () => {
    await slack.start();
    t = await startTestApp(outboundEnv(slack, { SLACK_TIMEOUT_MS: '500', SLA_SCAN_INTERVAL_MS: '0', NOTIFY_BACKOFF_BASE_MS: '50' }), { clock });
    await outboundReady(t);
    jane = await createUser(t, 'agent', 'Jane Agent');
    await db(t).query(`UPDATE users SET email = $1 WHERE id = $2`, [janeEmail, jane.user.id]);
  });
  afterAll(async () => {
    await t?.close();
    await slack.stop();
  });

  const api = () => t.http();
  const createTicket = async (body: Record<string, unknown> = {}) =>
    (await api().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: 'Reliability', priority: 'medium', ...body }).expect(201)).body;
  const patch = (id: string, body: Record<string, unknown>) => api().patch(`/api/v1/tickets/${id}`).set('Authorization', t.admin).send(body).expect(200);
  const rootTsOf = (ticketId: string, channel = DEFAULT) => eventually('the root ts', async () => (await threadOf(t, ticketId, channel))?.root_ts);
  const storedRoots = (ticketId: string, channel = DEFAULT) =>
    slack.messages(channel).filter((m) => !m.thread_ts && (m.metadata as { event_payload?: { ticket_id?: string } })?.event_payload?.ticket_id === ticketId);

  it('waits out a 429 for its Retry-After and then delivers: never dropped, posted once', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfterSec: 1, channel: DEFAULT });
    const ticket = await createTicket();
    const [limited, ok] = await Promise.all([slack.waitFor(isRootFor(ticket.id), 5000), slack.waitFor((c) => isRootFor(ticket.id)(c) && c.status !== 429 && c !== undefined, 5000)]);
    await settled(t, ticket.id);
    const calls = slack.calls('chat.postMessage').filter(isRootFor(ticket.id));
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(990);
    expect(limited.status).toBe(429);
    expect(ok).toBeDefined();
    expect(storedRoots(ticket.id)).toHaveLength(1);
    const [created] = await slackDeliveries(t, ticket.id);
    expect(created).toMatchObject({ event_type: 'ticket.created', status: 'delivered', attempts: 2, last_error: expect.stringContaining('rate limited') });
  });

  it('retries 5xx answers, and a timeout after which Slack posted anyway does not duplicate the root message', async () => {
    slack.failNext('chat.postMessage', { status: 503, times: 2, channel: DEFAULT });
    const flaky = await createTicket({ title: 'Slack 503' });
    await rootTsOf(flaky.id);
    await settled(t, flaky.id);
    expect(slack.calls('chat.postMessage').filter(isRootFor(flaky.id)).map((c) => c.status)).toEqual([503, 503, 200]);
    expect(storedRoots(flaky.id)).toHaveLength(1);

    // The client gives up after 500 ms, but Slack applied the post (as a slow Slack may).
    slack.failNext('chat.postMessage', { timeoutMs: 800, channel: DEFAULT });
    const slow = await createTicket({ title: 'Slack slow' });
    const lost = await slack.waitFor(isRootFor(slow.id), 5000);
    const appliedTs = slack.addBotMessage({ channel: DEFAULT, text: String(lost.args.text), blocks: lost.args.blocks, metadata: lost.args.metadata });
    const rootTs = await rootTsOf(slow.id);
    await settled(t, slow.id);
    // The retry waited until the lost call could no longer land, found its message by metadata, and brought it up to date.
    expect(rootTs).toBe(appliedTs);
    expect(storedRoots(slow.id).map((m) => m.ts)).toEqual([appliedTs]);
    expect(slack.calls('chat.postMessage').filter(isRootFor(slow.id))).toHaveLength(1);
    expect(slack.calls('conversations.history').length).toBeGreaterThan(0);
    expect(slack.calls('chat.update').some((c) => c.args.ts === rootTs)).toBe(true);
    const [created] = await slackDeliveries(t, slow.id);
    expect(created.attempts).toBeGreaterThanOrEqual(2);
    expect(created.status).toBe('delivered');
  });

  it('concurrent and repeated deliveries of one event post one root message; a retry updates it', async () => {
    // The first delivery fails for good (channel_not_found), leaving no thread: redeliver by hand.
    slack.failNext('chat.postMessage', { error: 'channel_not_found', channel: DEFAULT });
    const ticket = await createTicket({ title: 'Raced' });
    const [dead] = await settled(t, ticket.id);
    expect(dead).toMatchObject({ status: 'failed', attempts: 1 });
    const rows = await db(t).query(`SELECT * FROM outbox WHERE aggregate_id = $1 AND type = 'ticket.created'`, [ticket.id]);
    const event = toEvent(rows[0]);
    const channel = t.app.get(SlackChannel);
    const ctx = (n: number) => ({ deliveryId: `manual-${n}`, attempt: n, target: `${OUT_TEAM}.${DEFAULT}`, signal: new AbortController().signal });
    const results = await Promise.all([1, 2, 3, 4].map(() => channel.deliver(event, ctx(1))));
    // Whoever claims first posts; the others either find its root (and update it) or are told to retry.
    expect(results.every((r) => r.status === 'delivered' || r.status === 'retry')).toBe(true);
    expect(results.filter((r) => r.status === 'delivered').length).toBeGreaterThanOrEqual(1);
    expect(storedRoots(ticket.id)).toHaveLength(1);
    expect(await channel.deliver(event, ctx(2))).toEqual({ status: 'delivered' });
    await patch(ticket.id, { title: 'Raced, renamed' });
    const rootTs = storedRoots(ticket.id)[0].ts;
    await slack.waitFor((c) => c.method === 'chat.update' && c.args.ts === rootTs && String(c.args.text).includes('Raced, renamed'), 10_000);
    await settled(t, ticket.id);
    expect(storedRoots(ticket.id)).toHaveLength(1);
  });

  it('dead-letters permanent errors at once, shows them in the status, and disables a workspace whose token is dead', async () => {
    slack.failNext('chat.postMessage', { error: 'not_in_channel', channel: DEFAULT });
    const ticket = await createTicket({ title: 'Not invited' });
    const [failed] = await settled(t, ticket.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringContaining('not_in_channel') });
    let status = (await api().get('/api/v1/integrations/slack').set('Authorization', t.admin).expect(200)).body;
    expect(status.installations[0]).toMatchObject({ teamId: OUT_TEAM, active: true, lastError: 'not_in_channel' });
    expect(status.deliveries.failed).toBeGreaterThanOrEqual(1);
    expect(status.deliveries.recentFailures[0]).toMatchObject({ eventType: 'ticket.created', target: `${OUT_TEAM}.${DEFAULT}`, error: expect.stringContaining('not_in_channel') });
    // The operator API can filter on the target.
    const listed = (await api().get(`/api/v1/notifications/deliveries?channel=slack:${OUT_TEAM}.${DEFAULT}&status=failed`).set('Authorization', t.admin).expect(200)).body;
    expect(listed.items.length).toBeGreaterThanOrEqual(1);

    slack.failNext('chat.postMessage', { error: 'invalid_auth', channel: DEFAULT });
    const revoked = await createTicket({ title: 'Token revoked' });
    const [dead] = await settled(t, revoked.id);
    expect(dead).toMatchObject({ status: 'failed', attempts: 1 });
    status = (await api().get('/api/v1/integrations/slack').set('Authorization', t.admin).expect(200)).body;
    expect(status.installations[0]).toMatchObject({ active: false, disabledReason: 'invalid_auth', lastError: 'invalid_auth' });
    // Disabled: later events dead-letter without calling Slack at all (no spinning).
    const before = slack.calls('chat.postMessage').length;
    const later = await createTicket({ title: 'While disabled' });
    const [skipped] = await settled(t, later.id);
    expect(skipped).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringContaining('disabled') });
    expect(slack.calls('chat.postMessage').length).toBe(before);
    await db(t).query(`UPDATE slack_installations SET active = true, disabled_at = NULL, disabled_reason = NULL, last_error = NULL`);
  });

  it('coalesces a burst of changes into a couple of card updates that end in the final state', async () => {
    const ticket = await createTicket({ title: 'Version 0' });
    const rootTs = await rootTsOf(ticket.id);
    await settled(t, ticket.id);
    const before = slack.calls('chat.update').filter((c) => c.args.ts === rootTs).length;
    // Slack makes us wait a second on this channel's first update.
    slack.failNext('chat.update', { status: 429, retryAfterSec: 1, channel: DEFAULT });
    for (let i = 1; i <= 10; i++) await patch(ticket.id, { title: `Version ${i}` });
    await settled(t, ticket.id);
    const updates = slack.calls('chat.update').filter((c) => c.args.ts === rootTs).slice(before);
    const applied = updates.filter((c) => c.status === 200);
    expect(applied.length).toBeGreaterThanOrEqual(1);
    expect(applied.length).toBeLessThanOrEqual(3);
    expect(textOf(applied[applied.length - 1])).toContain('Version 10');
    expect(String(slack.messages(DEFAULT).find((m) => m.ts === rootTs)!.text)).toContain('Version 10');
    // Titles get no thread replies: the thread holds only the root.
    expect(slack.thread(DEFAULT, rootTs)).toHaveLength(1);
  });

  it('puts a critical ticket ahead of routine ones while Slack makes the channel wait', async () => {
    slack.addChannel({ id: DEFAULT, name: 'support' });
    slack.addChannel({ id: 'C0QUEUE', name: 'queue' });
    const route = (await api().post('/api/v1/integrations/slack/routes').set('Authorization', t.admin).send({ channel: 'C0QUEUE' }).expect(201)).body;
    try {
      slack.failNext('chat.postMessage', { status: 429, retryAfterSec: 2, channel: 'C0QUEUE' });
      const first = await createTicket({ title: 'Routine 0', priority: 'low' });
      await eventually('the 429', () => slack.calls('chat.postMessage').some((c) => c.args.channel === 'C0QUEUE' && c.status === 429));
      const routine = [];
      for (let i = 1; i <= 4; i++) routine.push(await createTicket({ title: `Routine ${i}`, priority: 'low' }));
      const critical = await createTicket({ title: 'Everything is down', priority: 'critical' });
      for (const tk of [first, ...routine, critical]) await settled(t, tk.id);
      const order = slack
        .calls('chat.postMessage')
        .filter((c) => c.args.channel === 'C0QUEUE' && c.status === 200 && !c.args.thread_ts)
        .map((c) => String(c.args.text));
      expect(order).toHaveLength(6);
      expect(order[0]).toContain('Everything is down');
    } finally {
      await api().delete(`/api/v1/integrations/slack/routes/${route.id}`).set('Authorization', t.admin).expect(204);
    }
  });

  it('keeps the SLA fields of the card live and alerts the thread on warnings and breaches', async () => {
    const ticket = await createTicket({ title: 'SLA card', priority: 'critical', assigneeId: jane.user.id }); // 15 min to first response
    const rootTs = await rootTsOf(ticket.id);
    const root = await slack.waitFor(isRootFor(ticket.id));
    expect(textOf(root)).toContain('First response due');
    expect(textOf(root)).toContain('Resolution due');
    await settled(t, ticket.id);

    clock.advance({ minutes: 12 });
    await t.app.get(SlaScannerService).scanOnce();
    const warning = await slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === rootTs && String(c.args.text).includes('SLA at risk'), 5000);
    expect(String(warning.args.text)).toContain('<@U0JANE>');
    expect(warning.args.reply_broadcast).not.toBe('true');
    await settled(t, ticket.id);
    const afterWarning = slack.calls('chat.update').filter((c) => c.args.ts === rootTs).pop()!;
    expect(textOf(afterWarning)).toContain(':warning: warning');

    clock.advance({ minutes: 4 });
    await t.app.get(SlaScannerService).scanOnce();
    const breach = await slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === rootTs && String(c.args.text).includes('SLA breached'), 5000);
    expect(String(breach.args.text)).toContain('<@U0JANE>');
    // Breaches are also announced in the channel.
    expect(breach.args.reply_broadcast).toBe('true');
    await settled(t, ticket.id);
    expect(textOf(slack.calls('chat.update').filter((c) => c.args.ts === rootTs).pop()!)).toContain(':rotating_light: breached');

    // Pending pauses the resolution clock: the card says so.
    await patch(ticket.id, { status: 'open' });
    await patch(ticket.id, { status: 'pending' });
    await settled(t, ticket.id);
    expect(textOf(slack.calls('chat.update').filter((c) => c.args.ts === rootTs).pop()!)).toContain('paused');
  });
});
