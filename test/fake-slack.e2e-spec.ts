import {
  type ConversationsRepliesResponse,
  ErrorCode,
  LogLevel,
  type Logger,
  WebClient,
  type WebClientOptions,
} from '@slack/web-api';
import { buildTicketMessage } from '../src/channels/slack/blocks/ticket-message.blocks';
import { aTicket, hugeHostileText } from '../src/channels/slack/blocks/testing/ticket-view.fixture';
import { FakeSlackServer } from './support/fake-slack/fake-slack.server';

/**
 * Proves the fake Slack server works with the real @slack/web-api WebClient over HTTP.
 * No mocks: every assertion goes through a real socket.
 */

const TOKEN = 'xoxb-test';
const CHANNEL = 'C0TICKETS';

/** Keeps expected client warnings (timeouts, error metadata) out of the test output. */
const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** Rejections as plain objects so tests can assert on error codes and data. */
async function failure(promise: Promise<unknown>): Promise<Record<string, any>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, any>;
  }
  throw new Error('expected the call to fail');
}

describe('FakeSlackServer with the real WebClient', () => {
  const slack = new FakeSlackServer({
    validTokens: [TOKEN],
    users: [
      { id: 'U0JANE', name: 'jane', real_name: 'Jane Agent', email: 'jane@example.com' },
      { id: 'U0BOB', name: 'bob', email: 'bob@example.com' },
    ],
    oauth: [
      {
        code: 'good-code',
        clientId: 'client-1',
        clientSecret: 'secret-1',
        accessToken: 'xoxb-installed',
        team: { id: 'T0NEW', name: 'New Team' },
        botUserId: 'U0NEWBOT',
        appId: 'A0NEW',
      },
    ],
  });

  /** `token: null` builds a client that sends no Authorization header. */
  const client = (options: WebClientOptions = {}, token: string | null = TOKEN) =>
    new WebClient(token ?? undefined, {
      slackApiUrl: slack.apiUrl,
      logger: silentLogger,
      retryConfig: { retries: 0 },
      ...options,
    });

  beforeAll(() => slack.start());
  afterAll(() => slack.stop());
  beforeEach(() => slack.reset());

  it('accepts the apiUrl with or without a trailing slash', async () => {
    const viaApiUrl = await client().auth.test();
    const viaBase = await new WebClient(TOKEN, { slackApiUrl: `${slack.url}/api`, logger: silentLogger }).auth.test();
    expect(viaApiUrl.ok).toBe(true);
    expect(viaBase.ok).toBe(true);
  });

  describe('messages and threads', () => {
    it('posts a message, replies in its thread and reads the thread back', async () => {
      const web = client();
      const parent = await web.chat.postMessage({ channel: CHANNEL, text: 'TKT-1 Printer on fire' });
      expect(parent.ok).toBe(true);
      expect(parent.channel).toBe(CHANNEL);
      expect(parent.ts).toMatch(/^\d{10}\.\d{6}$/);

      const reply = await web.chat.postMessage({ channel: CHANNEL, thread_ts: parent.ts!, text: 'On it' });
      const human = slack.addUserMessage({ channel: CHANNEL, user: 'U0JANE', text: 'thanks', thread_ts: parent.ts });
      expect(Number(reply.ts)).toBeGreaterThan(Number(parent.ts));
      expect(Number(human)).toBeGreaterThan(Number(reply.ts));

      const replies = await web.conversations.replies({ channel: CHANNEL, ts: parent.ts! });
      expect(replies.messages!.map((m) => m.text)).toEqual(['TKT-1 Printer on fire', 'On it', 'thanks']);
      expect(replies.messages![0]).toMatchObject({ ts: parent.ts, thread_ts: parent.ts, reply_count: 2, latest_reply: human });
      expect(replies.messages![2]).toMatchObject({ user: 'U0JANE', thread_ts: parent.ts });
    });

    it('paginates conversations.replies with cursors', async () => {
      const web = client();
      const parent = slack.addUserMessage({ channel: CHANNEL, user: 'U0BOB', text: 'parent' });
      for (let i = 0; i < 6; i++) slack.addUserMessage({ channel: CHANNEL, user: 'U0BOB', text: `r${i}`, thread_ts: parent });

      const first = await web.conversations.replies({ channel: CHANNEL, ts: parent, limit: 3 });
      expect(first.messages!.map((m) => m.text)).toEqual(['parent', 'r0', 'r1']);
      expect(first.has_more).toBe(true);

      const texts: string[] = [];
      for await (const page of web.paginate('conversations.replies', { channel: CHANNEL, ts: parent, limit: 3 })) {
        texts.push(...((page as ConversationsRepliesResponse).messages ?? []).map((m) => m.text ?? ''));
      }
      expect(texts).toEqual(['parent', 'r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    });

    it('answers thread_not_found and invalid_cursor', async () => {
      const web = client();
      expect((await failure(web.conversations.replies({ channel: CHANNEL, ts: '1.000001' }))).data.error).toBe(
        'thread_not_found',
      );
      const parent = slack.addUserMessage({ channel: CHANNEL, user: 'U0BOB', text: 'p' });
      expect(
        (await failure(web.conversations.replies({ channel: CHANNEL, ts: parent, cursor: 'garbage' }))).data.error,
      ).toBe('invalid_cursor');
    });

    it('rejects a malformed thread_ts like Slack does', async () => {
      const err = await failure(client().chat.postMessage({ channel: CHANNEL, thread_ts: '', text: 'x' }));
      expect(err.data.error).toBe('invalid_thread_ts');
    });

    it('updates, deletes, reacts to and links messages', async () => {
      const web = client();
      const posted = await web.chat.postMessage({ channel: CHANNEL, text: 'v1' });
      const updated = await web.chat.update({ channel: CHANNEL, ts: posted.ts!, text: 'v2' });
      expect(updated.text).toBe('v2');
      expect(slack.messages(CHANNEL)[0]).toMatchObject({ text: 'v2', edited: { user: 'U0BOT' } });

      await web.reactions.add({ channel: CHANNEL, timestamp: posted.ts!, name: 'eyes' });
      expect((await failure(web.reactions.add({ channel: CHANNEL, timestamp: posted.ts!, name: 'eyes' }))).data.error).toBe(
        'already_reacted',
      );

      const link = await web.chat.getPermalink({ channel: CHANNEL, message_ts: posted.ts! });
      expect(link.permalink).toContain(`/archives/${CHANNEL}/p${posted.ts!.replace('.', '')}`);

      await web.chat.delete({ channel: CHANNEL, ts: posted.ts! });
      expect(slack.messages(CHANNEL)).toEqual([]);
      expect((await failure(web.chat.update({ channel: CHANNEL, ts: posted.ts!, text: 'v3' }))).data.error).toBe(
        'message_not_found',
      );
    });

    it('posts ephemeral messages', async () => {
      const res = await client().chat.postEphemeral({ channel: CHANNEL, user: 'U0JANE', text: 'only you' });
      expect(res.message_ts).toBeDefined();
      expect(slack.ephemeralMessages()).toEqual([expect.objectContaining({ user: 'U0JANE', text: 'only you' })]);
    });

    it('stores blocks built by the Slack block builders, even for hostile 100k inputs', async () => {
      const message = buildTicketMessage(aTicket({ title: hugeHostileText(), description: hugeHostileText() }));
      const res = await client().chat.postMessage({ channel: CHANNEL, ...message });
      expect(res.ok).toBe(true);
      expect(slack.invalidBlocksRejections()).toEqual([]);
      const call = slack.calls('chat.postMessage')[0];
      expect(Array.isArray(call.args.blocks)).toBe(true); // the form-encoded JSON was parsed
    });
  });

  describe('authentication', () => {
    it('answers invalid_auth for an unknown token', async () => {
      const err = await failure(client({}, 'xoxb-wrong').chat.postMessage({ channel: CHANNEL, text: 'x' }));
      expect(err.code).toBe(ErrorCode.PlatformError);
      expect(err.data.error).toBe('invalid_auth');
      expect(slack.calls('chat.postMessage')[0].token).toBe('xoxb-wrong');
    });

    it('answers not_authed without a token', async () => {
      const err = await failure(client({}, null).chat.postMessage({ channel: CHANNEL, text: 'x' }));
      expect(err.data.error).toBe('not_authed');
    });

    it('accepts a per-call token override', async () => {
      const res = await client({}, 'xoxb-wrong').auth.test({ token: TOKEN });
      expect(res.ok).toBe(true);
    });

    it('reports the bot identity from auth.test', async () => {
      expect(await client().auth.test()).toMatchObject({ team_id: 'T0TEST', user_id: 'U0BOT', bot_id: 'B0BOT' });
    });

    it('exchanges an OAuth code once, and the new token then works', async () => {
      const web = client({}, null);
      const res = await web.oauth.v2.access({ client_id: 'client-1', client_secret: 'secret-1', code: 'good-code' });
      expect(res).toMatchObject({
        access_token: 'xoxb-installed',
        team: { id: 'T0NEW', name: 'New Team' },
        bot_user_id: 'U0NEWBOT',
        app_id: 'A0NEW',
      });
      expect(await client({}, 'xoxb-installed').auth.test()).toMatchObject({ team_id: 'T0NEW', user_id: 'U0NEWBOT' });

      const reused = await failure(web.oauth.v2.access({ client_id: 'client-1', client_secret: 'secret-1', code: 'good-code' }));
      expect(reused.data.error).toBe('invalid_code');
    });

    it('rejects unknown codes and wrong client secrets', async () => {
      const web = client({}, null);
      expect((await failure(web.oauth.v2.access({ client_id: 'client-1', client_secret: 'secret-1', code: 'nope' }))).data.error).toBe(
        'invalid_code',
      );
      expect((await failure(web.oauth.v2.access({ client_id: 'client-1', client_secret: 'bad', code: 'good-code' }))).data.error).toBe(
        'bad_client_secret',
      );
    });
  });

  describe('Block Kit validation', () => {
    it('rejects too many blocks with invalid_blocks over HTTP 200 and counts it', async () => {
      const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' as const }));
      const err = await failure(client().chat.postMessage({ channel: CHANNEL, text: 'x', blocks }));
      expect(err.code).toBe(ErrorCode.PlatformError);
      expect(err.data.error).toBe('invalid_blocks');
      expect(err.data.response_metadata.messages[0]).toContain('[json-pointer:/blocks]');
      expect(slack.calls('chat.postMessage')[0].status).toBe(200);
      expect(slack.invalidBlocksRejections()).toHaveLength(1);
      expect(slack.messages(CHANNEL)).toEqual([]);
    });

    it.each([
      ['header text over 150', { type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }],
      ['section text over 3000', { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }],
      [
        'more than 10 fields',
        { type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) },
      ],
      ['a field over 2000', { type: 'section', fields: [{ type: 'mrkdwn', text: 'x'.repeat(2001) }] }],
      [
        'button text over 75',
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'x'.repeat(76) } }] },
      ],
      [
        'button value over 2000',
        {
          type: 'actions',
          elements: [{ type: 'button', text: { type: 'plain_text', text: 'ok' }, value: 'x'.repeat(2001) }],
        },
      ],
      [
        'action_id over 255',
        {
          type: 'actions',
          elements: [{ type: 'button', text: { type: 'plain_text', text: 'ok' }, action_id: 'x'.repeat(256) }],
        },
      ],
    ])('rejects %s on chat.update too', async (_, block) => {
      const web = client();
      const posted = await web.chat.postMessage({ channel: CHANNEL, text: 'ok' });
      const err = await failure(web.chat.update({ channel: CHANNEL, ts: posted.ts!, text: 'x', blocks: [block as never] }));
      expect(err.data.error).toBe('invalid_blocks');
      expect(slack.invalidBlocksRejections()).toHaveLength(1);
    });

    it('requires text or blocks', async () => {
      const err = await failure(client().apiCall('chat.postMessage', { channel: CHANNEL }));
      expect(err.data.error).toBe('no_text');
    });
  });

  describe('failure injection', () => {
    it('answers 429 with Retry-After, seen by a client that rejects rate-limited calls', async () => {
      slack.failNext('chat.postMessage', { status: 429, retryAfterSec: 7 });
      const web = client({ rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
      const err = await failure(web.chat.postMessage({ channel: CHANNEL, text: 'x' }));
      expect(err.code).toBe('slack_webapi_rate_limited_error');
      expect(err.retryAfter).toBe(7);
      expect(slack.calls('chat.postMessage')[0].status).toBe(429);
      // Only one failure was armed.
      await expect(web.chat.postMessage({ channel: CHANNEL, text: 'x' })).resolves.toMatchObject({ ok: true });
    });

    it('answers HTTP 500', async () => {
      slack.failNext('chat.postMessage', { status: 500 });
      const err = await failure(client().chat.postMessage({ channel: CHANNEL, text: 'x' }));
      expect(err.code).toBe(ErrorCode.HTTPError);
      expect(err.statusCode).toBe(500);
    });

    it('holds the response past the client timeout', async () => {
      slack.failNext('chat.postMessage', { timeoutMs: 2_000 });
      const started = Date.now();
      const err = await failure(client({ timeout: 150 }).chat.postMessage({ channel: CHANNEL, text: 'x' }));
      expect(err.code).toBe(ErrorCode.RequestError);
      expect(Date.now() - started).toBeLessThan(1_500);
    });

    it('answers an injected Slack error with HTTP 200 and ok:false', async () => {
      slack.failNext('chat.postMessage', { error: 'account_inactive' });
      const err = await failure(client().chat.postMessage({ channel: CHANNEL, text: 'x' }));
      expect(err.code).toBe(ErrorCode.PlatformError);
      expect(err.data).toMatchObject({ ok: false, error: 'account_inactive' });
      expect(slack.calls('chat.postMessage')[0].status).toBe(200);
    });

    it('fails only the chosen channel, the chosen number of times', async () => {
      slack.failNext('chat.postMessage', { error: 'channel_not_found', channel: 'C0GONE', times: 2 });
      const web = client();
      await expect(web.chat.postMessage({ channel: CHANNEL, text: 'x' })).resolves.toMatchObject({ ok: true });
      for (let i = 0; i < 2; i++) {
        expect((await failure(web.chat.postMessage({ channel: 'C0GONE', text: 'x' }))).data.error).toBe('channel_not_found');
      }
      await expect(web.chat.postMessage({ channel: 'C0GONE', text: 'x' })).resolves.toMatchObject({ ok: true });
    });

    it('answers unknown_method for methods it does not implement', async () => {
      const err = await failure(client().apiCall('admin.teams.create', {}));
      expect(err.data.error).toBe('unknown_method');
    });
  });

  describe('rate limit enforcement', () => {
    it('answers 429 when a channel gets more than the allowed rate, and records the violation', async () => {
      slack.enforceRateLimit({ perChannelPerSecond: 1, retryAfterSec: 1 });
      const web = client({ rejectRateLimitedCalls: true });
      await web.chat.postMessage({ channel: CHANNEL, text: 'first' });
      await web.chat.postMessage({ channel: 'C0OTHER', text: 'other channel is independent' });
      const err = await failure(web.chat.postMessage({ channel: CHANNEL, text: 'too fast' }));
      expect(err.code).toBe(ErrorCode.RateLimitedError);
      expect(slack.rateLimitViolations()).toEqual([expect.objectContaining({ method: 'chat.postMessage', channel: CHANNEL })]);
    });

    it('lets a client that honours Retry-After through without further violations', async () => {
      slack.enforceRateLimit({ perChannelPerSecond: 1, retryAfterSec: 1 });
      const web = client({ retryConfig: { retries: 2, factor: 1, minTimeout: 0, maxTimeout: 0 } });
      await web.chat.postMessage({ channel: CHANNEL, text: 'one' });
      await web.chat.postMessage({ channel: CHANNEL, text: 'two' }); // 429 once, then retried after 1 s
      expect(slack.messages(CHANNEL).map((m) => m.text)).toEqual(['one', 'two']);
      expect(slack.rateLimitViolations()).toHaveLength(1);
    });
  });

  describe('users, conversations and views', () => {
    it('looks users up by id and email', async () => {
      const web = client();
      expect((await web.users.info({ user: 'U0JANE' })).user).toMatchObject({ id: 'U0JANE', real_name: 'Jane Agent' });
      expect((await web.users.lookupByEmail({ email: 'JANE@example.com' })).user!.id).toBe('U0JANE');
      expect((await failure(web.users.lookupByEmail({ email: 'nobody@example.com' }))).data.error).toBe('users_not_found');
      expect((await failure(web.users.info({ user: 'U0NOBODY' }))).data.error).toBe('user_not_found');
    });

    it('opens DMs, joins and describes channels', async () => {
      const web = client();
      const dm = await web.conversations.open({ users: 'U0JANE' });
      expect(dm.channel!.id).toBe('D0JANE');
      await expect(web.chat.postMessage({ channel: dm.channel!.id!, text: 'hi' })).resolves.toMatchObject({ ok: true });
      expect((await web.conversations.join({ channel: CHANNEL })).channel).toMatchObject({ id: CHANNEL, is_member: true });
      expect((await web.conversations.info({ channel: 'D0JANE' })).channel).toMatchObject({ is_im: true });
    });

    it('enforces channel membership when channels are configured', async () => {
      slack.addChannel({ id: 'C0PRIV', name: 'ops', is_member: false });
      const web = client();
      expect((await failure(web.chat.postMessage({ channel: 'C0PRIV', text: 'x' }))).data.error).toBe('not_in_channel');
      expect((await failure(web.chat.postMessage({ channel: 'C0UNKNOWN', text: 'x' }))).data.error).toBe('channel_not_found');
      await web.conversations.join({ channel: 'C0PRIV' });
      await expect(web.chat.postMessage({ channel: 'C0PRIV', text: 'x' })).resolves.toMatchObject({ ok: true });
    });

    it('opens, updates and publishes views', async () => {
      const web = client();
      const view = {
        type: 'modal' as const,
        callback_id: 'cb',
        title: { type: 'plain_text' as const, text: 'Title' },
        blocks: [],
      };
      const opened = await web.views.open({ trigger_id: '123.456', view });
      expect(opened.view).toMatchObject({ id: expect.stringMatching(/^V/), callback_id: 'cb' });
      const updated = await web.views.update({ view_id: opened.view!.id!, view: { ...view, callback_id: 'cb2' } });
      expect(updated.view).toMatchObject({ id: opened.view!.id, callback_id: 'cb2' });
      const home = await web.views.publish({ user_id: 'U0JANE', view: { type: 'home', blocks: [] } });
      expect(home.view).toMatchObject({ type: 'home' });
      const tooLong = { ...view, title: { type: 'plain_text' as const, text: 'x'.repeat(25) } };
      expect((await failure(web.views.open({ trigger_id: '1', view: tooLong }))).data.error).toBe('invalid_arguments');
    });
  });

  describe('recording', () => {
    it('waits for a call that has not happened yet without sleeping', async () => {
      const waiting = slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.text === 'later');
      await client().chat.postMessage({ channel: CHANNEL, text: 'sooner' });
      await client().chat.postMessage({ channel: CHANNEL, text: 'later' });
      await expect(waiting).resolves.toMatchObject({ args: { channel: CHANNEL, text: 'later' }, token: TOKEN });
    });

    it('times out with the calls it saw', async () => {
      await client().auth.test();
      await expect(slack.waitFor((c) => c.method === 'chat.delete', 50)).rejects.toThrow(/calls seen: auth.test/);
    });

    it('parses JSON bodies as well as form bodies', async () => {
      const res = await fetch(`${slack.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ channel: CHANNEL, text: 'json', blocks: [{ type: 'divider' }] }),
      });
      expect(await res.json()).toMatchObject({ ok: true, channel: CHANNEL });
      expect(slack.calls('chat.postMessage')[0].args).toEqual({
        channel: CHANNEL,
        text: 'json',
        blocks: [{ type: 'divider' }],
      });
    });

    it('forgets calls and state on reset', async () => {
      await client().chat.postMessage({ channel: CHANNEL, text: 'x' });
      slack.failNext('auth.test', { error: 'fatal_error' });
      slack.reset();
      expect(slack.calls()).toEqual([]);
      expect(slack.messages(CHANNEL)).toEqual([]);
      await expect(client().auth.test()).resolves.toMatchObject({ ok: true });
    });
  });
});
