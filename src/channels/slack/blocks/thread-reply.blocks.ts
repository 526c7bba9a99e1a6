import type { KnownBlock } from '@slack/types';
import { formatDuration } from '../text/format-duration';
import { escapeMrkdwn, markdownToMrkdwn, truncate } from '../text/slack-text';
import { enforceLimits } from './limits';
import { mrkdwn, person, ticketLink, viewButton } from './mrkdwn-parts';
import { describeSlaTarget } from './sla-text';
import { isSlackUserId, type SlackMessage, TICKET_ACTIONS } from './slack-message';
import {
  PRIORITY_EMOJI,
  PRIORITY_LABELS,
  SLA_TARGET_LABELS,
  STATUS_LABELS,
  type CommentView,
  type SlaTarget,
  type TicketView,
} from './ticket-view';

/** How much of a comment goes into the notification fallback text. */
const FALLBACK_EXCERPT_MAX = 300;

/** A ticket comment mirrored into the ticket's Slack thread. */
export function buildCommentReply(comment: CommentView): SlackMessage {
  const author = person(comment.author, '*Someone*');
  const internal = comment.visibility === 'internal' ? ' :lock: _internal note_' : '';
  const body = markdownToMrkdwn(comment.body).trim() || '_(empty comment)_';
  const plainAuthor = isSlackUserId(comment.author.slackUserId)
    ? `<@${comment.author.slackUserId}>`
    : escapeMrkdwn(comment.author.name);
  return enforceLimits({
    text: `${plainAuthor}: ${escapeMrkdwn(truncate(comment.body, FALLBACK_EXCERPT_MAX))}`,
    blocks: [{ type: 'section', block_id: 'comment', text: mrkdwn(`${author}${internal}\n${body}`) }],
  });
}

export interface FieldChange {
  field: string;
  from: string | null | undefined;
  to: string | null | undefined;
}

export interface ChangeReplyInput {
  actorName: string;
  changes: FieldChange[];
  ticket: Pick<TicketView, 'id' | 'number' | 'url'>;
  /** Set when the change resolved the ticket, to show how long resolution took. */
  resolvedInMs?: number;
}

function changeValue(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '_none_' : escapeMrkdwn(value);
}

/** E.g. "*Jane* changed status: open → resolved (resolved in 3h 12m)". */
export function buildChangeReply(input: ChangeReplyInput): SlackMessage {
  const parts = input.changes.map((c) => `${escapeMrkdwn(c.field)}: ${changeValue(c.from)} → ${changeValue(c.to)}`);
  const what = parts.length > 0 ? parts.join(', ') : 'the ticket';
  const resolved = input.resolvedInMs !== undefined ? ` (resolved in ${formatDuration(input.resolvedInMs)})` : '';
  const text = `*${escapeMrkdwn(input.actorName)}* changed ${what}${resolved}`;
  return enforceLimits({ text, blocks: [{ type: 'section', block_id: 'change', text: mrkdwn(text) }] });
}

export type SlaAlertKind = 'sla.warning' | 'sla.breached' | 'ticket.overdue';

export interface SlaAlertInput {
  ticket: TicketView;
  kind: SlaAlertKind;
  target: SlaTarget;
  /** Overrides the ticket's assignee as the person to mention. */
  assigneeSlackUserId?: string;
  now?: Date;
}

const SLA_ALERT_HEADLINE: Record<SlaAlertKind, (target: string) => string> = {
  'sla.warning': (t) => `:warning: ${t} SLA at risk`,
  'sla.breached': (t) => `:rotating_light: ${t} SLA breached`,
  'ticket.overdue': () => ':hourglass: Ticket overdue',
};

/** Thread alert for SLA warnings/breaches; mentions the assignee so they get notified. */
export function buildSlaAlert(input: SlaAlertInput): SlackMessage {
  const { ticket, kind, target } = input;
  const mentionId = input.assigneeSlackUserId ?? ticket.assignee?.slackUserId;
  const who = isSlackUserId(mentionId) ? `<@${mentionId}>` : '_No assignee_ — please pick this up';
  const sla = ticket.sla?.[target];
  const state = sla ? ` · ${describeSlaTarget(sla, input.now ?? new Date())}` : '';
  const headline = `${SLA_ALERT_HEADLINE[kind](SLA_TARGET_LABELS[target])}: ${ticketLink(ticket)} ${escapeMrkdwn(ticket.title)}`;
  const text = `${headline}\n${who}${state}`;
  return enforceLimits({
    text: `${who} ${headline}`,
    blocks: [{ type: 'section', block_id: 'sla_alert', text: mrkdwn(text) }],
  });
}

/** Direct message telling someone a ticket was assigned to them. */
export function buildAssignmentDm(ticket: TicketView, actorName: string): SlackMessage {
  const line = `*${escapeMrkdwn(actorName)}* assigned you ${ticketLink(ticket)}: ${escapeMrkdwn(ticket.title)}`;
  const details = `${PRIORITY_EMOJI[ticket.priority]} ${PRIORITY_LABELS[ticket.priority]} · ${STATUS_LABELS[ticket.status]}`;
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: 'assignment', text: mrkdwn(`:bust_in_silhouette: ${line}`) },
    { type: 'context', elements: [mrkdwn(details)] },
  ];
  const view = viewButton(ticket, TICKET_ACTIONS.view);
  if (view) blocks.push({ type: 'actions', block_id: 'assignment_actions', elements: [view] });
  return enforceLimits({ text: line, blocks });
}

/** Sent from the admin UI to check that the workspace connection works. */
export function buildTestMessage(): SlackMessage {
  const text = ':white_check_mark: Threadline is connected. Ticket updates will be posted here.';
  return enforceLimits({ text, blocks: [{ type: 'section', block_id: 'test', text: mrkdwn(text) }] });
}
