import { CommentsService } from '../src/comments/comments.service';
import { FakeSlackServer } from './support/fake-slack/fake-slack.server';
import { db, eventually, isRootFor, rootsFor, OUT_TEAM, outboundEnv, outboundReady, posts, settled, slackDeliveries, textOf, threadOf } from './support/slack-outbound';
import { createUser, startTestApp, TestApp } from './support/test-app';

/**
 * The outbound Slack channel end to end: API changes -> notification pipeline -> the real
 * @slack/web-api client -> a fake Slack Web API over HTTP. Both run modes.
 */
describe('Slack outbound: tickets as live cards with mirrored threads', () => {
  const DEFAULT = 'C0DEFAULT';
  const suffix = Math.random().toString(36).slice(2, 8);
  const janeEmail = `jane.${suffix}@example.com`;
  const slack = new FakeSlackServer({
    users: [
      { id: 'U0JANE', name: 'jane', real_name: 'Jane Agent', email: janeEmail },
      { id: 'U0OTHER', name: 'other', email: `other.${suffix}@example.com` },
    ],
  });
  let t: TestApp;
  let jane: { user: { id: string; name: string; email: string }; auth: string };
  let bob: { user: { id: string; name: string; email: string }; auth: string };

  beforeAll(async () => {
    await slack.start();
    t = await startTestApp(outboundEnv(slack));
    await outboundReady(t);
    jane = await createUser(t, 'agent', 'Jane Agent');
    // users.lookupByEmail must find Jane: give her the fake's email.
    await db(t).query(`UPDATE users SET email = $1 WHERE id = $2`, [janeEmail, jane.user.id]);
    jane.user.email = janeEmail;
    bob = await createUser(t, 'agent', 'Bob Builder');
  });
  afterAll(async () => {
    await t?.close();
    await slack.stop();
  });

  const api = () => t.http();
  const createTicket = async (body: Record<string, unknown> = {}) =>
    (await api().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: 'Printer on fire', priority: 'high', description: 'It is **really** on fire', ...body }).expect(201)).body;
  const patch = (id: string, body: Record<string, unknown>, auth = t.admin) => api().patch(`/api/v1/tickets/${id}`).set('Authorization', auth).send(body).expect(200);
  const rootOf = async (ticketId: string, channel = DEFAULT) => (await slack.waitFor(isRootFor(ticketId), 5000)) && (await eventually('root ts', async () => (await threadOf(t, ticketId, channel))?.root_ts));

  describe('ticket.created', () => {
    it('posts one rich root message in the default channel, with a plain-text fallback', async () => {
      const ticket = await createTicket({ requesterId: bob.user.id });
      const call = await slack.waitFor(isRootFor(ticket.id), 5000);
      expect(call.token).toBe('xoxb-test');
      expect(call.args.channel).toBe(DEFAULT);
      expect(String(call.args.text)).toContain(ticket.number);
      expect(String(call.args.text)).toContain('Printer on fire');
      const blocks = call.args.blocks as { type: string; block_id?: string; text?: { text: string }; fields?: { text: string }[]; elements?: { action_id?: string; url?: string }[] }[];
      expect(blocks[0]).toMatchObject({ type: 'header' });
      expect(blocks[0].text!.text).toContain(`${ticket.number} Printer on fire`);
      const fields = blocks.find((b) => b.block_id === 'ticket_fields')!.fields!.map((f) => f.text).join('\n');
      expect(fields).toMatch(/Status\*\nNew/);
      expect(fields).toMatch(/Priority\*\n.*High/);
      expect(fields).toContain('Bob Builder');
      expect(fields).toMatch(/Assignee\*\n_Unassigned_/);
      expect(blocks.find((b) => b.block_id === 'ticket_description')!.text!.text).toContain('*really*');
      const actions = blocks.find((b) => b.block_id === 'ticket_actions')!.elements!;
      expect(actions.map((a) => a.action_id)).toEqual(['ticket.view', 'ticket.assign_me', 'ticket.add_comment', 'ticket.resolve', 'ticket.set_status']);
      expect(actions[0].url).toBe(`https://threadline.example.com/tickets/${ticket.number}`);
      await settled(t, ticket.id);
      expect(rootsFor(slack, ticket.id)).toHaveLength(1);
      expect(await threadOf(t, ticket.id, DEFAULT)).toMatchObject({ root_ts: call.response!.ts });
      expect(slack.invalidBlocksRejections()).toEqual([]);
    });
  });

  describe('changes', () => {
    it('updates the root message in place and says in the thread what changed and who did it', async () => {
      const ticket = await createTicket();
      const rootTs = await rootOf(ticket.id);
      await patch(ticket.id, { status: 'open' });
      await patch(ticket.id, { status: 'resolved' }, jane.auth);
      const resolvedReply = await slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === rootTs && String(c.args.text).includes('Resolved'), 5000);
      expect(String(resolvedReply.args.text)).toMatch(/\*Jane Agent\* changed status: Open → Resolved \(resolved in \d+s\)/);
      await settled(t, ticket.id);
      const updates = slack.calls('chat.update').filter((c) => c.args.ts === rootTs);
      expect(updates.length).toBeGreaterThanOrEqual(1);
      const last = updates[updates.length - 1];
      expect(textOf(last)).toMatch(/Status\*\\nResolved/);
      // Resolved tickets lose their Resolve button.
      expect(textOf(last)).not.toContain('ticket.resolve');
      // Exactly one root message, whatever happened since.
      expect(rootsFor(slack, ticket.id)).toHaveLength(1);
    });

    it('priority changes get a reply; title edits only refresh the card', async () => {
      const ticket = await createTicket({ priority: 'low' });
      const rootTs = await rootOf(ticket.id);
      await patch(ticket.id, { priority: 'critical' });
      await patch(ticket.id, { title: 'Printer on fire, again' });
      await settled(t, ticket.id);
      const replies = slack.calls('chat.postMessage').filter((c) => c.args.thread_ts === rootTs);
      expect(replies.map((c) => c.args.text)).toEqual([expect.stringMatching(/changed priority: Low → Critical/)]);
      const updates = slack.calls('chat.update').filter((c) => c.args.ts === rootTs);
      expect(textOf(updates[updates.length - 1])).toContain('Printer on fire, again');
      expect(textOf(updates[updates.length - 1])).toContain(':red_circle:');
    });

    it('an assignment DMs the assignee (found by email) and mentions them on the card', async () => {
      const ticket = await createTicket();
      const rootTs = await rootOf(ticket.id);
      await patch(ticket.id, { assigneeId: jane.user.id });
      const dm = await slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === 'D0JANE', 5000);
      expect(String(dm.args.text)).toContain('assigned you');
      expect(String(dm.args.text)).toContain(ticket.number);
      expect(slack.calls('users.lookupByEmail').some((c) => c.args.email === janeEmail)).toBe(true);
      await settled(t, ticket.id);
      const updates = slack.calls('chat.update').filter((c) => c.args.ts === rootTs);
      expect(textOf(updates[updates.length - 1])).toContain('<@U0JANE>');
      const replies = slack.calls('chat.postMessage').filter((c) => c.args.thread_ts === rootTs);
      expect(replies.map((c) => c.args.text)).toEqual([expect.stringMatching(/changed assignee: _none_ → Jane Agent/)]);
      // Assigning yourself needs no DM; someone unknown to Slack gets none.
      const dmsBefore = slack.calls('chat.postMessage').filter((c) => String(c.args.channel).startsWith('D')).length;
      const mine = await createTicket({ assigneeId: jane.user.id });
      await patch(mine.id, { assigneeId: bob.user.id }, jane.auth);
      await settled(t, mine.id);
      const selfAssigned = await api().post('/api/v1/tickets').set('Authorization', jane.auth).send({ title: 'Mine', priority: 'low', assigneeId: jane.user.id }).expect(201);
      await settled(t, selfAssigned.body.id);
      // Only the creation-time assignment of `mine` (by the admin) DMs Jane.
      expect(slack.calls('chat.postMessage').filter((c) => String(c.args.channel).startsWith('D')).length).toBe(dmsBefore + 1);
    });
  });

  describe('comments', () => {
    it('mirrors a public comment as a reply (Markdown as mrkdwn), then its edit and its deletion', async () => {
      const ticket = await createTicket();
      const rootTs = await rootOf(ticket.id);
      const comment = (await api().post(`/api/v1/tickets/${ticket.id}/comments`).set('Authorization', jane.auth).send({ body: 'Replaced the **toner**, see [docs](https://docs.example.com)' }).expect(201)).body;
      const reply = await slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === rootTs && (c.args.metadata as { event_payload?: { comment_id?: string } })?.event_payload?.comment_id === comment.id, 5000);
      expect(textOf(reply)).toContain('*toner*');
      expect(textOf(reply)).toContain('<https://docs.example.com/|docs>');
      expect(textOf(reply)).toContain('<@U0JANE>');
      const replyTs = reply.response!.ts as string;
      await api().patch(`/api/v1/tickets/${ticket.id}/comments/${comment.id}`).set('Authorization', jane.auth).send({ body: 'Replaced the toner twice' }).expect(200);
      const edit = await slack.waitFor((c) => c.method === 'chat.update' && c.args.ts === replyTs, 5000);
      expect(textOf(edit)).toContain('Replaced the toner twice');
      await api().delete(`/api/v1/tickets/${ticket.id}/comments/${comment.id}`).set('Authorization', jane.auth).expect(204);
      await slack.waitFor((c) => c.method === 'chat.delete' && c.args.ts === replyTs, 5000);
      expect(slack.thread(DEFAULT, rootTs).map((m) => m.ts)).toEqual([rootTs]);
    });

    it('never posts internal comments outside agents-only channels', async () => {
      const route = (await api().post('/api/v1/integrations/slack/routes').set('Authorization', t.admin).send({ channel: 'C0AGENTS', minPriority: 'critical', agentsOnly: true }).expect(201)).body;
      try {
        const ticket = await createTicket({ priority: 'critical' });
        const agentsRoot = await rootOf(ticket.id, 'C0AGENTS');
        // A route matched, so the default channel does not get this ticket at all.
        const internal = (await api().post(`/api/v1/tickets/${ticket.id}/comments`).set('Authorization', jane.auth).send({ body: 'Secret: the root password is hunter2', visibility: 'internal' }).expect(201)).body;
        await settled(t, ticket.id);
        const internalPosts = slack.calls('chat.postMessage').filter((c) => textOf(c).includes('hunter2'));
        expect(internalPosts.map((c) => c.args.channel)).toEqual(['C0AGENTS']);
        expect(internalPosts[0].args.thread_ts).toBe(agentsRoot);
        expect(textOf(internalPosts[0])).toContain('internal note');

        // The same ticket also mirrored in a normal channel: internal notes never go there.
        const ticket2 = await createTicket({ priority: 'high' });
        const publicRoot = await rootOf(ticket2.id, DEFAULT);
        await api().post(`/api/v1/tickets/${ticket2.id}/comments`).set('Authorization', jane.auth).send({ body: 'Internal only: hunter3', visibility: 'internal' }).expect(201);
        await patch(ticket2.id, { priority: 'critical' }); // now also routed to the agents channel
        await settled(t, ticket2.id);
        expect(slack.calls('chat.postMessage').filter((c) => textOf(c).includes('hunter3'))).toEqual([]);
        // Making an internal comment public publishes it.
        await api().patch(`/api/v1/tickets/${ticket.id}/comments/${internal.id}`).set('Authorization', jane.auth).send({ visibility: 'public', body: 'Now public' }).expect(200);
        await settled(t, ticket.id);
        expect(slack.calls('chat.postMessage').filter((c) => c.args.thread_ts === publicRoot && textOf(c).includes('hunter'))).toEqual([]);
      } finally {
        await api().delete(`/api/v1/integrations/slack/routes/${route.id}`).set('Authorization', t.admin).expect(204);
      }
    });

    it('does not echo a comment that came from this Slack thread back into it', async () => {
      const ticket = await createTicket();
      const rootTs = await rootOf(ticket.id);
      const ts = slack.addUserMessage({ channel: DEFAULT, user: 'U0OTHER', text: 'typed in Slack', thread_ts: rootTs });
      const comments = t.app.get(CommentsService);
      await comments.create(
        ticket.id,
        { body: 'typed in Slack', authorId: null, externalAuthor: { name: 'other', id: `slack:${OUT_TEAM}:U0OTHER` }, source: 'slack', externalRef: `slack:${OUT_TEAM}:${DEFAULT}:${ts}` },
        { actor: { type: 'external', id: null, name: 'other' }, origin: { channel: 'slack', ref: { team: OUT_TEAM, channel: DEFAULT, ts, threadTs: rootTs } } },
      );
      // A comment from elsewhere (the API) right after it is posted: the pipeline kept order.
      await api().post(`/api/v1/tickets/${ticket.id}/comments`).set('Authorization', jane.auth).send({ body: 'typed in the app' }).expect(201);
      await slack.waitFor((c) => c.method === 'chat.postMessage' && textOf(c).includes('typed in the app'), 5000);
      await settled(t, ticket.id);
      expect(slack.calls('chat.postMessage').filter((c) => textOf(c).includes('typed in Slack'))).toEqual([]);
      expect(slack.thread(DEFAULT, rootTs).map((m) => m.text)).toEqual([expect.stringContaining(ticket.number), 'typed in Slack', expect.stringContaining('typed in the app')]);
    });
  });

  describe('routing', () => {
    it('routes by priority and project, falls back to the default channel, and resolves #names to ids', async () => {
      slack.addChannel({ id: DEFAULT, name: 'support' });
      slack.addChannel({ id: 'C0AGENTS', name: 'agents' });
      slack.addChannel({ id: 'C0CRIT', name: 'incidents-critical' });
      slack.addChannel({ id: 'C0NET', name: 'network' });
      await api().post('/api/v1/projects').set('Authorization', t.admin).send({ key: 'NET', name: 'Network' }).expect(201);
      const critical = (await api().post('/api/v1/integrations/slack/routes').set('Authorization', t.admin).send({ channel: '#incidents-critical', priority: 'critical' }).expect(201)).body;
      expect(critical).toMatchObject({ channel: 'C0CRIT', channelName: 'incidents-critical', priority: 'critical', eventTypes: null, agentsOnly: false });
      const net = (await api().post('/api/v1/integrations/slack/routes').set('Authorization', t.admin).send({ channel: 'C0NET', projectKey: 'NET', eventTypes: ['ticket.created', 'sla.breached'] }).expect(201)).body;
      try {
        const crit = await createTicket({ priority: 'critical' });
        const netTicket = await createTicket({ priority: 'low', projectKey: 'NET' });
        const plain = await createTicket({ priority: 'low' });
        await slack.waitFor(isRootFor(crit.id), 5000);
        await slack.waitFor(isRootFor(netTicket.id), 5000);
        await slack.waitFor(isRootFor(plain.id), 5000);
        expect(rootsFor(slack, crit.id).map((c) => c.args.channel)).toEqual(['C0CRIT']);
        expect(rootsFor(slack, netTicket.id).map((c) => c.args.channel)).toEqual(['C0NET']);
        expect(rootsFor(slack, plain.id).map((c) => c.args.channel)).toEqual([DEFAULT]);
        // The NET route only wants creations and breaches: comments are not posted there.
        await api().post(`/api/v1/tickets/${netTicket.id}/comments`).set('Authorization', jane.auth).send({ body: 'noise for NET' }).expect(201);
        await settled(t, netTicket.id);
        expect(slack.calls('chat.postMessage').filter((c) => textOf(c).includes('noise for NET'))).toEqual([]);
        // A ticket routed nowhere yet gets its root message when it first matches a route.
        await patch(plain.id, { priority: 'critical' });
        const late = await slack.waitFor((c) => isRootFor(plain.id)(c) && c.args.channel === 'C0CRIT', 5000);
        expect(textOf(late)).toContain(':red_circle:');
        await settled(t, plain.id);
        // ... while its card in the default channel stays live.
        const defaultRoot = (await threadOf(t, plain.id, DEFAULT))!.root_ts;
        const updates = slack.calls('chat.update').filter((c) => c.args.ts === defaultRoot);
        expect(textOf(updates[updates.length - 1])).toContain('Critical');
      } finally {
        await api().delete(`/api/v1/integrations/slack/routes/${critical.id}`).set('Authorization', t.admin).expect(204);
        await api().delete(`/api/v1/integrations/slack/routes/${net.id}`).set('Authorization', t.admin).expect(204);
      }
    });

    it('validates routes: 400 naming the field, 404, 403 for agents', async () => {
      const post = (body: Record<string, unknown>, auth = t.admin) => api().post('/api/v1/integrations/slack/routes').set('Authorization', auth).send(body);
      const fieldOf = (res: { body: { errors?: { field: string }[] } }) => res.body.errors?.map((e) => e.field);
      expect(fieldOf(await post({ channel: 'support' }).expect(400))).toEqual(['channel']);
      expect(fieldOf(await post({}).expect(400))).toEqual(['channel']);
      expect(fieldOf(await post({ channel: '#no-such-channel' }).expect(400))).toEqual(['channel']);
      expect(fieldOf(await post({ channel: 'C0NET', eventTypes: ['ticket.exploded'] }).expect(400))).toEqual(['eventTypes']);
      expect(fieldOf(await post({ channel: 'C0NET', eventTypes: 'ticket.created' }).expect(400))).toEqual(['eventTypes']);
      expect(fieldOf(await post({ channel: 'C0NET', priority: 'urgent' }).expect(400))).toEqual(['priority']);
      expect(fieldOf(await post({ channel: 'C0NET', minPriority: 'urgent' }).expect(400))).toEqual(['minPriority']);
      expect(fieldOf(await post({ channel: 'C0NET', projectKey: 'NOPE' }).expect(400))).toEqual(['projectKey']);
      expect(fieldOf(await post({ channel: 'C0NET', projectKey: 'bad key' }).expect(400))).toEqual(['projectKey']);
      expect(fieldOf(await post({ channel: 'C0NET', agentsOnly: 'yes' }).expect(400))).toEqual(['agentsOnly']);
      expect(fieldOf(await post({ channel: 'C0NET', teamId: 'T0NOWHERE' }).expect(400))).toEqual(['teamId']);
      expect(fieldOf(await post({ channel: 'C0NET', color: 'red' }).expect(400))).toEqual(['color']);
      await post({ channel: 'C0NET' }, jane.auth).expect(403);
      await api().get('/api/v1/integrations/slack/routes/not-a-uuid').set('Authorization', t.admin).expect(400);
      await api().get('/api/v1/integrations/slack/routes/00000000-0000-4000-8000-000000000000').set('Authorization', t.admin).expect(404);
      await api().patch('/api/v1/integrations/slack/routes/00000000-0000-4000-8000-000000000000').set('Authorization', t.admin).send({ agentsOnly: true }).expect(404);
      const route = (await post({ channel: 'C0NET', minPriority: 'high' }).expect(201)).body;
      const changed = (await api().patch(`/api/v1/integrations/slack/routes/${route.id}`).set('Authorization', t.admin).send({ minPriority: null, eventTypes: ['comment.created'] }).expect(200)).body;
      expect(changed).toMatchObject({ channel: 'C0NET', minPriority: null, eventTypes: ['comment.created'] });
      expect(fieldOf(await api().patch(`/api/v1/integrations/slack/routes/${route.id}`).set('Authorization', t.admin).send({ channel: '' }).expect(400))).toEqual(['channel']);
      const listed = (await api().get('/api/v1/integrations/slack/routes').set('Authorization', t.admin).expect(200)).body;
      expect(listed.map((r: { id: string }) => r.id)).toContain(route.id);
      await api().delete(`/api/v1/integrations/slack/routes/${route.id}`).set('Authorization', t.admin).expect(204);
      await api().delete(`/api/v1/integrations/slack/routes/${route.id}`).set('Authorization', t.admin).expect(404);
    });
  });

  describe('admin', () => {
    it('shows the status and posts a test message, answering Slack errors clearly', async () => {
      const status = (await api().get('/api/v1/integrations/slack').set('Authorization', t.admin).expect(200)).body;
      expect(status).toMatchObject({ enabled: true, defaultChannel: DEFAULT, channelRatePerSecond: 50 });
      expect(status.installations).toEqual([expect.objectContaining({ teamId: OUT_TEAM, botUserId: 'U0BOT', active: true, source: 'env' })]);
      expect(status.deliveries).toMatchObject({ queued: expect.any(Number), failed: expect.any(Number) });
      const ok = (await api().post('/api/v1/integrations/slack/test').set('Authorization', t.admin).send({ channel: '#support' }).expect(200)).body;
      expect(ok).toMatchObject({ ok: true, teamId: OUT_TEAM, channel: DEFAULT });
      await slack.waitFor((c) => c.method === 'chat.postMessage' && String(c.args.text).includes('Threadline is connected'));
      slack.failNext('chat.postMessage', { error: 'not_in_channel' });
      const refused = await api().post('/api/v1/integrations/slack/test').set('Authorization', t.admin).send({ channel: DEFAULT }).expect(422);
      expect(refused.body).toMatchObject({ statusCode: 422, slackError: 'not_in_channel' });
      slack.failNext('chat.postMessage', { status: 503 });
      expect((await api().post('/api/v1/integrations/slack/test').set('Authorization', t.admin).send({}).expect(502)).body).toMatchObject({ slackError: 'http_503' });
      expect((await api().post('/api/v1/integrations/slack/test').set('Authorization', t.admin).send({ channel: 'general' }).expect(400)).body.errors[0].field).toBe('channel');
      await api().post('/api/v1/integrations/slack/test').set('Authorization', jane.auth).send({}).expect(403);
      const health = (await api().get('/health').expect(200)).body;
      expect(health.details.slack).toMatchObject({ status: 'up', state: 'enabled', activeInstallations: 1 });
    });
  });
});

describe('Slack outbound: off without a token', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SLACK_BOT_TOKEN: '', NOTIFY_POLL_INTERVAL_MS: '100' });
  });
  afterAll(() => t?.close());

  it('says so in /health and the status, and queues nothing for Slack', async () => {
    const health = (await t.http().get('/health').expect(200)).body;
    expect(health.details.slack).toMatchObject({ status: 'up', state: 'disabled' });
    const status = (await t.http().get('/api/v1/integrations/slack').set('Authorization', t.admin).expect(200)).body;
    expect(status).toMatchObject({ enabled: false, installations: [] });
    const ticket = (await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: 'No Slack', priority: 'low' }).expect(201)).body;
    await eventually('the event to be dispatched', async () => (await db(t).query(`SELECT 1 FROM outbox WHERE aggregate_id = $1 AND published_at IS NOT NULL`, [ticket.id])).length > 0);
    expect(await slackDeliveries(t, ticket.id)).toEqual([]);
    await t.http().post('/api/v1/integrations/slack/test').set('Authorization', t.admin).send({ channel: 'C0ANY' }).expect(409);
  });
});
