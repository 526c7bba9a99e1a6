import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { InboundSlackSettings } from '../config/inbound-settings';
import { SlackSettings } from '../config/slack-settings';
import { SlackInstallationsService } from '../installations/slack-installations.service';
import { classifySlackError, slackErrorCode } from '../slack-client/slack-errors';
import { toInboundMessage } from './inbound-payloads';
import { InboundThreadSync, Workspace } from './inbound-thread-sync.service';
import { InboundThreadsRepository, LinkedThread } from './inbound-threads.repository';
import { InboundWorkQueue } from './inbound-work-queue';

export interface ReconcileReport {
  threads: number;
  created: number;
  updated: number;
  deleted: number;
  failed: number;
  durationMs: number;
}

const PAGE = 200;
const MAX_PAGES = 50;

/**
 * Nothing missed stays missed. Reads linked threads back with conversations.replies and applies
 * what did not arrive as events (downtime, a lost event, a reinstall): missing replies become
 * comments, edited replies update theirs, and comments whose reply is gone from the thread are
 * deleted. It writes through the same code and unique keys as the event handlers and runs each
 * thread in that thread's queue lane, so it can run any number of times, even while events arrive.
 *
 * Only comments that came from Slack replies (source slack, linked in slack_messages with that
 * thread) are ever deleted, and only after the whole thread was read; our own bot's messages
 * (comments mirrored from the API) are never treated as replies.
 *
 * Runs: once shortly after start (all threads), every SLACK_RECONCILE_INTERVAL_MS for threads active
 * in the last SLACK_RECONCILE_ACTIVE_HOURS, and on demand (POST /api/v1/integrations/slack/reconcile).
 */
@Injectable()
export class SlackReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SlackReconciler');
  private timers: NodeJS.Timeout[] = [];
  private periodic?: Promise<ReconcileReport>;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly slack: SlackSettings,
    private readonly settings: InboundSlackSettings,
    private readonly installations: SlackInstallationsService,
    private readonly threads: InboundThreadsRepository,
    private readonly sync: InboundThreadSync,
    private readonly queue: InboundWorkQueue,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.PROCESS_ROLE === 'api' || !this.slack.enabled) return;
    const { SLACK_RECONCILE_START_DELAY_MS: delay, SLACK_RECONCILE_INTERVAL_MS: interval, SLACK_RECONCILE_ACTIVE_HOURS: hours } = this.settings;
    if (delay >= 0) this.timers.push(setTimeout(() => this.background({}), delay));
    if (interval > 0) this.timers.push(setInterval(() => this.background({ since: new Date(Date.now() - hours * 3_600_000) }), interval));
    for (const t of this.timers) t.unref();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
  }

  private background(scope: { since?: Date }): void {
    if (this.periodic || this.stopped) return;
    this.periodic = this.reconcile(scope)
      .then((r) => {
        if (r.created || r.updated || r.deleted || r.failed) this.logger.log(r, 'Slack threads reconciled');
        return r;
      })
      .catch((err) => {
        this.logger.warn(`reconciliation failed: ${err instanceof Error ? err.message : err}`);
        return undefined as never;
      })
      .finally(() => (this.periodic = undefined));
  }

  async reconcile(scope: { since?: Date; teamId?: string } = {}): Promise<ReconcileReport> {
    const started = Date.now();
    const report: ReconcileReport = { threads: 0, created: 0, updated: 0, deleted: 0, failed: 0, durationMs: 0 };
    const workspaces = new Map<string, Workspace | null>();
    for (const thread of await this.threads.list(scope.since, scope.teamId)) {
      if (this.stopped) break;
      let ws = workspaces.get(thread.teamId);
      if (ws === undefined) {
        const found = await this.installations.client(thread.teamId);
        ws = found ? { teamId: thread.teamId, client: found.client, botUserId: found.installation.botUserId } : null;
        workspaces.set(thread.teamId, ws);
      }
      if (!ws) continue;
      report.threads++;
      const w = ws;
      try {
        await this.queue.run(`${thread.teamId}:${thread.channelId}:${thread.rootTs}`, () => this.reconcileThread(w, thread, report));
      } catch (err) {
        report.failed++;
        const code = slackErrorCode(err);
        if (code && ['invalid_auth', 'account_inactive', 'token_revoked', 'not_authed'].includes(code)) workspaces.set(thread.teamId, null);
        this.logger.warn(`could not reconcile thread ${thread.channelId}/${thread.rootTs}: ${err instanceof Error && !code ? err.message : classifySlackError(err).message}`);
      }
    }
    report.durationMs = Date.now() - started;
    return report;
  }

  private async reconcileThread(ws: Workspace, thread: LinkedThread, report: ReconcileReport): Promise<void> {
    const seen = new Set<string>();
    let cursor: string | undefined;
    let complete = false;
    const replies = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      let res;
      try {
        res = await ws.client.conversations.replies({ channel: thread.channelId, ts: thread.rootTs, limit: PAGE, ...(cursor && { cursor }) });
      } catch (err) {
        if (slackErrorCode(err) === 'thread_not_found') return; // the root is gone: leave the comments alone
        throw err;
      }
      for (const m of res.messages ?? []) {
        if (typeof m.ts !== 'string') continue;
        seen.add(m.ts);
        if (m.ts !== thread.rootTs) replies.push(m);
      }
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) {
        complete = true;
        break;
      }
    }
    const stored = await this.threads.slackComments(thread);
    for (const raw of replies) {
      const message = toInboundMessage(raw, thread.channelId);
      if (!message) continue; // bots (our own mirrored comments), joins, other subtypes
      if (!stored.has(message.ts)) {
        const result = await this.sync.upsertReply(ws, thread.ticketId, thread.rootTs, message, false);
        if (result?.created) report.created++;
      } else if (message.edited) {
        if ((await this.sync.applyEdit(ws, thread.ticketId, thread.rootTs, message)) === 'updated') report.updated++;
      }
    }
    if (!complete) return;
    for (const ts of stored.keys()) {
      if (!seen.has(ts) && (await this.sync.applyDelete(thread.teamId, thread.channelId, ts, 'reconciler'))) report.deleted++;
    }
  }
}
