/**
 * Plain view models the Slack builders render. They deliberately do not import the core
 * ticket entities: the mapping from domain to view lives with the caller.
 */

export type TicketStatus = 'new' | 'open' | 'in_progress' | 'pending' | 'resolved' | 'closed';
export type TicketPriority = 'critical' | 'high' | 'medium' | 'low';
export type SlaStatus = 'running' | 'paused' | 'warning' | 'breached' | 'met';
export type SlaTarget = 'firstResponse' | 'resolution';
export type CommentVisibility = 'public' | 'internal';

export const TICKET_STATUSES: readonly TicketStatus[] = ['new', 'open', 'in_progress', 'pending', 'resolved', 'closed'];
export const TICKET_PRIORITIES: readonly TicketPriority[] = ['critical', 'high', 'medium', 'low'];

export interface PersonView {
  name: string;
  /** Slack user id (`U…`/`W…`); only this trusted field is ever rendered as a mention. */
  slackUserId?: string;
}

export interface SlaTargetView {
  /** ISO-8601 instant. */
  dueAt: string | null;
  /** ISO-8601 instant. */
  completedAt: string | null;
  status: SlaStatus;
}

export interface TicketView {
  id: string;
  /** Human key, e.g. `TKT-12`. */
  number: string;
  title: string;
  /** Markdown. */
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  requester?: PersonView;
  assignee?: PersonView;
  project?: { key: string; name: string };
  sla?: { firstResponse?: SlaTargetView; resolution?: SlaTargetView };
  /** Link to the ticket in the web app. */
  url: string;
}

export interface CommentView {
  id: string;
  author: PersonView;
  /** Markdown. */
  body: string;
  visibility: CommentVisibility;
  /** ISO-8601 instant. */
  createdAt: string;
}

export const STATUS_LABELS: Record<TicketStatus, string> = {
  new: 'New',
  open: 'Open',
  in_progress: 'In progress',
  pending: 'Pending',
  resolved: 'Resolved',
  closed: 'Closed',
};

export const PRIORITY_LABELS: Record<TicketPriority, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

export const PRIORITY_EMOJI: Record<TicketPriority, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':white_circle:',
};

export const SLA_TARGET_LABELS: Record<SlaTarget, string> = {
  firstResponse: 'First response',
  resolution: 'Resolution',
};
