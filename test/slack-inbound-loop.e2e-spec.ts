import { FakeSlackServer, RecordedCall } from './support/fake-slack/fake-slack.server';
import { db, postEvent, replyEvent, settle, slackEnv, slackReady, TEAM } from './support/slack-inbound';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The whole loop through both halves of the Slack channel: a comment made in the API appears as a
 * reply in the ticket's thread (outbound); a reply typed in that thread arrives as an event and
 * becomes a comment (inbound); nothing is echoed back into Slack and nothing is stored twice.
 */
describe('Slack inbound + outbound: one conversation', () => {
  const CHANNEL = 'C0LOOP';
  const email = `jane.loop.${Math.random().toString(36).slice(2, 8)}@example.com`;
  const slack = new FakeSlackServer({ users: [{ id: 'U0JANE', name: 'jane', real_name: 'Jane Agent', email }, { id: 'U0RITA', name: 'rita', real_name: 'Rita Requester' }] });
  let t: TestApp;

  beforeAll(async () => {
    await slack.start();
    t = await startTestApp(slackEnv(slack, { SLACK_DEFAULT_CHANNEL: CHANNEL, NOTIFY_POLL_INTERVAL_MS: '50' }));
    await slackReady(t);
  });
  afterAll(async () => {
    await t?.close();
    await slack.stop();
  });

  /** waitFor resolves when a call arrives; its response is recorded a moment later. */
  async function answered(call: Promise<RecordedCall>): Promise<RecordedCall> {
    const c = await call;
    for (let i = 0; i < 100 && !c.response; i++) await new Promise((r) => setTimeout(r, 10));
    expect(c.response?.ok).toBe(true);
    return c;
  }

  it('API comment -> thread reply -> Slack reply event -> API comment, without echo', async () => {
    const agent = (await t.http().post('/api/v1/users').set('Authorization', t.admin).send({ name: 'Jane Agent', email, role: 'agent' }).expect(201)).body;
    const ticket = (await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: 'Loop ticket', priority: 'high' }).expect(201)).body;

    // Outbound: the ticket's root message in the routed channel.
    const root = await answered(slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL && !c.args.thread_ts, 10_000));
    const rootTs = String(root.response!.ts);

    // API comment -> reply in the thread.
    await t.http().post(`/api/v1/tickets/${ticket.id}/comments`).set('Authorization', t.admin).send({ body: 'Please restart the router' }).expect(201);
    const mirrored = await answered(slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === rootTs && String(c.args.text).includes('restart the router'), 10_000));
    // Slack sends our own bot's reply as an event too: ignored.
    await postEvent(t, { type: 'message', bot_id: 'B0BOT', app_id: 'A0APP', user: 'U0BOT', text: String(mirrored.args.text), ts: String(mirrored.response!.ts), thread_ts: rootTs, channel: CHANNEL }).expect(200);

    // A person answers in the thread -> the event -> a comment.
    const ts = slack.addUserMessage({ channel: CHANNEL, user: 'U0JANE', text: 'Done, it works again', thread_ts: rootTs });
    const event = replyEvent({ channel: CHANNEL, user: 'U0JANE', text: 'Done, it works again', ts, threadTs: rootTs });
    await postEvent(t, event, { eventId: 'EvLOOP1' }).expect(200);
    // Slack retries the same event: still one comment.
    await postEvent(t, event, { eventId: 'EvLOOP1', retryNum: 1 }).expect(200);
    await settle(t);

    const comments = (await t.http().get(`/api/v1/tickets/${ticket.id}/comments`).set('Authorization', t.admin).expect(200)).body.items;
    expect(comments.map((c: { body: string; source: string }) => [c.body, c.source])).toEqual([
      ['Please restart the router', 'api'],
      ['Done, it works again', 'slack'],
    ]);
    expect(comments[1].author).toMatchObject({ id: agent.id, external: false });

    // No echo: give the outbound pipeline time to act on comment.created, then check the thread.
    await new Promise((r) => setTimeout(r, 1500));
    const thread = slack.thread(CHANNEL, rootTs);
    expect(thread.filter((m) => m.text?.includes('Done, it works again'))).toEqual([expect.objectContaining({ user: 'U0JANE', ts })]);
    expect(slack.calls('chat.postMessage').filter((c) => String(c.args.text).includes('Done, it works again'))).toHaveLength(0);
    const link = await db(t).query(`SELECT ts FROM slack_messages WHERE team_id = $1 AND channel_id = $2 AND comment_id = $3`, [TEAM, CHANNEL, comments[1].id]);
    expect(link).toEqual([{ ts }]);
  });
});
