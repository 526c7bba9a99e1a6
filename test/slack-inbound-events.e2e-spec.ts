import { FakeSlackServer } from './support/fake-slack/fake-slack.server';
import {
  db,
  deleteUserMessage,
  editUserMessage,
  linkThread,
  postCommand,
  postEvent,
  postSigned,
  replyEvent,
  settle,
  SIGNING_SECRET,
  slackEnv,
  slackReady,
  TEAM,
  envelope,
} from './support/slack-inbound';
import { InboundWorkQueue } from '../src/channels/slack/sync/inbound-work-queue';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The Events API end to end: signed, real-shaped payloads over HTTP; the app calls back into a fake
 * Slack Web API. Runs in both modes (embedded, and DATABASE_URL + REDIS_URL with a Bull queue).
 */
describe('Slack inbound: Events API', () => {
  const CHANNEL = 'C0TICKETS';
  const suffix = Math.random().toString(36).slice(2, 8);
  const emails = { jane: `jane.${suffix}@example.com`, bob: `bob.${suffix}@nowhere.example`, carl: `carl.${suffix}@example.com` };
  const slack = new FakeSlackServer({
    users: [
      { id: 'U0JANE', name: 'jane', real_name: 'Jane Agent', email: emails.jane },
      { id: 'U0BOB', name: 'bob', real_name: 'Bob Outsider', email: emails.bob },
      { id: 'U0CARL', name: 'carl', real_name: 'Carl Later', email: emails.carl },
      { id: 'U0RITA', name: 'rita', real_name: 'Rita Requester' },
    ],
  });
  let t: TestApp;
  let jane: { id: string; name: string };
  let ticketSeq = 0;

  beforeAll(async () => {
    await slack.start();
    t = await startTestApp(slackEnv(slack));
    await slackReady(t);
    jane = (await t.http().post('/api/v1/users').set('Authorization', t.admin).send({ name: 'Jane Agent', email: emails.jane, role: 'agent' }).expect(201)).body;
  });
  afterAll(async () => {
    await t?.close();
    await slack.stop();
  });

  async function ticketWithThread(body: Record<string, unknown> = {}) {
    const ticket = (await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: `Inbound ${++ticketSeq}`, priority: 'high', ...body }).expect(201)).body;
    const rootTs = await linkThread(t, slack, ticket.id, CHANNEL);
    return { ticket, rootTs };
  }

  const comments = async (ticketId: string, includeDeleted = false) =>
    (await t.http().get(`/api/v1/tickets/${ticketId}/comments?includeDeleted=${includeDeleted}`).set('Authorization', t.admin).expect(200)).body.items;

  /** A person's reply: stored in the fake's thread and delivered as an event. */
  async function reply(rootTs: string, user: string, text: string, opts: { eventId?: string; files?: unknown[] } = {}) {
    const ts = slack.addUserMessage({ channel: CHANNEL, user, text, thread_ts: rootTs });
    const res = await postEvent(t, replyEvent({ channel: CHANNEL, user, text, ts, threadTs: rootTs, files: opts.files }), { eventId: opts.eventId });
    expect(res.status).toBe(200);
    return ts;
  }

  describe('the endpoint', () => {
    it('answers url_verification with the challenge', async () => {
      const body = JSON.stringify({ token: 'x', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' });
      const res = await postSigned(t, '/slack/events', body).expect(200);
      expect(res.body).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    });

    it('refuses missing, malformed and wrong signatures, stale timestamps and altered bodies with 401', async () => {
      const body = JSON.stringify({ type: 'url_verification', challenge: 'abc' });
      const now = Math.floor(Date.now() / 1000);
      await t.http().post('/slack/events').set('Content-Type', 'application/json').send(body).expect(401);
      await t.http().post('/slack/events').set({ 'Content-Type': 'application/json', 'X-Slack-Request-Timestamp': String(now), 'X-Slack-Signature': 'v0=nothex' }).send(body).expect(401);
      await postSigned(t, '/slack/events', body, { secret: 'another-secret-entirely' }).expect(401);
      const stale = await postSigned(t, '/slack/events', body, { timestamp: now - 330 }).expect(401);
      expect(stale.body).toMatchObject({ statusCode: 401, reason: 'stale_timestamp' });
      await postSigned(t, '/slack/events', body, { timestamp: Math.floor(Date.now() / 1000) + 330 }).expect(401);
      const altered = await postSigned(t, '/slack/events', body.replace('abc', 'abd'), { signedBody: body }).expect(401);
      expect(altered.body.reason).toBe('signature_mismatch');
    });

    it('answers 400 (never 500) for malformed JSON and envelopes of unexpected shape', async () => {
      for (const body of ['{', '[]', '"x"', '{"type":"event_callback"}', '{"type":"event_callback","team_id":"T0TEST","event_id":"Ev1","event":"x"}', '']) {
        const res = await postSigned(t, '/slack/events', body);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      }
    });

    it('acknowledges events it does not handle with 200', async () => {
      await postEvent(t, { type: 'channel_created', channel: { id: 'C9', name: 'x' } }).expect(200);
      await postSigned(t, '/slack/events', JSON.stringify({ type: 'app_rate_limited', team_id: TEAM, minute_rate_limited: 1 })).expect(200);
    });
  });

  describe('thread replies', () => {
    it('turns a linked agent’s reply into a comment by them, converting mrkdwn and mentions, and meets the first response', async () => {
      const { ticket, rootTs } = await ticketWithThread();
      const ts = await reply(rootTs, 'U0JANE', 'Looking into it *now*, <@U0RITA> can you try <https://example.com/vpn|the new VPN>? &lt;3');
      await settle(t);
      const [c] = await comments(ticket.id);
      expect(c).toMatchObject({
        source: 'slack',
        visibility: 'public',
        author: { id: jane.id, name: 'Jane Agent', external: false },
        body: 'Looking into it **now**, @rita can you try [the new VPN](https://example.com/vpn)? <3',
      });
      const links = await db(t).query(`SELECT comment_id, thread_ts FROM slack_messages WHERE team_id = $1 AND channel_id = $2 AND ts = $3`, [TEAM, CHANNEL, ts]);
      expect(links).toEqual([{ comment_id: c.id, thread_ts: rootTs }]);
      const after = (await t.http().get(`/api/v1/tickets/${ticket.id}`).set('Authorization', t.admin).expect(200)).body;
      expect(after.sla.firstResponse.status).toBe('met');
      // In services mode the work went through Redis.
      const queue = t.app.get(InboundWorkQueue);
      if (process.env.REDIS_URL) expect((await queue.counts())!.completed).toBeGreaterThan(0);
      else expect(queue.mode).toBe('in-process');
    });

    it('stores a reply from someone without an account under their Slack name and invites them to link', async () => {
      const { ticket, rootTs } = await ticketWithThread();
      await reply(rootTs, 'U0BOB', 'Still broken for me');
      await settle(t);
      const [c] = await comments(ticket.id);
      expect(c.author).toEqual({ id: null, name: 'bob (via Slack)', email: null, external: true });
      const invite = slack.ephemeralMessages().find((m) => m.user === 'U0BOB');
      expect(invite).toMatchObject({ channel: CHANNEL, thread_ts: rootTs });
      expect(invite!.text).toContain('/ticket link');
      const after = (await t.http().get(`/api/v1/tickets/${ticket.id}`).set('Authorization', t.admin).expect(200)).body;
      expect(after.sla.firstResponse.status).not.toBe('met');
    });

    it('attributes earlier comments once the person links their account with /ticket link', async () => {
      const { ticket, rootTs } = await ticketWithThread();
      await reply(rootTs, 'U0CARL', 'first from carl');
      await reply(rootTs, 'U0CARL', 'second from carl');
      await settle(t);
      expect((await comments(ticket.id)).map((c: { author: { external: boolean } }) => c.author.external)).toEqual([true, true]);
      const none = await postCommand(t, 'link', { user: 'U0CARL' }).expect(200);
      expect(none.body.text).toContain('No active Threadline account');
      const carl = (await t.http().post('/api/v1/users').set('Authorization', t.admin).send({ name: 'Carl Later', email: emails.carl, role: 'agent' }).expect(201)).body;
      const linked = await postCommand(t, 'link', { user: 'U0CARL' }).expect(200);
      expect(linked.body).toMatchObject({ response_type: 'ephemeral' });
      expect(linked.body.text).toContain('2 earlier comments are now attributed to you');
      expect((await comments(ticket.id)).map((c: { author: { id: string } }) => c.author.id)).toEqual([carl.id, carl.id]);
    });

    it('lets an admin link a Slack user whose email matches no account', async () => {
      const { ticket, rootTs } = await ticketWithThread();
      await reply(rootTs, 'U0BOB', 'bob again');
      await settle(t);
      const bobAccount = (await t.http().post('/api/v1/users').set('Authorization', t.admin).send({ name: 'Bob Insider', email: `bob.inside.${suffix}@example.com`, role: 'agent' }).expect(201)).body;
      const res = await t.http().post('/api/v1/integrations/slack/user-links').set('Authorization', t.admin).send({ teamId: TEAM, slackUserId: 'U0BOB', userId: bobAccount.id }).expect(201);
      expect(res.body.attributedComments).toBeGreaterThanOrEqual(1);
      expect((await comments(ticket.id))[0].author).toMatchObject({ id: bobAccount.id, external: false });
      await t.http().post('/api/v1/integrations/slack/user-links').set('Authorization', t.admin).send({ teamId: 'nope', slackUserId: 'U0BOB', userId: bobAccount.id }).expect(400);
    });

    it('acts once per event id and once per message, whatever Slack retries', async () => {
      const { ticket, rootTs } = await ticketWithThread();
      const ts = slack.addUserMessage({ channel: CHANNEL, user: 'U0JANE', text: 'once', thread_ts: rootTs });
      const event = replyEvent({ channel: CHANNEL, user: 'U0JANE', text: 'once', ts, threadTs: rootTs });
      const eventId = 'EvRETRY' + Math.random().toString(36).slice(2, 8).toUpperCase();
      await postEvent(t, event, { eventId }).expect(200);
      await postEvent(t, event, { eventId, retryNum: 1 }).expect(200);
      await postEvent(t, event, { eventId, retryNum: 2 }).expect(200);
      await postEvent(t, event).expect(200); // same message, another event id (e.g. delivered twice)
      await settle(t);
      expect(await comments(ticket.id)).toHaveLength(1);
      const receipts = await db(t).query(`SELECT count(*)::int AS n FROM slack_event_receipts WHERE event_id = $1`, [eventId]);
      expect(receipts[0].n).toBe(1);
    });

    it('ignores bots, our own bot, system messages, top-level messages and threads that are not tickets', async () => {
      const { ticket, rootTs } = await ticketWithThread();
      await postEvent(t, { type: 'message', subtype: 'bot_message', bot_id: 'B0OTHER', text: 'beep', ts: '1700000001.000001', thread_ts: rootTs, channel: CHANNEL }).expect(200);
      await postEvent(t, { type: 'message', bot_id: 'B0BOT', user: 'U0BOT', text: 'mirrored comment', ts: '1700000001.000002', thread_ts: rootTs, channel: CHANNEL }).expect(200);
      await postEvent(t, replyEvent({ channel: CHANNEL, user: 'U0BOT', text: 'from our bot user', ts: '1700000001.000003', threadTs: rootTs })).expect(200);
      await postEvent(t, { type: 'message', subtype: 'channel_join', user: 'U0JANE', text: '<@U0JANE> has joined', ts: '1700000001.000004', channel: CHANNEL }).expect(200);
      await postEvent(t, { type: 'message', user: 'U0JANE', text: 'top level', ts: '1700000001.000005', channel: CHANNEL }).expect(200);
      await postEvent(t, replyEvent({ channel: CHANNEL, user: 'U0JANE', text: 'other thread', ts: '1700000001.000007', threadTs: '1700000001.000006' })).expect(200);
      await settle(t);
      expect(await comments(ticket.id)).toHaveLength(0);
    });

    it('turns files into links', async () => {
      const { ticket, rootTs } = await ticketWithThread();
      await reply(rootTs, 'U0JANE', 'screenshot attached', {
        files: [{ id: 'F1', name: 'error.png', title: 'error.png', mimetype: 'image/png', permalink: 'https://threadline-test.slack.com/files/U0JANE/F1/error.png', url_private: 'https://files.slack.com/F1' }],
      });
      await settle(t);
      const [c] = await comments(ticket.id);
      expect(c.body).toBe('screenshot attached\n\n📎 [error.png](https://threadline-test.slack.com/files/U0JANE/F1/error.png)');
    });

    it('applies edits (message_changed) and deletions (message_deleted)', async () => {
      const { ticket, rootTs } = await ticketWithThread();
      const ts = await reply(rootTs, 'U0JANE', 'typo hre');
      await settle(t);
      await postEvent(t, {
        type: 'message',
        subtype: 'message_changed',
        hidden: true,
        channel: CHANNEL,
        ts: '1700000002.000001',
        message: { type: 'message', user: 'U0JANE', text: 'typo here', ts, thread_ts: rootTs, edited: { user: 'U0JANE', ts: '1700000002.000001' } },
        previous_message: { type: 'message', user: 'U0JANE', text: 'typo hre', ts, thread_ts: rootTs },
      }).expect(200);
      await settle(t);
      const [edited] = await comments(ticket.id);
      expect(edited.body).toBe('typo here');
      expect(edited.editedAt).not.toBeNull();
      await postEvent(t, {
        type: 'message',
        subtype: 'message_deleted',
        hidden: true,
        channel: CHANNEL,
        ts: '1700000002.000002',
        deleted_ts: ts,
        previous_message: { type: 'message', user: 'U0JANE', text: 'typo here', ts, thread_ts: rootTs },
      }).expect(200);
      await settle(t);
      expect(await comments(ticket.id)).toHaveLength(0);
      expect((await comments(ticket.id, true))[0].deletedAt).not.toBeNull();
    });
  });

  describe('triage emoji and mentions', () => {
    it('creates a ticket from a message reacted to with :ticket:, answers with the card and links the thread', async () => {
      const ts = slack.addUserMessage({ channel: CHANNEL, user: 'U0JANE', text: 'Printer on floor 3 is on fire\nSmoke everywhere, please help' });
      await postEvent(t, { type: 'reaction_added', user: 'U0BOB', reaction: 'ticket', item_user: 'U0JANE', item: { type: 'message', channel: CHANNEL, ts } }).expect(200);
      await postEvent(t, { type: 'reaction_added', user: 'U0RITA', reaction: 'ticket', item_user: 'U0JANE', item: { type: 'message', channel: CHANNEL, ts } }).expect(200);
      await postEvent(t, { type: 'reaction_added', user: 'U0RITA', reaction: 'thumbsup', item: { type: 'message', channel: CHANNEL, ts } }).expect(200);
      await settle(t);
      const linked = await db(t).query(`SELECT ticket_id FROM slack_threads WHERE team_id = $1 AND channel_id = $2 AND root_ts = $3`, [TEAM, CHANNEL, ts]);
      expect(linked).toHaveLength(1);
      const ticket = (await t.http().get(`/api/v1/tickets/${linked[0].ticket_id}`).set('Authorization', t.admin).expect(200)).body;
      expect(ticket).toMatchObject({ title: 'Printer on floor 3 is on fire', requester: { id: jane.id } });
      expect(ticket.description).toContain('Smoke everywhere, please help');
      expect(ticket.description).toMatch(/\[message by jane\]\(https:\/\/threadline-test\.slack\.com\/archives\/C0TICKETS\/p\d+\)/);
      // The card answers in the message's thread (posted by the outbound side when it runs), once.
      await slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts, 5000);
      await new Promise((r) => setTimeout(r, 300));
      const card = slack.calls('chat.postMessage').filter((c) => c.args.thread_ts === ts && JSON.stringify(c.args.blocks ?? '').includes(ticket.number));
      expect(card).toHaveLength(1);
      // Further replies in that thread become comments.
      const r = slack.addUserMessage({ channel: CHANNEL, user: 'U0JANE', text: 'extinguisher used', thread_ts: ts });
      await postEvent(t, replyEvent({ channel: CHANNEL, user: 'U0JANE', text: 'extinguisher used', ts: r, threadTs: ts })).expect(200);
      await settle(t);
      expect((await comments(ticket.id)).map((c: { body: string }) => c.body)).toEqual(['extinguisher used']);
    });

    it('answers an app mention with help, and creates a ticket from "create ..."', async () => {
      const helpTs = slack.addUserMessage({ channel: CHANNEL, user: 'U0JANE', text: '<@U0BOT> help' });
      await postEvent(t, { type: 'app_mention', user: 'U0JANE', text: '<@U0BOT> help', ts: helpTs, channel: CHANNEL }).expect(200);
      const ts = slack.addUserMessage({ channel: CHANNEL, user: 'U0JANE', text: '<@U0BOT> create Wifi down in room 4\nSince 9am' });
      await postEvent(t, { type: 'app_mention', user: 'U0JANE', text: '<@U0BOT> create Wifi down in room 4\nSince 9am', ts, channel: CHANNEL }).expect(200);
      await settle(t);
      const help = slack.calls('chat.postMessage').find((c) => c.args.thread_ts === helpTs);
      expect(String(help?.args.text)).toContain('/ticket create');
      const linked = await db(t).query(`SELECT ticket_id FROM slack_threads WHERE root_ts = $1`, [ts]);
      const ticket = (await t.http().get(`/api/v1/tickets/${linked[0].ticket_id}`).set('Authorization', t.admin).expect(200)).body;
      expect(ticket.title).toBe('Wifi down in room 4');
      expect(ticket.description).toContain('Since 9am');
    });
  });

  describe('reconciliation', () => {
    it('creates missed replies, applies edits and deletions, and is idempotent', async () => {
      const { ticket, rootTs } = await ticketWithThread();
      const seen = await reply(rootTs, 'U0JANE', 'arrived as an event');
      await settle(t);
      // Three replies Slack never delivered (downtime), one of them with a page boundary in between.
      const missed = ['missed one', 'missed two', 'missed three'].map((text) => slack.addUserMessage({ channel: CHANNEL, user: 'U0BOB', text, thread_ts: rootTs }));
      const first = await t.http().post('/api/v1/integrations/slack/reconcile').set('Authorization', t.admin).send({}).expect(200);
      expect(first.body).toMatchObject({ created: 3, updated: 0, deleted: 0, failed: 0 });
      expect((await comments(ticket.id)).map((c: { body: string }) => c.body)).toEqual(['arrived as an event', 'missed one', 'missed two', 'missed three']);
      const again = await t.http().post('/api/v1/integrations/slack/reconcile').set('Authorization', t.admin).send({}).expect(200);
      expect(again.body).toMatchObject({ created: 0, updated: 0, deleted: 0 });

      editUserMessage(slack, CHANNEL, missed[0], 'missed one (edited)');
      deleteUserMessage(slack, CHANNEL, seen);
      const third = await t.http().post('/api/v1/integrations/slack/reconcile').set('Authorization', t.admin).send({}).expect(200);
      expect(third.body).toMatchObject({ created: 0, updated: 1, deleted: 1 });
      expect((await comments(ticket.id)).map((c: { body: string }) => c.body)).toEqual(['missed one (edited)', 'missed two', 'missed three']);
      // No invitations from reconciliation (people were not there to see them).
      expect(slack.ephemeralMessages().filter((m) => m.thread_ts === rootTs)).toHaveLength(0);
      await t.http().post('/api/v1/integrations/slack/reconcile').send({}).expect(401);
    });
  });

  describe('installation lifecycle', () => {
    it('disables the installation on tokens_revoked, after which events are ignored', async () => {
      const { ticket, rootTs } = await ticketWithThread();
      await postEvent(t, { type: 'tokens_revoked', tokens: { bot: ['U0BOT'] } }).expect(200);
      await settle(t);
      const [row] = await db(t).query(`SELECT active, disabled_reason FROM slack_installations WHERE team_id = $1`, [TEAM]);
      expect(row).toEqual({ active: false, disabled_reason: 'tokens_revoked' });
      await reply(rootTs, 'U0JANE', 'nobody hears this');
      await settle(t);
      expect(await comments(ticket.id)).toHaveLength(0);
      expect(SIGNING_SECRET).toBeTruthy();
      expect(envelope({ type: 'x' }).team_id).toBe(TEAM);
    });
  });
});
