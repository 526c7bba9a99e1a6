import type { Button, MrkdwnElement, PlainTextElement } from '@slack/types';
import { escapeMrkdwn, safeSlackUrl } from '../text/slack-text';
import { isSlackUserId } from './slack-message';
import type { PersonView, TicketView } from './ticket-view';

/** Small rendering helpers shared by the block builders. All user text is escaped here. */

export function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text };
}

/** Plain text is never parsed for mentions, but we escape it too so no payload ever carries a raw `<!`. */
export function plain(text: string): PlainTextElement {
  return { type: 'plain_text', text: escapeMrkdwn(text), emoji: true };
}

/** A mention for a trusted Slack id, otherwise the escaped name in bold. */
export function person(p: PersonView | undefined, missing = '_Unassigned_'): string {
  if (!p) return missing;
  if (isSlackUserId(p.slackUserId)) return `<@${p.slackUserId}>`;
  return `*${escapeMrkdwn(p.name)}*`;
}

/** `<url|TKT-12>` when the ticket URL is safe, else the bare escaped number. */
export function ticketLink(ticket: Pick<TicketView, 'number' | 'url'>): string {
  const url = safeSlackUrl(ticket.url);
  return url ? `<${url}|${escapeMrkdwn(ticket.number)}>` : escapeMrkdwn(ticket.number);
}

export function button(text: string, actionId: string, value: string, extra: Partial<Button> = {}): Button {
  return { type: 'button', text: plain(text), action_id: actionId, value, ...extra };
}

/** A link button, or undefined when the URL is not http(s). */
export function viewButton(ticket: Pick<TicketView, 'id' | 'url'>, actionId: string): Button | undefined {
  const url = safeSlackUrl(ticket.url);
  if (!url || url.startsWith('mailto:')) return undefined;
  // Button URLs are not mrkdwn: send the unescaped (but validated) URL.
  return button('View', actionId, ticket.id, { url: new URL(ticket.url.trim()).href });
}
