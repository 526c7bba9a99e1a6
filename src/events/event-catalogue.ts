/**
 * The one typed catalogue of domain events: event name -> payload. Producers write these to the
 * outbox inside their own transaction; channels read them through the notification pipeline.
 * Payloads carry ids and snapshots (not entities), so they stay valid after the row changes.
 * Bump SCHEMA_VERSION of an event when its payload changes shape; consumers can branch on it.
 */
export const TICKET_STATUSES = ['new', 'open', 'in_progress', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const TICKET_PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
export const COMMENT_VISIBILITIES = ['public', 'internal'] as const;
export type CommentVisibility = (typeof COMMENT_VISIBILITIES)[number];

export interface UserRef {
  id: string;
  name: string;
  email: string;
}

export interface TicketSnapshot {
  id: string;
  number: string;
  title: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  assignee: UserRef | null;
  requester: UserRef | null;
  project: { key: string; name: string } | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

export interface CommentSnapshot {
  id: string;
  ticketId: string;
  body: string;
  visibility: CommentVisibility;
  source: string;
  author: { id: string | null; name: string; email: string | null; external: boolean };
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** The two clocks of a ticket's SLA. */
export const SLA_TARGETS = ['firstResponse', 'resolution'] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];
export const SLA_STATUSES = ['running', 'paused', 'warning', 'breached', 'met'] as const;
export type SlaStatus = (typeof SLA_STATUSES)[number];

/** One SLA clock as shown on a ticket and carried in SLA events. */
export interface SlaTargetState {
  /** When the target is (or was) due; while paused, when it would be due if the pause ended now. */
  dueAt: string;
  completedAt: string | null;
  status: SlaStatus;
  /** Business minutes allowed by the policy. */
  targetMinutes: number;
  /** Business minutes left before dueAt (0 once due). */
  remainingMinutes: number;
  /** Business minutes past dueAt (0 until due). */
  overdueMinutes: number;
}

/**
 * `sla.warning` / `sla.breached`: a clock crossed its warning threshold or its due time, emitted once
 * per ticket, target and episode. `ticket.overdue`: the resolution target passed while the ticket is
 * still open (once per resolution episode); `target` is always `resolution`. An episode starts when a
 * clock is (re)started or its targets are recomputed (reopen, priority or project change).
 */
export interface SlaEventPayload {
  ticket: TicketSnapshot;
  target: SlaTarget;
  dueAt: string;
  episode: number;
  policy: { id: string | null; name: string | null; warningPercent: number };
  sla: SlaTargetState;
}

export interface EventPayloads {
  'ticket.created': { ticket: TicketSnapshot };
  'ticket.updated': { ticket: TicketSnapshot; changes: FieldChange[] };
  'ticket.status_changed': { ticket: TicketSnapshot; from: TicketStatus; to: TicketStatus };
  'ticket.assigned': { ticket: TicketSnapshot; from: UserRef | null; to: UserRef | null };
  'comment.created': { ticket: TicketSnapshot; comment: CommentSnapshot };
  'comment.updated': { ticket: TicketSnapshot; comment: CommentSnapshot };
  'comment.deleted': { ticket: TicketSnapshot; comment: CommentSnapshot };
  'sla.warning': SlaEventPayload;
  'sla.breached': SlaEventPayload;
  'ticket.overdue': SlaEventPayload;
}

export type EventType = keyof EventPayloads;
export const EVENT_TYPES = [
  'ticket.created',
  'ticket.updated',
  'ticket.status_changed',
  'ticket.assigned',
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'sla.warning',
  'sla.breached',
  'ticket.overdue',
] as const satisfies readonly EventType[];

export const SCHEMA_VERSION: Record<EventType, number> = {
  'ticket.created': 1,
  'ticket.updated': 1,
  'ticket.status_changed': 1,
  'ticket.assigned': 1,
  'comment.created': 1,
  'comment.updated': 1,
  'comment.deleted': 1,
  'sla.warning': 1,
  'sla.breached': 1,
  'ticket.overdue': 1,
};

/** Who did it. `system` for schedulers; `user` for an authenticated agent or admin. */
export interface Actor {
  type: 'user' | 'system' | 'external';
  id: string | null;
  name: string;
}

/**
 * Where a change came from. A channel uses it to avoid echoing a change back to where it came from:
 * e.g. `{ channel: 'slack', ref: { team, channel, ts } }` for a reply typed in a Slack thread.
 */
export interface Origin {
  channel: string;
  ref?: Record<string, string>;
}

/** What every producer passes down: the actor and the origin of the change. */
export interface ChangeContext {
  actor: Actor;
  origin: Origin;
}

/** The envelope stored in the outbox and handed to channels. */
export interface DomainEvent<T extends EventType = EventType> {
  eventId: string;
  /** Monotonic outbox position: events of one aggregate are delivered in this order. */
  sequence: string;
  type: T;
  schemaVersion: number;
  aggregateType: 'ticket';
  aggregateId: string;
  occurredAt: string;
  actor: Actor;
  origin: Origin;
  payload: EventPayloads[T];
}
