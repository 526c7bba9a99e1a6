import type { TicketStatus } from '../events/event-catalogue';

/**
 * The status workflow: new -> open -> in_progress -> pending -> resolved -> closed, with the usual
 * shortcuts (resolve straight from open, close a new duplicate) and back-transitions (reopen a
 * resolved or closed ticket, leave pending when the requester answers).
 */
export const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'in_progress', 'pending', 'resolved', 'closed'],
  open: ['in_progress', 'pending', 'resolved', 'closed'],
  in_progress: ['open', 'pending', 'resolved', 'closed'],
  pending: ['open', 'in_progress', 'resolved', 'closed'],
  resolved: ['closed', 'open', 'in_progress'],
  closed: ['open'],
};

export const allowedNextStatuses = (from: TicketStatus) => TRANSITIONS[from];
export const canTransition = (from: TicketStatus, to: TicketStatus) => TRANSITIONS[from].includes(to);
export const isOpenStatus = (s: TicketStatus) => s !== 'resolved' && s !== 'closed';
