import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { formatTicketNumber } from '../../../tickets/ticket.record';
import { TicketsService } from '../../../tickets/tickets.service';
import { FULL_USAGE } from '../commands/ticket-command.parser';
import { SlackSettings } from '../config/slack-settings';
import { SlackInstallationsService } from '../installations/slack-installations.service';
import { classifySlackError } from '../slack-client/slack-errors';
import { eventKey, EventEnvelope, InboundEvent } from './inbound-payloads';
import { InboundSlackSupport } from './inbound-support';
import { InboundThreadSync, Workspace } from './inbound-thread-sync.service';
import { InboundThreadsRepository } from './inbound-threads.repository';
import { InboundTriage, titleFrom } from './inbound-triage.service';
import { InboundEventJob, InboundWorkQueue } from './inbound-work-queue';

const RECEIPT_TTL_MS = 24 * 60 * 60 * 1000;

/** Event ids seen recently by this process: answers Slack's retries without touching the database. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly max: number) {}
  /** True when the id is new (and remembers it). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}

/**
 * The Events API: acknowledge at once, act afterwards.
 *
 * Acknowledgement (`accept`): no database or Slack call. The event is classified (pure), events we
 * do not act on are dropped, retries seen by this process are dropped, and the rest is handed to
 * the work queue (in process, or one Redis round trip in services mode).
 *
 * Work (`handle`): first claims the event id in slack_event_receipts (INSERT ... ON CONFLICT DO
 * NOTHING; the durable deduplication, across processes and restarts, kept for a day), then acts.
 * A failed attempt releases its claim so a retry (Bull's, or Slack's) can act.
 */
@Injectable()
export class InboundEventsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SlackInbound');
  private readonly recent = new RecentIds(50_000);
  private expiry?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly settings: SlackSettings,
    private readonly installations: SlackInstallationsService,
    private readonly threads: InboundThreadsRepository,
    private readonly sync: InboundThreadSync,
    private readonly triage: InboundTriage,
    private readonly tickets: TicketsService,
    private readonly support: InboundSlackSupport,
    private readonly queue: InboundWorkQueue,
  ) {
    queue.setHandler((job) => this.handle(job));
  }

  onApplicationBootstrap(): void {
    if (this.config.PROCESS_ROLE === 'api') return;
    const expire = () =>
      this.threads.expireReceipts(RECEIPT_TTL_MS).catch((err) => this.logger.warn(`could not expire event receipts: ${err instanceof Error ? err.message : err}`));
    this.expiry = setInterval(expire, 60 * 60 * 1000);
    this.expiry.unref();
  }

  onModuleDestroy(): void {
    if (this.expiry) clearInterval(this.expiry);
  }

  /** Acknowledgement path. Returns what happened, for logs and tests. */
  async accept(envelope: Extract<EventEnvelope, { type: 'event_callback' }>): Promise<'queued' | 'duplicate' | 'ignored'> {
    if (!envelope.event) return 'ignored';
    if (!this.recent.add(envelope.eventId)) return 'duplicate';
    await this.queue.enqueue({ eventId: envelope.eventId, key: eventKey(envelope.event), event: envelope.event });
    return 'queued';
  }

  async handle(job: InboundEventJob): Promise<void> {
    if (!(await this.threads.claimEvent(job.eventId, job.event.teamId))) return;
    try {
      await this.act(job.event);
    } catch (err) {
      await this.threads.releaseEvent(job.eventId).catch(() => undefined);
      throw err;
    }
  }

  private async workspace(teamId: string): Promise<Workspace | null> {
    const found = await this.installations.client(teamId);
    if (!found) {
      this.logger.warn({ teamId }, 'Slack event for a workspace that is not installed or is disabled; ignored');
      return null;
    }
    return { teamId, client: found.client, botUserId: found.installation.botUserId };
  }

  private async act(event: InboundEvent): Promise<void> {
    if (event.kind === 'uninstalled') {
      await this.installations.disable(event.teamId, event.reason);
      this.logger.warn({ teamId: event.teamId, reason: event.reason }, 'Slack workspace disabled');
      return;
    }
    if (event.kind === 'delete') {
      await this.sync.applyDelete(event.teamId, event.channel, event.ts, 'message_deleted');
      return;
    }
    const ws = await this.workspace(event.teamId);
    if (!ws) return;
    switch (event.kind) {
      case 'reply':
      case 'edit': {
        const { message } = event;
        const threadTs = message.threadTs!;
        const ticketId = await this.threads.findTicket(ws.teamId, message.channel, threadTs);
        if (!ticketId) return; // a thread that is not a ticket's
        if (event.kind === 'reply') await this.sync.upsertReply(ws, ticketId, threadTs, message, true);
        else await this.sync.applyEdit(ws, ticketId, threadTs, message);
        return;
      }
      case 'reaction':
        return this.onTriageReaction(ws, event);
      case 'mention':
        return this.onMention(ws, event);
    }
  }

  private async onTriageReaction(ws: Workspace, e: Extract<InboundEvent, { kind: 'reaction' }>): Promise<void> {
    const result = await this.triage.createFromMessage(ws, { channel: e.channel, ts: e.ts, reporter: e.user, via: 'reaction' });
    if (result.kind === 'created') {
      this.logger.log({ teamId: ws.teamId, ticket: formatTicketNumber(result.ticket.number) }, 'ticket created from a Slack reaction');
    }
  }

  private async onMention(ws: Workspace, e: Extract<InboundEvent, { kind: 'mention' }>): Promise<void> {
    const text = e.text.replace(/<@[UW][A-Z0-9]+(?:\|[^>]*)?>/g, ' ').trim();
    const create = /^(create|new)\b\s*([\s\S]*)$/i.exec(text);
    const threadTs = e.threadTs ?? e.ts;
    if (!create) {
      const usage = FULL_USAGE.replace(/\/ticket\b/g, `/${this.support.commandName}`);
      await this.reply(ws, e.channel, threadTs,
        `Hi! Mention me with \`create <title>\` to open a ticket from this thread, react with :${this.settings.SLACK_TRIAGE_EMOJI}: to turn a message into a ticket, or use the slash command:\n${usage}`,
      );
      return;
    }
    const rest = create[2].trim();
    if (!rest) {
      await this.support.ephemeral({ client: ws.client, user: e.user, channel: e.channel, threadTs }, 'Give the ticket a title, e.g. `@Threadline create Printer on fire`.');
      return;
    }
    const [first, ...more] = rest.split('\n');
    const result = await this.triage.createFromMessage(ws, {
      channel: e.channel,
      ts: e.ts,
      reporter: e.user,
      via: 'mention',
      message: { channel: e.channel, ts: e.ts, threadTs: e.threadTs, user: e.user, text: rest, files: [], edited: false },
      title: titleFrom(first, 'Ticket from Slack'),
      description: more.join('\n').trim() || rest,
    });
    if (result.kind === 'exists') {
      const ticket = await this.tickets.get(result.ticketId);
      await this.support.ephemeral({ client: ws.client, user: e.user, channel: e.channel, threadTs }, `This thread already belongs to ${formatTicketNumber(ticket.number)}.`);
    }
  }

  private async reply(ws: Workspace, channel: string, threadTs: string, text: string): Promise<void> {
    await ws.client.chat.postMessage({ channel, thread_ts: threadTs, text }).catch((err) => this.logger.warn(`could not answer a mention: ${classifySlackError(err).message}`));
  }
}
