import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { signSlackRequest } from '../../src/channels/slack/guards/verify-slack-signature';
import { SlackInstallationsService } from '../../src/channels/slack/installations/slack-installations.service';
import { InboundWorkQueue } from '../../src/channels/slack/sync/inbound-work-queue';
import type { FakeSlackServer, StoredMessage } from './fake-slack/fake-slack.server';
import type { TestApp } from './test-app';

/** Helpers for the inbound Slack suites: signed requests shaped like Slack's, and the fake's state. */

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const TEAM = 'T0TEST';

/** Environment that points the app's Slack side at a fake Slack server (reconciler timers off). */
export function slackEnv(slack: FakeSlackServer, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    SLACK_TIMEOUT_MS: '3000',
    SLACK_RECONCILE_START_DELAY_MS: '-1',
    SLACK_RECONCILE_INTERVAL_MS: '0',
    ...extra,
  };
}

/** Waits until the env workspace is identified (auth.test) and stored as an installation. */
export async function slackReady(t: TestApp): Promise<void> {
  await t.app.get(SlackInstallationsService).envTeamId();
}

export interface SignOptions {
  /** Unix seconds; default now. */
  timestamp?: number;
  secret?: string;
  retryNum?: number;
  contentType?: string;
  /** Sign this body but send `body` (tampering). */
  signedBody?: string;
  headers?: Record<string, string>;
}

export function signedHeaders(body: string, opts: SignOptions = {}): Record<string, string> {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'X-Slack-Request-Timestamp': String(ts),
    'X-Slack-Signature': signSlackRequest(opts.secret ?? SIGNING_SECRET, ts, opts.signedBody ?? body),
    ...(opts.retryNum !== undefined && { 'X-Slack-Retry-Num': String(opts.retryNum), 'X-Slack-Retry-Reason': 'http_timeout' }),
    ...opts.headers,
  };
}

export function postSigned(t: TestApp, path: string, body: string, opts: SignOptions = {}) {
  return t
    .http()
    .post(path)
    .set({ 'Content-Type': opts.contentType ?? 'application/json', ...signedHeaders(body, opts) })
    .send(body);
}

let eventSeq = 0;
export const newEventId = () => `Ev${Date.now().toString(36).toUpperCase()}${(++eventSeq).toString(36).toUpperCase()}${randomBytes(3).toString('hex').toUpperCase()}`;

/** An Events API envelope around `event`, as Slack sends it. */
export function envelope(event: Record<string, unknown>, opts: { eventId?: string; teamId?: string } = {}) {
  return {
    token: 'legacy-verification-token',
    team_id: opts.teamId ?? TEAM,
    api_app_id: 'A0APP',
    event: { event_ts: event.ts ?? '1700000000.000001', ...event },
    type: 'event_callback',
    event_id: opts.eventId ?? newEventId(),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: opts.teamId ?? TEAM, user_id: 'U0BOT', is_bot: true }],
    is_ext_shared_channel: false,
  };
}

export function postEvent(t: TestApp, event: Record<string, unknown>, opts: SignOptions & { eventId?: string; teamId?: string } = {}) {
  return postSigned(t, '/slack/events', JSON.stringify(envelope(event, opts)), opts);
}

/** A `message` event for a reply typed by a person in a thread. */
export function replyEvent(m: { channel: string; user: string; text: string; ts: string; threadTs: string; files?: unknown[] }) {
  return {
    type: 'message',
    channel: m.channel,
    user: m.user,
    text: m.text,
    ts: m.ts,
    thread_ts: m.threadTs,
    parent_user_id: 'U0BOT',
    channel_type: 'channel',
    team: TEAM,
    blocks: [{ type: 'rich_text', block_id: 'x', elements: [] }],
    ...(m.files && { files: m.files, subtype: 'file_share' }),
  };
}

/** Form-encoded slash command, as Slack sends it. */
export function commandBody(text: string, opts: { user?: string; channel?: string; responseUrl?: string; command?: string } = {}): string {
  return new URLSearchParams({
    token: 'legacy',
    team_id: TEAM,
    team_domain: 'threadline-test',
    channel_id: opts.channel ?? 'C0TICKETS',
    channel_name: 'tickets',
    user_id: opts.user ?? 'U0JANE',
    user_name: 'jane',
    command: opts.command ?? '/ticket',
    text,
    api_app_id: 'A0APP',
    is_enterprise_install: 'false',
    response_url: opts.responseUrl ?? 'https://hooks.slack.com/commands/T0TEST/1/abc',
    trigger_id: '123.456.abc',
  }).toString();
}

export function postCommand(t: TestApp, text: string, opts: Parameters<typeof commandBody>[1] = {}) {
  return postSigned(t, '/slack/commands', commandBody(text, opts), { contentType: 'application/x-www-form-urlencoded' });
}

