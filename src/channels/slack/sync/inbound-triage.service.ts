import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ChannelRegistry } from '../../../notifications/channel-registry';
import { QueryFailedError } from 'typeorm';
import type { TicketPriority } from '../../../events/event-catalogue';
import { CreateTicketDto } from '../../../tickets/dto/ticket.dto';
import { TicketRecord } from '../../../tickets/ticket.record';
import { TicketsService } from '../../../tickets/tickets.service';
import { buildTicketMessage } from '../blocks/ticket-message.blocks';
import { classifySlackError } from '../slack-client/slack-errors';
import { truncate } from '../text/slack-text';
import { SlackUserDirectory } from '../users/slack-user-directory.service';
import { InboundMessage, SLACK_ID, toInboundMessage } from './inbound-payloads';
import { actorOf, InboundSlackSupport } from './inbound-support';
import { InboundThreadSync, Workspace } from './inbound-thread-sync.service';
import { InboundThreadsRepository, slackOrigin } from './inbound-threads.repository';

export const TITLE_MAX = 200;
const DESCRIPTION_MAX = 65536;

export type TriageResult =
  | { kind: 'created'; ticket: TicketRecord }
  | { kind: 'exists'; ticketId: string }
  | { kind: 'not_found' };

export interface TriageInput {
  channel: string;
  ts: string;
  /** Who asked for the ticket (reacted, used the shortcut, mentioned the app). */
  reporter: string;
  via: 'reaction' | 'mention' | 'message_shortcut';
  /** The message, when the caller has it already; fetched otherwise. */
  message?: InboundMessage | null;
  title?: string;
  description?: string;
  priority?: TicketPriority;
  projectKey?: string;
}

/** The first line of a text as a ticket title. */
export function titleFrom(text: string, fallback: string): string {
  const line = text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).find(Boolean) ?? '';
  return truncate(line || fallback, TITLE_MAX);
}

/**
 * Turns a Slack message into a ticket whose thread is that message's thread: the triage emoji, an
 * "@Threadline create ..." mention and the "Create ticket from message" shortcut all end here. The
 * thread link is written in the ticket's own transaction (see InboundThreadsRepository), so the
 * outbound side never posts a second root message for it, and a thread can belong to one ticket only.
 */
@Injectable()
export class InboundTriage {
  private readonly logger = new Logger('SlackInbound');

  constructor(
    private readonly tickets: TicketsService,
    private readonly directory: SlackUserDirectory,
    private readonly threads: InboundThreadsRepository,
    private readonly sync: InboundThreadSync,
    private readonly support: InboundSlackSupport,
    private readonly moduleRef: ModuleRef,
  ) {}

  /**
   * The outbound Slack channel answers a ticket made from a message with the card in that thread
   * (it sees `ticket.created` with origin.ref.rootTs). Only without it does the inbound side post it.
   */
  private outboundPostsCard(): boolean {
    try {
      return !!this.moduleRef.get(ChannelRegistry, { strict: false }).get('slack');
    } catch {
      return false;
    }
  }

  /** Reads one message by ts (a channel message or a thread reply). */
  async fetchMessage(ws: Workspace, channel: string, ts: string): Promise<{ message: InboundMessage | null; fromBot: boolean } | null> {
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await ws.client.conversations.replies({ channel, ts, limit: 200, ...(cursor && { cursor }) });
      const found = (res.messages ?? []).find((m) => m.ts === ts);
      if (found) return { message: toInboundMessage(found, channel), fromBot: found.bot_id !== undefined || found.user === ws.botUserId };
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) return null;
    }
    return null;
  }

  async createFromMessage(ws: Workspace, input: TriageInput): Promise<TriageResult> {
    let message = input.message ?? null;
    if (!message) {
      const fetched = await this.fetchMessage(ws, input.channel, input.ts).catch((err) => {
        this.logger.warn(`could not read message ${input.channel}/${input.ts}: ${classifySlackError(err).message}`);
        return null;
      });
      if (!fetched || fetched.fromBot || !fetched.message) return { kind: 'not_found' };
      message = fetched.message;
    }
    const rootTs = message.threadTs ?? message.ts;
    const linked = await this.threads.findTicket(ws.teamId, input.channel, rootTs);
    if (linked) return { kind: 'exists', ticketId: linked };

    const [author, reporter] = await Promise.all([
      this.directory.resolve(ws.teamId, message.user, ws.client),
      this.directory.resolve(ws.teamId, input.reporter, ws.client),
    ]);
    const text = await this.sync.renderBody(ws, message);
    const permalink = await ws.client.chat
      .getPermalink({ channel: input.channel, message_ts: message.ts })
      .then((r) => r.permalink ?? null)
      .catch(() => null);
    const source = `From Slack: ${permalink && /^https:\/\//.test(permalink) ? `[message by ${author.slackName}](${permalink})` : `a message by ${author.slackName}`}`;
    const description = truncate(`${(input.description ?? text).trim()}\n\n---\n${source}`.trim(), DESCRIPTION_MAX);
    const dto: CreateTicketDto = {
      title: titleFrom(input.title ?? text, `Slack message from ${author.slackName}`),
      description,
      priority: input.priority ?? 'medium',
      ...(author.userId && { requesterId: author.userId }),
      ...(input.projectKey && { projectKey: input.projectKey }),
    };
    let ticket: TicketRecord;
    try {
      ticket = await this.tickets.create(dto, {
        actor: actorOf(reporter, ws.teamId),
        origin: slackOrigin({ team: ws.teamId, channel: input.channel, ts: message.ts, rootTs, via: input.via }),
      });
    } catch (err) {
      // The thread became another ticket's in the meantime (another process, a double reaction).
      if (err instanceof QueryFailedError && (err as unknown as { code?: string }).code === '23505') {
        const other = await this.threads.findTicket(ws.teamId, input.channel, rootTs);
        if (other) return { kind: 'exists', ticketId: other };
      }
      throw err;
    }
    if (!this.outboundPostsCard()) await this.postCard(ws, ticket, input.channel, rootTs);
    return { kind: 'created', ticket };
  }

  /** The ticket card as a reply in the thread that now belongs to the ticket. */
  async postCard(ws: Workspace, ticket: TicketRecord, channel: string, threadTs: string): Promise<void> {
    if (!SLACK_ID.ts.test(threadTs)) return;
    try {
      const message = buildTicketMessage(await this.support.ticketView(ticket, ws.teamId));
      await ws.client.chat.postMessage({ channel, thread_ts: threadTs, text: message.text, blocks: message.blocks });
    } catch (err) {
      this.logger.warn(`could not post the card of ticket ${ticket.id} in ${channel}: ${classifySlackError(err).message}`);
    }
  }
}
