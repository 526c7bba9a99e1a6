import { InboundSlackSettings } from '../src/channels/slack/config/inbound-settings';
import { FakeSlackServer } from './support/fake-slack/fake-slack.server';
import { commandBody, db, postCommand, postSigned, ResponseUrlCapture, slackEnv, slackReady } from './support/slack-inbound';
import { startTestApp, TestApp } from './support/test-app';

/** `/ticket` end to end: form-encoded, signed, answered with ephemeral messages, never an error. */
describe('Slack inbound: /ticket slash command', () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const janeEmail = `jane.cmd.${suffix}@example.com`;
  const slack = new FakeSlackServer({
    users: [
      { id: 'U0JANE', name: 'jane', real_name: 'Jane Agent', email: janeEmail },
      { id: 'U0BOB', name: 'bob', real_name: 'Bob Outsider', email: `bob.cmd.${suffix}@nowhere.example` },
    ],
  });
  const capture = new ResponseUrlCapture();
  let t: TestApp;
  let jane: { id: string };

  beforeAll(async () => {
    await Promise.all([slack.start(), capture.start()]);
    t = await startTestApp(slackEnv(slack));
    await slackReady(t);
    jane = (await t.http().post('/api/v1/users').set('Authorization', t.admin).send({ name: 'Jane Agent', email: janeEmail, role: 'agent' }).expect(201)).body;
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([slack.stop(), capture.stop()]);
  });

  const run = async (text: string, user = 'U0JANE') => {
    const res = await postCommand(t, text, { user });
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe('ephemeral');
    return res.body as { text: string; blocks?: unknown[] };
  };
  const count = async (table: string) => (await db(t).query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

  it('answers help, an empty command and unknown subcommands with the usage', async () => {
    expect((await run('help')).text).toContain('/ticket create "Title"');
    expect((await run('')).text).toContain('/ticket TKT-12 status');
    const unknown = await run('crate "x"');
    expect(unknown.text).toContain('Unknown command');
    expect(unknown.text).toContain('Did you mean “create”?');
  });

  it('creates a ticket with quotes and a priority, the caller as requester', async () => {
    const res = await run('create "VPN drops every 10 minutes" "Since this morning, on macOS" --priority=critical');
    const number = /TKT-\d+/.exec(res.text)![0];
    const ticket = (await t.http().get(`/api/v1/tickets/${number}`).set('Authorization', t.admin).expect(200)).body;
    expect(ticket).toMatchObject({ title: 'VPN drops every 10 minutes', description: 'Since this morning, on macOS', priority: 'critical', requester: { id: jane.id } });
  });

  it('explains quoting, missing arguments and unknown priorities instead of failing', async () => {
    const before = await count('tickets');
    expect((await run('create "no closing quote')).text).toContain('without a closing one');
    expect((await run('create')).text).toContain('needs a title');
    expect((await run('create "x" --priority=urgent-ish')).text).toContain("isn't a priority");
    expect(await count('tickets')).toBe(before);
  });

  it('shows, changes status, assigns and comments on a ticket', async () => {
    const created = await run('create "Printer on fire" --priority=high');
    const number = /TKT-\d+/.exec(created.text)![0];
    const shown = await run(number);
    expect(JSON.stringify(shown.blocks)).toContain(number);

    expect((await run(`${number} status in_progress`)).text).toContain('In progress');
    expect((await run(`${number} status new`)).text).toMatch(/Cannot change status from in_progress to new.*Allowed next statuses: open, pending, resolved, closed/);
    expect((await run(`${number} status bogus`)).text).toContain("isn't a status");

    expect((await run(`${number} assign <@U0BOB|bob>`)).text).toContain('has no linked Threadline account');
    expect((await run(`${number} assign <@U0JANE|jane>`)).text).toContain('assigned to *Jane Agent*');
    expect((await run(`${number} assign`)).text).toContain('Who should');

    expect((await run(`${number} comment "Replaced the toner"`)).text).toContain('Comment added');
    const ticket = (await t.http().get(`/api/v1/tickets/${number}`).set('Authorization', t.admin).expect(200)).body;
    expect(ticket).toMatchObject({ status: 'in_progress', assignee: { id: jane.id } });
    const comments = (await t.http().get(`/api/v1/tickets/${number}/comments`).set('Authorization', t.admin).expect(200)).body.items;
    expect(comments).toEqual([expect.objectContaining({ body: 'Replaced the toner', source: 'slack', author: expect.objectContaining({ id: jane.id }) })]);
  });

  it('answers unknown ticket numbers helpfully', async () => {
    expect((await run('TKT-987654')).text).toContain('There is no ticket TKT-987654');
    expect((await run('TKT-987654 status open')).text).toContain('There is no ticket TKT-987654');
    expect((await run('12')).text).toContain('Ticket numbers look like TKT-12');
  });

  it('lists mine, the team queue and open critical tickets', async () => {
    await run('create "Critical thing" --priority=critical');
    const crit = await run('open-critical');
    expect(crit.text).toContain('Open critical tickets');
    expect(crit.text).toContain('Critical thing');
    expect((await run('team')).text).toContain('Open tickets of the team');
    expect((await run('mine')).text).toContain('Printer on fire');
  });

  it('tells people without a linked account how to link, and stores nothing for them', async () => {
    const before = await count('comments');
    for (const text of ['mine', 'TKT-1', 'TKT-1 status open', 'TKT-1 comment "hi"']) expect((await run(text, 'U0BOB')).text).toContain('/ticket link');
    expect((await run('link', 'U0BOB')).text).toContain('No active Threadline account');
    expect((await run('link someone.else@example.com', 'U0BOB')).text).toContain('I link by the email on your Slack profile');
    // Jane was linked by her matching email the first time she used the command.
    expect((await run('link', 'U0JANE')).text).toContain('already linked to Jane Agent');
    expect(await count('comments')).toBe(before);
  });

  it('refuses absurdly long text with a message, storing nothing', async () => {
    const before = await count('tickets');
    const res = await run(`create "${'x'.repeat(5000)}"`);
    expect(res.text).toContain('too long');
    expect((await run(`create "${'y'.repeat(180)}"`)).text).toContain('The title is too long');
    expect(await count('tickets')).toBe(before);
  });

  it('answers 400 for malformed forms and missing fields, 401 for bad signatures', async () => {
    const form = { contentType: 'application/x-www-form-urlencoded' };
    expect((await postSigned(t, '/slack/commands', '', form)).status).toBe(400);
    expect((await postSigned(t, '/slack/commands', '{"team_id":"T0TEST"}', form)).status).toBe(400);
    expect((await postSigned(t, '/slack/commands', commandBody('help').replace('team_id=T0TEST', 'team_id='), form)).status).toBe(400);
    expect((await postSigned(t, '/slack/commands', commandBody('help').replace(/user_id=[^&]+/, ''), form)).status).toBe(400);
    expect((await postSigned(t, '/slack/commands', commandBody('help'), { ...form, timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect((await postSigned(t, '/slack/commands', commandBody('help'), { ...form, signedBody: commandBody('mine') })).status).toBe(401);
  });

  it('answers at once and sends the result to response_url when the work is slow', async () => {
    const settings = t.app.get(InboundSlackSettings);
    const deadline = settings.SLACK_ACK_DEADLINE_MS;
    settings.SLACK_ACK_DEADLINE_MS = 0;
    try {
      const res = await postCommand(t, 'create "Slow path ticket"', { responseUrl: capture.url('/slow') }).expect(200);
      expect(res.body).toEqual({ response_type: 'ephemeral', text: 'Working on it…' });
      const later = await capture.waitFor('/slow');
      expect(later).toMatchObject({ response_type: 'ephemeral' });
      expect(String(later.text)).toMatch(/Created \*TKT-\d+\*/);
    } finally {
      settings.SLACK_ACK_DEADLINE_MS = deadline;
    }
  });
});
