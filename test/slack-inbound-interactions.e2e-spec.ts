import { MODAL_INPUTS } from '../src/channels/slack/blocks/modals.blocks';
import { TICKET_ACTIONS, TICKET_MODALS } from '../src/channels/slack/blocks/slack-message';
import { encodeStatusOptionValue } from '../src/channels/slack/blocks/ticket-message.blocks';
import { FakeSlackServer } from './support/fake-slack/fake-slack.server';
import {
  blockAction,
  db,
  interactionBody,
  postInteraction,
  postSigned,
  settle,
  slackEnv,
  slackReady,
  staticSelect,
  TEAM,
  textInput,
  viewSubmission,
} from './support/slack-inbound';
import { startTestApp, TestApp } from './support/test-app';

/** Buttons, selects, shortcuts and modals end to end (form field `payload` with JSON, signed). */
describe('Slack inbound: interactivity', () => {
  const CHANNEL = 'C0TICKETS';
  const suffix = Math.random().toString(36).slice(2, 8);
  const janeEmail = `jane.int.${suffix}@example.com`;
  const slack = new FakeSlackServer({
    users: [
      { id: 'U0JANE', name: 'jane', real_name: 'Jane Agent', email: janeEmail },
      { id: 'U0BOB', name: 'bob', real_name: 'Bob Outsider', email: `bob.int.${suffix}@nowhere.example` },
    ],
  });
  let t: TestApp;
  let jane: { id: string };
  let seq = 0;

  beforeAll(async () => {
    await slack.start();
    t = await startTestApp(slackEnv(slack));
    await slackReady(t);
    jane = (await t.http().post('/api/v1/users').set('Authorization', t.admin).send({ name: 'Jane Agent', email: janeEmail, role: 'agent' }).expect(201)).body;
  });
  afterAll(async () => {
    await t?.close();
    await slack.stop();
  });

  const newTicket = async () => (await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: `Interactive ${++seq}`, priority: 'medium' }).expect(201)).body;
  const getTicket = async (id: string) => (await t.http().get(`/api/v1/tickets/${id}`).set('Authorization', t.admin).expect(200)).body;
  const comments = async (id: string) => (await t.http().get(`/api/v1/tickets/${id}/comments`).set('Authorization', t.admin).expect(200)).body.items;
  const lastEphemeral = (user: string) => slack.ephemeralMessages().filter((m) => m.user === user).pop();
  const count = async (table: string) => (await db(t).query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

  async function act(payload: Record<string, unknown>) {
    const res = await postInteraction(t, payload);
    expect(res.status).toBe(200);
    await settle(t);
    return res;
  }

  describe('buttons and selects', () => {
    it('assigns to me and changes status for a linked agent, with an ephemeral confirmation', async () => {
      const ticket = await newTicket();
      await act(blockAction({ user: 'U0JANE', actionId: TICKET_ACTIONS.assignMe, value: ticket.id }));
      expect((await getTicket(ticket.id)).assignee).toMatchObject({ id: jane.id });
      expect(lastEphemeral('U0JANE')).toMatchObject({ channel: CHANNEL, text: `You are now the assignee of ${ticket.number}.` });

      await act(blockAction({ user: 'U0JANE', actionId: TICKET_ACTIONS.setStatus, selected: encodeStatusOptionValue(ticket.id, 'in_progress') }));
      expect((await getTicket(ticket.id)).status).toBe('in_progress');
      await act(blockAction({ user: 'U0JANE', actionId: TICKET_ACTIONS.setStatus, selected: encodeStatusOptionValue(ticket.id, 'new') }));
      expect(lastEphemeral('U0JANE')!.text).toContain('Cannot change status from in_progress to new');
    });

    it('refuses people without a linked account with an explanation of how to link', async () => {
      const ticket = await newTicket();
      await act(blockAction({ user: 'U0BOB', actionId: TICKET_ACTIONS.assignMe, value: ticket.id }));
      expect((await getTicket(ticket.id)).assignee).toBeNull();
      expect(lastEphemeral('U0BOB')!.text).toContain('/ticket link');
    });

    it('opens the comment and resolve modals', async () => {
      const ticket = await newTicket();
      await act(blockAction({ user: 'U0JANE', actionId: TICKET_ACTIONS.addComment, value: ticket.id }));
      await act(blockAction({ user: 'U0JANE', actionId: TICKET_ACTIONS.resolve, value: ticket.id }));
      const views = slack.calls('views.open').slice(-2).map((c) => c.args.view as { callback_id: string; private_metadata: string });
      expect(views.map((v) => v.callback_id)).toEqual([TICKET_MODALS.comment, TICKET_MODALS.resolve]);
      expect(views.every((v) => v.private_metadata === ticket.id)).toBe(true);
      expect(slack.calls('views.open').slice(-2).every((c) => c.response?.ok === true)).toBe(true);
    });

    it('answers unknown action ids with an ephemeral "not supported" and stores nothing', async () => {
      const before = [await count('tickets'), await count('comments'), await count('ticket_activity')];
      await act(blockAction({ user: 'U0JANE', actionId: 'ticket.self_destruct', value: 'x' }));
      expect(lastEphemeral('U0JANE')!.text).toContain("isn't supported");
      await act(blockAction({ user: 'U0JANE', actionId: TICKET_ACTIONS.assignMe, value: 'not-a-uuid' }));
      await act(blockAction({ user: 'U0JANE', actionId: TICKET_ACTIONS.setStatus, selected: 'garbage' }));
      expect([await count('tickets'), await count('comments'), await count('ticket_activity')]).toEqual(before);
    });
  });

  describe('modal submissions', () => {
    it('adds a comment (public or internal), and returns field errors for an empty one', async () => {
      const ticket = await newTicket();
      const empty = await act(viewSubmission({ user: 'U0JANE', callbackId: TICKET_MODALS.comment, privateMetadata: ticket.id, values: { comment: { body: textInput('   ') } } }));
      expect(empty.body).toEqual({ response_action: 'errors', errors: { [MODAL_INPUTS.comment.block_id]: 'Write a comment.' } });
      const ok = await act(
        viewSubmission({
          user: 'U0JANE',
          callbackId: TICKET_MODALS.comment,
          privateMetadata: ticket.id,
          values: { comment: { body: textInput('Checked the logs') }, visibility: { internal: { type: 'checkboxes', selected_options: [{ value: 'internal' }] } } },
        }),
      );
      expect(ok.text).toBe('');
      expect(await comments(ticket.id)).toEqual([expect.objectContaining({ body: 'Checked the logs', visibility: 'internal', source: 'slack', author: expect.objectContaining({ id: jane.id }) })]);
      const unlinked = await act(viewSubmission({ user: 'U0BOB', callbackId: TICKET_MODALS.comment, privateMetadata: ticket.id, values: { comment: { body: textInput('hi') } } }));
      expect(unlinked.body.errors.comment).toContain('/ticket link');
      const gone = await act(viewSubmission({ user: 'U0JANE', callbackId: TICKET_MODALS.comment, privateMetadata: '00000000-0000-4000-8000-000000000000', values: { comment: { body: textInput('hi') } } }));
      expect(gone.body).toMatchObject({ response_action: 'errors', errors: { comment: expect.stringContaining('not found') } });
    });

    it('resolves with a note, and refuses to resolve twice', async () => {
      const ticket = await newTicket();
      const values = { resolution: { note: textInput('Replaced the cable') } };
      const res = await act(viewSubmission({ user: 'U0JANE', callbackId: TICKET_MODALS.resolve, privateMetadata: ticket.id, values }));
      expect(res.text).toBe('');
      expect((await getTicket(ticket.id)).status).toBe('resolved');
      expect((await comments(ticket.id)).map((c: { body: string }) => c.body)).toEqual(['Replaced the cable']);
      const again = await act(viewSubmission({ user: 'U0JANE', callbackId: TICKET_MODALS.resolve, privateMetadata: ticket.id, values }));
      expect(again.body.errors.resolution).toContain('cannot be resolved now');
      const noNote = await act(viewSubmission({ user: 'U0JANE', callbackId: TICKET_MODALS.resolve, privateMetadata: ticket.id, values: { resolution: { note: textInput('') } } }));
      expect(noNote.body.errors.resolution).toBe('Say how it was resolved.');
    });

    it('creates a ticket from the global shortcut’s modal, with field errors first', async () => {
      await act({ type: 'shortcut', callback_id: 'ticket.create', trigger_id: '1.2.3', team: { id: TEAM }, user: { id: 'U0JANE', team_id: TEAM }, token: 'x', action_ts: '1' });
      const view = slack.calls('views.open').pop()!.args.view as { callback_id: string };
      expect(view.callback_id).toBe(TICKET_MODALS.create);

      const bad = await act(viewSubmission({ user: 'U0JANE', callbackId: TICKET_MODALS.create, values: { title: { title: textInput('') }, priority: { priority: staticSelect('extreme') } } }));
      expect(bad.body).toEqual({ response_action: 'errors', errors: { title: 'Give the ticket a title.', priority: 'Choose a priority.' } });
      const long = await act(viewSubmission({ user: 'U0JANE', callbackId: TICKET_MODALS.create, values: { title: { title: textInput('t'.repeat(201)) } } }));
      expect(long.body.errors.title).toContain('at most 200');
      const project = await act(viewSubmission({ user: 'U0JANE', callbackId: TICKET_MODALS.create, values: { title: { title: textInput('x') }, project: { project: staticSelect('NOPE') } } }));
      expect(project.body.errors.project).toContain('does not exist');

      const before = await count('tickets');
      const ok = await act(
        viewSubmission({
          user: 'U0JANE',
          callbackId: TICKET_MODALS.create,
          values: { title: { title: textInput('Monitor flickers') }, description: { description: textInput('Since Monday') }, priority: { priority: staticSelect('high') } },
        }),
      );
      expect(ok.text).toBe('');
      expect(await count('tickets')).toBe(before + 1);
      const list = (await t.http().get('/api/v1/tickets?q=Monitor%20flickers').set('Authorization', t.admin).expect(200)).body.items;
      expect(list[0]).toMatchObject({ title: 'Monitor flickers', description: 'Since Monday', priority: 'high', requester: { id: jane.id } });
    });

    it('creates a ticket from a message through the message shortcut, linking its thread', async () => {
      const ts = slack.addUserMessage({ channel: CHANNEL, user: 'U0BOB', text: 'The *coffee machine* is leaking\nwater everywhere' });
      await act({
        type: 'message_action',
        callback_id: 'ticket.create_from_message',
        trigger_id: '1.2.3',
        team: { id: TEAM },
        user: { id: 'U0JANE', team_id: TEAM },
        channel: { id: CHANNEL, name: 'tickets' },
        message: { type: 'message', user: 'U0BOB', text: 'The *coffee machine* is leaking\nwater everywhere', ts },
        response_url: 'https://hooks.slack.com/app/x',
        token: 'x',
        action_ts: '1',
      });
      const view = slack.calls('views.open').pop()!.args.view as { private_metadata: string; blocks: { block_id: string; element: { initial_value?: string } }[] };
      expect(view.blocks.find((b) => b.block_id === 'title')!.element.initial_value).toBe('The **coffee machine** is leaking');
      await act(
        viewSubmission({
          user: 'U0JANE',
          callbackId: TICKET_MODALS.create,
          privateMetadata: view.private_metadata,
          values: { title: { title: textInput('Coffee machine leaking') }, priority: { priority: staticSelect('low') } },
        }),
      );
      const linked = await db(t).query(`SELECT ticket_id FROM slack_threads WHERE channel_id = $1 AND root_ts = $2`, [CHANNEL, ts]);
      expect(linked).toHaveLength(1);
      const ticket = await getTicket(linked[0].ticket_id);
      expect(ticket).toMatchObject({ title: 'Coffee machine leaking', priority: 'low' });
      expect(ticket.description).toContain('coffee machine');
      // The card answers in the message's thread (posted by the outbound side when it runs), once.
      await slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts, 5000);
      await new Promise((r) => setTimeout(r, 300));
      expect(slack.calls('chat.postMessage').filter((c) => c.args.thread_ts === ts && JSON.stringify(c.args.blocks ?? '').includes(ticket.number))).toHaveLength(1);
      // A second submission for the same message names the existing ticket.
      const again = await act(viewSubmission({ user: 'U0JANE', callbackId: TICKET_MODALS.create, privateMetadata: view.private_metadata, values: { title: { title: textInput('dup') } } }));
      expect(again.body.errors.title).toContain(ticket.number);
    });
  });

  describe('bad input', () => {
    it('answers 400 for payloads that are not JSON or lack required fields, 200 for interaction types it ignores', async () => {
      const form = { contentType: 'application/x-www-form-urlencoded' };
      expect((await postSigned(t, '/slack/interactions', 'payload=%7Bnot-json', form)).status).toBe(400);
      expect((await postSigned(t, '/slack/interactions', 'nothing=here', form)).status).toBe(400);
      expect((await postSigned(t, '/slack/interactions', interactionBody({ type: 'block_actions', team: { id: TEAM }, user: { id: 'U0JANE' }, actions: [] }), form)).status).toBe(400);
      expect((await postSigned(t, '/slack/interactions', interactionBody({ type: 'view_submission', team: { id: TEAM }, user: { id: 'U0JANE' } }), form)).status).toBe(400);
      expect((await postSigned(t, '/slack/interactions', interactionBody({ type: 'block_actions', user: { id: 'U0JANE' }, actions: [{ action_id: 'x' }] }), form)).status).toBe(400);
      expect((await postSigned(t, '/slack/interactions', interactionBody({ type: 'view_closed', team: { id: TEAM }, user: { id: 'U0JANE' } }), form)).status).toBe(200);
      const unknownModal = await postInteraction(t, viewSubmission({ user: 'U0JANE', callbackId: 'someone.elses_modal', values: {} }));
      expect(unknownModal.status).toBe(200);
    });
  });
});