export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function postInteraction(t: TestApp, payload: Record<string, unknown>) {
  return postSigned(t, '/slack/interactions', interactionBody(payload), { contentType: 'application/x-www-form-urlencoded' });
}

/** A block_actions payload for one button or select on a ticket message. */
export function blockAction(a: { user: string; actionId: string; value?: string; selected?: string; channel?: string; messageTs?: string; responseUrl?: string }) {
  const action: Record<string, unknown> = { action_id: a.actionId, block_id: 'ticket_actions', type: a.selected ? 'static_select' : 'button', action_ts: '1700000000.1' };
  if (a.value !== undefined) action.value = a.value;
  if (a.selected !== undefined) action.selected_option = { text: { type: 'plain_text', text: 'x' }, value: a.selected };
  return {
    type: 'block_actions',
    user: { id: a.user, username: 'someone', name: 'someone', team_id: TEAM },
    api_app_id: 'A0APP',
    token: 'legacy',
    container: { type: 'message', message_ts: a.messageTs ?? '1700000000.000100', channel_id: a.channel ?? 'C0TICKETS', is_ephemeral: false },
    trigger_id: '123.456.trigger',
    team: { id: TEAM, domain: 'threadline-test' },
    channel: { id: a.channel ?? 'C0TICKETS', name: 'tickets' },
    message: { type: 'message', ts: a.messageTs ?? '1700000000.000100', text: 'card', bot_id: 'B0BOT' },
    response_url: a.responseUrl ?? 'https://hooks.slack.com/actions/T0TEST/1/abc',
    actions: [action],
  };
}

/** A view_submission payload. */
export function viewSubmission(a: { user: string; callbackId: string; privateMetadata?: string; values: Record<string, Record<string, unknown>>; viewId?: string }) {
  return {
    type: 'view_submission',
    team: { id: TEAM, domain: 'threadline-test' },
    user: { id: a.user, username: 'someone', name: 'someone', team_id: TEAM },
    api_app_id: 'A0APP',
    token: 'legacy',
    trigger_id: '123.456.trigger',
    view: {
      id: a.viewId ?? `V${randomBytes(5).toString('hex').toUpperCase()}`,
      team_id: TEAM,
      type: 'modal',
      callback_id: a.callbackId,
      private_metadata: a.privateMetadata ?? '',
      state: { values: a.values },
      hash: '1.abc',
    },
    response_urls: [],
  };
}

export const textInput = (value: string) => ({ type: 'plain_text_input', value });
export const staticSelect = (value: string) => ({ type: 'static_select', selected_option: { text: { type: 'plain_text', text: value }, value } });

/** Waits until the inbound work this app queued or runs is done. */
export async function settle(t: TestApp): Promise<void> {
  await t.app.get(InboundWorkQueue).drain(20_000);
}

export function db(t: TestApp): DataSource {
  return t.app.get(DataSource);
}

/** Posts a bot root message for a ticket in the fake Slack and links it as the ticket's thread. */
export async function linkThread(t: TestApp, slack: FakeSlackServer, ticketId: string, channel = 'C0TICKETS'): Promise<string> {
  const res = await fetch(`${slack.apiUrl}chat.postMessage`, {
    method: 'POST',
    headers: { authorization: 'Bearer xoxb-test', 'content-type': 'application/json' },
    body: JSON.stringify({ channel, text: `ticket ${ticketId}` }),
  });
  const body = (await res.json()) as { ts: string };
  await db(t).query(`INSERT INTO slack_threads (ticket_id, team_id, channel_id, root_ts) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [ticketId, TEAM, channel, body.ts]);
  return body.ts;
}

/** Edits a person's message in the fake, as Slack would show it afterwards. */
export function editUserMessage(slack: FakeSlackServer, channel: string, ts: string, text: string): void {
  const message = slack.messages(channel).find((m) => m.ts === ts);
  if (!message) throw new Error(`no message ${ts}`);
  message.text = text;
  message.edited = { user: message.user ?? 'U0', ts: `${ts.split('.')[0]}.999999` };
}

/** Deletes a person's message from the fake (chat.delete refuses other people's messages, like Slack). */
export function deleteUserMessage(slack: FakeSlackServer, channel: string, ts: string): void {
  const store = (slack as unknown as { messagesByChannel: Map<string, StoredMessage[]> }).messagesByChannel;
  const list = store.get(channel) ?? [];
  const i = list.findIndex((m) => m.ts === ts);
  if (i >= 0) list.splice(i, 1);
}

/** Captures POSTs to response_url. */
export class ResponseUrlCapture {
  private server?: Server;
  readonly received: { path: string; body: Record<string, unknown> }[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          this.received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch {
          this.received.push({ path: req.url ?? '', body: {} });
        }
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
  }

  url(path = '/response'): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}${path}`;
  }

  async waitFor(path: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = this.received.find((r) => r.path === path);
      if (hit) return hit.body;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`nothing POSTed to ${path}`);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
