import type { KnownBlock } from '@slack/types';

/** What every message builder returns: the notification/accessibility fallback and the blocks. */
export interface SlackMessage {
  /** mrkdwn fallback shown in notifications; always escaped. */
  text: string;
  blocks: KnownBlock[];
}

/** Action ids shared by the builders and the interaction handlers. */
export const TICKET_ACTIONS = {
  view: 'ticket.view',
  assignMe: 'ticket.assign_me',
  addComment: 'ticket.add_comment',
  resolve: 'ticket.resolve',
  setStatus: 'ticket.set_status',
} as const;

/** Callback ids of the modals. */
export const TICKET_MODALS = {
  comment: 'ticket.comment_modal',
  resolve: 'ticket.resolve_modal',
  create: 'ticket.create_modal',
} as const;

/** Matches Slack user ids we are willing to render as `<@…>` mentions. */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,30}$/;

/** True for well-formed Slack user ids (the only ids we render as `<@…>`). */
export function isSlackUserId(id: string | undefined): id is string {
  return typeof id === 'string' && SLACK_USER_ID.test(id);
}
