import { TICKET_ACTIONS, TICKET_MODALS } from '../src/channels/slack/blocks/slack-message';
import { FakeSlackServer } from './support/fake-slack/fake-slack.server';
import {
  blockAction,
  commandBody,
  db,
  envelope,
  interactionBody,
  linkThread,
  postSigned,
  replyEvent,
  settle,
  slackEnv,
  slackReady,
  textInput,
  viewSubmission,
} from './support/slack-inbound';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Fuzzes the three Slack endpoints with random bodies and with mutations of real-shaped payloads
 * (deterministic seed, so a failure reproduces). Every answer must be 200, 400 or 401 (413 for an
 * oversized body), never a 5xx; an answer of 400 must leave nothing stored; the app stays healthy.
 */
describe('Slack inbound: fuzzing the endpoints', () => {
  const CHANNEL = 'C0TICKETS';
  const slack = new FakeSlackServer({ users: [{ id: 'U0JANE', name: 'jane', email: `jane.fuzz.${Date.now()}@example.com` }] });
  let t: TestApp;
  let ticketId: string;
  let rootTs: string;

  beforeAll(async () => {
    await slack.start();
    t = await startTestApp(slackEnv(slack));
    await slackReady(t);
    ticketId = (await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: 'Fuzz target', priority: 'low' }).expect(201)).body.id;
    rootTs = await linkThread(t, slack, ticketId, CHANNEL);
  });
  afterAll(async () => {
    await t?.close();
    await slack.stop();
  });

  // mulberry32: small, fast, deterministic.
  function rng(seed: number) {
    return () => {
      seed |= 0;
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
  }
  const random = rng(20240501);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

  const NASTY_STRINGS = ['', ' ', 'null', '{}', '[]', '%', '%zz', '&', '=', '\u0000', '\uffff', '😀'.repeat(50), '<@U0JANE>', '<!channel>', '\\', '"', 'TKT-1', 'x'.repeat(70_000), 'Ev', '1700000000.000001', 'T0TEST', '__proto__'];
  function randomValue(depth = 0): unknown {
    switch (int(depth > 2 ? 6 : 9)) {
      case 0: return pick(NASTY_STRINGS);
      case 1: return random() * 1e12 - 5e11;
      case 2: return null;
      case 3: return random() < 0.5;
      case 4: return String.fromCharCode(...Array.from({ length: int(40) }, () => int(0xd7ff)));
      case 5: return int(3) === 0 ? undefined : pick(NASTY_STRINGS);
      case 6: return Array.from({ length: int(4) }, () => randomValue(depth + 1));
      case 7: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['type', 'id', 'ts', 'user', 'value', 'text', 'x']), randomValue(depth + 1)]));
      default: return { __proto__: null, constructor: randomValue(depth + 1) };
    }
  }

  const asText = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'));

  /** Paths (key lists) of every value in a JSON object. */
  function paths(o: unknown, prefix: string[] = []): string[][] {
    if (typeof o !== 'object' || o === null) return [prefix];
    const out: string[][] = prefix.length ? [prefix] : [];
    for (const [k, v] of Object.entries(o)) out.push(...paths(v, [...prefix, k]));
    return out;
  }
  function mutate(base: Record<string, unknown>): Record<string, unknown> {
    const copy = JSON.parse(JSON.stringify(base));
    for (let n = 1 + int(3); n > 0; n--) {
      const all = paths(copy);
      const path = pick(all);
      if (!path.length) continue;
      let parent = copy;
      for (const k of path.slice(0, -1)) parent = parent[k];
      const key = path[path.length - 1];
      if (typeof parent !== 'object' || parent === null) continue;
      if (int(3) === 0) delete parent[key];
      else parent[key] = randomValue();
    }
    return copy;
  }
  function corrupt(text: string): string {
    switch (int(4)) {
      case 0: return text.slice(0, int(text.length));
      case 1: return text + pick(['}', ']', ',', '"', '&', '%']);
      case 2: { const i = int(text.length); return text.slice(0, i) + String.fromCharCode(int(128)) + text.slice(i + 1); }
      default: return Array.from({ length: int(200) }, () => String.fromCharCode(int(256))).join('');
    }
  }

  const counts = async () => {
    const [row] = await db(t).query(
      `SELECT (SELECT count(*) FROM tickets)::int AS tickets, (SELECT count(*) FROM comments)::int AS comments,
              (SELECT count(*) FROM slack_event_receipts)::int AS receipts, (SELECT count(*) FROM slack_threads)::int AS threads,
              (SELECT count(*) FROM ticket_activity)::int AS activity`,
    );
    return row;
  };

  let tsSeq = 0;
  const nextTs = () => `1800000000.${String(++tsSeq).padStart(6, '0')}`;
  const realEvents = () => [
    envelope(replyEvent({ channel: CHANNEL, user: 'U0JANE', text: 'fuzzed reply', ts: nextTs(), threadTs: rootTs })),
    envelope({ type: 'reaction_added', user: 'U0JANE', reaction: 'ticket', item: { type: 'message', channel: CHANNEL, ts: nextTs() } }),
    envelope({ type: 'message', subtype: 'message_changed', channel: CHANNEL, message: { user: 'U0JANE', text: 'e', ts: nextTs(), thread_ts: rootTs, edited: { user: 'U0JANE', ts: '1' } } }),
    envelope({ type: 'message', subtype: 'message_deleted', channel: CHANNEL, deleted_ts: nextTs(), previous_message: { thread_ts: rootTs } }),
    envelope({ type: 'app_mention', user: 'U0JANE', text: '<@U0BOT> help', ts: nextTs(), channel: CHANNEL }),
    { token: 'x', challenge: 'abc', type: 'url_verification' },
  ];
  const realInteractions = () => [
    blockAction({ user: 'U0JANE', actionId: TICKET_ACTIONS.assignMe, value: ticketId }),
    blockAction({ user: 'U0JANE', actionId: TICKET_ACTIONS.setStatus, selected: `${ticketId}|open` }),
    viewSubmission({ user: 'U0JANE', callbackId: TICKET_MODALS.comment, privateMetadata: ticketId, values: { comment: { body: textInput('fuzz comment') } } }),
    viewSubmission({ user: 'U0JANE', callbackId: TICKET_MODALS.create, values: { title: { title: textInput('fuzz ticket') } } }),
    { type: 'shortcut', callback_id: 'ticket.create', trigger_id: '1.2.3', team: { id: 'T0TEST' }, user: { id: 'U0JANE' } },
  ];
  const realCommands = ['help', 'create "fuzz" --priority=low', 'TKT-1', 'TKT-1 status open', 'mine', 'TKT-1 comment "x"', 'link'];

  type Case = { endpoint: string; body: string; contentType: string };
  function makeCase(i: number): Case {
    const kind = i % 3;
    const mode = int(4); // 0: random body, 1: corrupted real body, 2-3: mutated real payload
    if (kind === 0) {
      const real = pick(realEvents());
      const body = mode === 0 ? asText(randomValue()) : mode === 1 ? corrupt(JSON.stringify(real)) : JSON.stringify(mutate(real));
      return { endpoint: '/slack/events', body, contentType: 'application/json' };
    }
    if (kind === 1) {
      const form = new URLSearchParams(commandBody(pick(realCommands)));
      if (mode === 0) return { endpoint: '/slack/commands', body: asText(randomValue()), contentType: 'application/x-www-form-urlencoded' };
      if (mode === 1) return { endpoint: '/slack/commands', body: corrupt(form.toString()), contentType: 'application/x-www-form-urlencoded' };
      for (let n = 1 + int(3); n > 0; n--) {
        const key = pick([...form.keys()]);
        if (int(3) === 0) form.delete(key);
        else form.set(key, asText(randomValue()));
      }
      return { endpoint: '/slack/commands', body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
    }
    const real = pick(realInteractions());
    const body = mode === 0 ? asText(randomValue()) : mode === 1 ? corrupt(interactionBody(real)) : interactionBody(mutate(real));
    return { endpoint: '/slack/interactions', body, contentType: 'application/x-www-form-urlencoded' };
  }

  it('answers every random or mutated signed payload with 200 or 400, never 5xx, storing nothing for a 400', async () => {
    const statuses = new Map<number, number>();
    for (let i = 0; i < 450; i++) {
      const c = makeCase(i);
      await settle(t);
      const before = await counts();
      const res = await postSigned(t, c.endpoint, c.body, { contentType: c.contentType });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (![200, 400, 413].includes(res.status)) throw new Error(`case ${i} ${c.endpoint} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}\nbody: ${c.body.slice(0, 500)}`);
      if (res.status !== 200) {
        expect(res.body).toMatchObject({ statusCode: res.status, error: expect.any(String), message: expect.any(String) });
        await settle(t);
        expect(await counts()).toEqual(before);
      }
    }
    // Both outcomes were exercised.
    expect(statuses.get(200)).toBeGreaterThan(30);
    expect(statuses.get(400)).toBeGreaterThan(30);
    await t.http().get('/health').expect(200);
  }, 120_000);

  it('refuses the same payloads unsigned, mis-signed or replayed (401), before parsing them', async () => {
    const before = await counts();
    for (let i = 0; i < 60; i++) {
      const c = makeCase(i);
      const now = Math.floor(Date.now() / 1000);
      const variant = i % 3;
      const res =
        variant === 0
          ? await t.http().post(c.endpoint).set('Content-Type', c.contentType).send(c.body)
          : variant === 1
            ? await postSigned(t, c.endpoint, c.body, { contentType: c.contentType, signedBody: c.body + ' ' })
            : await postSigned(t, c.endpoint, c.body, { contentType: c.contentType, timestamp: now - 3600 });
      expect(res.status).toBe(401);
    }
    await settle(t);
    expect(await counts()).toEqual(before);
  });

  it('answers an oversized body with 413', async () => {
    const res = await postSigned(t, '/slack/events', JSON.stringify({ type: 'event_callback', pad: 'x'.repeat(600 * 1024) }));
    expect(res.status).toBe(413);
  });
});
