import { DataSource } from 'typeorm';
import { SlackInstallationsService } from '../../src/channels/slack/installations/slack-installations.service';
import type { FakeSlackServer, RecordedCall } from './fake-slack/fake-slack.server';
import type { TestApp } from './test-app';

/** Helpers for the outbound Slack suites. */

export const OUT_TEAM = 'T0TEST';

/** Environment pointing the app at a fake Slack, with fast retries and the inbound timers off. */
export function outboundEnv(slack: FakeSlackServer, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: 'test-signing-secret-0123456789abcdef',
    SLACK_API_URL: slack.apiUrl,
    SLACK_DEFAULT_CHANNEL: 'C0DEFAULT',
    SLACK_TIMEOUT_MS: '2000',
    SLACK_CHANNEL_RATE_PER_SEC: '50',
    SLACK_RECONCILE_START_DELAY_MS: '-1',
    SLACK_RECONCILE_INTERVAL_MS: '0',
    APP_BASE_URL: 'https://threadline.example.com',
    NOTIFY_POLL_INTERVAL_MS: '100',
    NOTIFY_BACKOFF_BASE_MS: '100',
    NOTIFY_BACKOFF_MAX_MS: '5000',
    ...extra,
  };
}

export async function outboundReady(t: TestApp): Promise<void> {
  await t.app.get(SlackInstallationsService).envTeamId();
}

/** Polls `check` until it returns a truthy value (for database state; Slack calls use fake.waitFor). */
export async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const db = (t: TestApp) => t.app.get(DataSource);

export async function threadOf(t: TestApp, ticketId: string, channelId: string): Promise<{ root_ts: string | null; agents_only: boolean } | undefined> {
  const rows = await db(t).query(`SELECT root_ts, agents_only FROM slack_threads WHERE ticket_id = $1 AND channel_id = $2`, [ticketId, channelId]);
  return rows[0];
}

export async function slackDeliveries(t: TestApp, ticketId: string): Promise<{ event_type: string; target: string; status: string; attempts: number; last_error: string | null }[]> {
  return db(t).query(`SELECT event_type, target, status, attempts, last_error FROM notification_deliveries WHERE channel = 'slack' AND aggregate_id = $1 ORDER BY outbox_id, target`, [ticketId]);
}

/** Waits until every Slack delivery of the ticket is finished (delivered or dead-lettered). */
export async function settled(t: TestApp, ticketId: string, timeoutMs = 15_000) {
  return eventually(
    `the Slack deliveries of ${ticketId} to finish`,
    async () => {
      const rows = await slackDeliveries(t, ticketId);
      const outbox = await db(t).query(`SELECT count(*)::int AS n FROM outbox WHERE aggregate_id = $1 AND published_at IS NULL`, [ticketId]);
      return rows.length && outbox[0].n === 0 && rows.every((r) => r.status === 'delivered' || r.status === 'failed') ? rows : null;
    },
    timeoutMs,
  );
}

export const posts = (slack: FakeSlackServer, channel?: string) =>
  slack.calls('chat.postMessage').filter((c) => c.status === 200 && c.response?.ok && (!channel || c.args.channel === channel));

/** A root message call for the ticket (checked as the call arrives: its response is not there yet). */
export const isRootFor = (ticketId: string) => (c: RecordedCall) =>
  c.method === 'chat.postMessage' && !c.args.thread_ts && (c.args.metadata as { event_payload?: { ticket_id?: string } } | undefined)?.event_payload?.ticket_id === ticketId;

/** Root messages Slack accepted. */
export const rootsFor = (slack: FakeSlackServer, ticketId: string) => slack.calls('chat.postMessage').filter((c) => isRootFor(ticketId)(c) && c.response?.ok === true);

export const textOf = (c: RecordedCall) => `${String(c.args.text ?? '')}\n${JSON.stringify(c.args.blocks ?? [])}`;
