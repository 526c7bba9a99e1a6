import type { TicketPriority, TicketSnapshot, TicketStatus, UserRef } from '../events/event-catalogue';

/** A ticket as read from the database, with its people and project resolved. */
export interface TicketRecord {
  id: string;
  number: number;
  title: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  assignee: UserRef | null;
  requester: UserRef | null;
  project: { id: string; key: string; name: string } | null;
  createdById: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
  closedAt: Date | null;
  /** Raw values of view columns other modules registered (see TicketExtensions), when read with the ticket. */
  viewColumns?: Record<string, unknown>;
}

export const TICKET_NUMBER_PREFIX = 'TKT-';
export const formatTicketNumber = (n: number) => `${TICKET_NUMBER_PREFIX}${n}`;
export const TICKET_NUMBER = /^TKT-(\d{1,9})$/i;

export function toSnapshot(t: TicketRecord): TicketSnapshot {
  return {
    id: t.id,
    number: formatTicketNumber(t.number),
    title: t.title,
    description: t.description,
    status: t.status,
    priority: t.priority,
    assignee: t.assignee,
    requester: t.requester,
    project: t.project ? { key: t.project.key, name: t.project.name } : null,
    version: t.version,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    resolvedAt: t.resolvedAt?.toISOString() ?? null,
  };
}
