import type { ActionsBlockElement, KnownBlock, PlainTextOption, SectionBlock } from '@slack/types';
import { escapeMrkdwn, markdownToMrkdwn, truncateMrkdwn } from '../text/slack-text';
import { enforceLimits } from './limits';
import { button, mrkdwn, person, plain, viewButton } from './mrkdwn-parts';
import { describeSlaTarget } from './sla-text';
import { type SlackMessage, TICKET_ACTIONS } from './slack-message';
import {
  PRIORITY_EMOJI,
  PRIORITY_LABELS,
  SLA_TARGET_LABELS,
  STATUS_LABELS,
  type SlaTarget,
  TICKET_STATUSES,
  type TicketStatus,
  type TicketView,
} from './ticket-view';

/** Length of the description excerpt shown in the channel message (full text lives in the app). */
export const DESCRIPTION_EXCERPT_MAX = 700;

export interface TicketMessageOptions {
  /** Clock for SLA texts; defaults to the current time. */
  now?: Date;
}

const CLOSED_STATUSES: ReadonlySet<TicketStatus> = new Set(['resolved', 'closed']);

/** Option values of the status select carry both the ticket id and the status. */
export function encodeStatusOptionValue(ticketId: string, status: TicketStatus): string {
  return `${ticketId}|${status}`;
}

export function decodeStatusOptionValue(value: string): { ticketId: string; status: TicketStatus } | undefined {
  const sep = value.lastIndexOf('|');
  const status = value.slice(sep + 1) as TicketStatus;
  if (sep <= 0 || !TICKET_STATUSES.includes(status)) return undefined;
  return { ticketId: value.slice(0, sep), status };
}

/** Plain-text fallback, e.g. `:red_circle: TKT-12 [critical] Printer on fire`. */
export function ticketFallbackText(ticket: TicketView): string {
  return `${PRIORITY_EMOJI[ticket.priority]} ${escapeMrkdwn(ticket.number)} [${ticket.priority}] ${escapeMrkdwn(ticket.title)}`;
}

function slaField(ticket: TicketView, target: SlaTarget, now: Date): string | undefined {
  const sla = ticket.sla?.[target];
  if (!sla) return undefined;
  return `*${SLA_TARGET_LABELS[target]} due*\n${describeSlaTarget(sla, now)}`;
}

function fieldsSection(ticket: TicketView, now: Date): SectionBlock {
  const fields = [
    `*Status*\n${STATUS_LABELS[ticket.status]}`,
    `*Priority*\n${PRIORITY_EMOJI[ticket.priority]} ${PRIORITY_LABELS[ticket.priority]}`,
    `*Requester*\n${person(ticket.requester, '_Unknown_')}`,
    `*Assignee*\n${person(ticket.assignee)}`,
    ticket.project && `*Project*\n${escapeMrkdwn(ticket.project.name)} (${escapeMrkdwn(ticket.project.key)})`,
    slaField(ticket, 'firstResponse', now),
    slaField(ticket, 'resolution', now),
  ].filter((f): f is string => Boolean(f));
  return { type: 'section', block_id: 'ticket_fields', fields: fields.map(mrkdwn) };
}

function statusOption(ticketId: string, status: TicketStatus): PlainTextOption {
  return { text: plain(STATUS_LABELS[status]), value: encodeStatusOptionValue(ticketId, status) };
}

function actionElements(ticket: TicketView): ActionsBlockElement[] {
  const elements: (ActionsBlockElement | undefined)[] = [
    viewButton(ticket, TICKET_ACTIONS.view),
    button('Assign to me', TICKET_ACTIONS.assignMe, ticket.id),
    button('Add comment', TICKET_ACTIONS.addComment, ticket.id),
    CLOSED_STATUSES.has(ticket.status)
      ? undefined
      : button('Resolve', TICKET_ACTIONS.resolve, ticket.id, { style: 'primary' }),
    {
      type: 'static_select',
      action_id: TICKET_ACTIONS.setStatus,
      placeholder: plain('Set status'),
      options: TICKET_STATUSES.map((s) => statusOption(ticket.id, s)),
      initial_option: statusOption(ticket.id, ticket.status),
    },
  ];
  return elements.filter((e): e is ActionsBlockElement => e !== undefined);
}

/** The channel message that represents a ticket; its thread mirrors the ticket's comments. */
export function buildTicketMessage(ticket: TicketView, opts: TicketMessageOptions = {}): SlackMessage {
  const now = opts.now ?? new Date();
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      block_id: 'ticket_header',
      text: plain(`${PRIORITY_EMOJI[ticket.priority]} ${ticket.number} ${ticket.title}`),
    },
    fieldsSection(ticket, now),
  ];
  const description = markdownToMrkdwn(ticket.description ?? '').trim();
  if (description) {
    blocks.push({
      type: 'section',
      block_id: 'ticket_description',
      text: mrkdwn(truncateMrkdwn(description, DESCRIPTION_EXCERPT_MAX)),
    });
  }
  blocks.push({ type: 'actions', block_id: 'ticket_actions', elements: actionElements(ticket) });
  return enforceLimits({ text: ticketFallbackText(ticket), blocks });
}
