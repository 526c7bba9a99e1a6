import { HttpException, Injectable, Logger } from '@nestjs/common';
import type { KnownBlock } from '@slack/types';
import { WebClient } from '@slack/web-api';
import { AppConfig } from '../../../config/app-config';
import type { Actor } from '../../../events/event-catalogue';
import { TicketExtensions } from '../../../tickets/ticket-extensions';
import { formatTicketNumber, TicketRecord } from '../../../tickets/ticket.record';
import type { SlaTargetView, TicketView } from '../blocks/ticket-view';
import { SlackSettings } from '../config/slack-settings';
import { classifySlackError } from '../slack-client/slack-errors';
import type { SlackPerson } from '../users/slack-user-directory.service';
import { InboundThreadsRepository } from './inbound-threads.repository';

/** The actor of a change made from Slack: the linked account, else the Slack person by name. */
export function actorOf(person: SlackPerson, teamId: string): Actor {
  return person.userId
    ? { type: 'user', id: person.userId, name: person.userName ?? person.slackName }
    : { type: 'external', id: `slack:${teamId}:${person.slackUserId}`, name: `${person.slackName} (via Slack)` };
}

/** How an unlinked Slack user learns to link their account. */
export function linkHelp(commandName: string): string {
  return (
    `Your Slack account is not linked to a Threadline account yet, so you can't change tickets from Slack. ` +
    `Run \`/${commandName} link\`: it links you when your Slack email matches your Threadline account. ` +
    `Otherwise ask a Threadline admin to link you.`
  );
}

/** A readable message for an error thrown by the domain services (400/404/409), or null for unexpected ones. */
export function describeApiError(err: unknown): string | null {
  if (!(err instanceof HttpException)) return null;
  const body = err.getResponse() as { message?: unknown; errors?: { message: string }[]; allowedTransitions?: string[] };
  const detail = body.errors?.length ? body.errors.map((e) => e.message).join('; ') : String(body.message ?? err.message);
  const allowed = body.allowedTransitions?.length ? ` Allowed next statuses: ${body.allowedTransitions.join(', ')}.` : '';
  return `${detail}.${allowed}`.replace(/\.\./g, '.');
}

export interface EphemeralTarget {
  client: WebClient;
  user: string;
  channel?: string | null;
  threadTs?: string | null;
  responseUrl?: string | null;
}

/**
 * Ticket views for the Block Kit builders, and the ways of answering a person privately:
 * chat.postEphemeral where there is a channel, else the interaction's response_url, else a DM.
 */
@Injectable()
export class InboundSlackSupport {
  private readonly logger = new Logger('SlackInbound');

  constructor(
    private readonly config: AppConfig,
    readonly settings: SlackSettings,
    private readonly extensions: TicketExtensions,
    private readonly threads: InboundThreadsRepository,
  ) {}

  get commandName(): string {
    return this.settings.SLACK_COMMAND_NAME;
  }

  ticketsUrl(): string {
    return `${this.config.APP_BASE_URL.replace(/\/$/, '')}/tickets`;
  }

  ticketUrl(number: number): string {
    return `${this.ticketsUrl()}/${formatTicketNumber(number)}`;
  }

  async ticketView(ticket: TicketRecord, teamId: string): Promise<TicketView> {
    const [extra, assigneeSlack, requesterSlack] = await Promise.all([
      this.extensions.decorate([ticket]).catch(() => new Map<string, Record<string, unknown>>()),
      ticket.assignee ? this.threads.slackUserIdOf(teamId, ticket.assignee.id) : null,
      ticket.requester ? this.threads.slackUserIdOf(teamId, ticket.requester.id) : null,
    ]);
    const sla = extra.get(ticket.id)?.sla as { firstResponse?: SlaTargetView | null; resolution?: SlaTargetView | null } | undefined;
    return {
      id: ticket.id,
      number: formatTicketNumber(ticket.number),
      title: ticket.title,
      description: ticket.description,
      status: ticket.status,
      priority: ticket.priority,
      ...(ticket.requester && { requester: { name: ticket.requester.name, ...(requesterSlack && { slackUserId: requesterSlack }) } }),
      ...(ticket.assignee && { assignee: { name: ticket.assignee.name, ...(assigneeSlack && { slackUserId: assigneeSlack }) } }),
      ...(ticket.project && { project: { key: ticket.project.key, name: ticket.project.name } }),
      ...(sla && {
        sla: {
          ...(sla.firstResponse && { firstResponse: sla.firstResponse }),
          ...(sla.resolution && { resolution: sla.resolution }),
        },
      }),
      url: this.ticketUrl(ticket.number),
    };
  }

  /** Tells one person something privately; never throws (failures are logged). */
  async ephemeral(target: EphemeralTarget, text: string, blocks?: KnownBlock[]): Promise<void> {
    try {
      if (target.channel) {
        await target.client.chat.postEphemeral({
          channel: target.channel,
          user: target.user,
          text,
          ...(blocks && { blocks }),
          ...(target.threadTs && { thread_ts: target.threadTs }),
        });
        return;
      }
      if (target.responseUrl) {
        await this.respond(target.responseUrl, { response_type: 'ephemeral', text, ...(blocks && { blocks }) });
        return;
      }
      // No channel and no response_url (e.g. a modal submission): the app's DM with the person.
      await target.client.chat.postMessage({ channel: target.user, text, ...(blocks && { blocks }) });
    } catch (err) {
      this.logger.warn(`could not answer ${target.user} privately: ${classifySlackError(err).message}`);
      if (target.channel && target.responseUrl) await this.respond(target.responseUrl, { response_type: 'ephemeral', text }).catch(() => undefined);
    }
  }

  /** POSTs a message to an interaction's or command's response_url (valid for 30 minutes, 5 uses). */
  async respond(responseUrl: string, body: Record<string, unknown>): Promise<void> {
    const res = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.settings.SLACK_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`response_url answered HTTP ${res.status}`);
  }
}
