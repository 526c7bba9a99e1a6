import { TICKET_STATUSES } from '../events/event-catalogue';
import { allowedNextStatuses, canTransition } from './ticket-workflow';

describe('ticket workflow', () => {
  it('walks the happy path new -> open -> in_progress -> pending -> resolved -> closed', () => {
    const path = ['new', 'open', 'in_progress', 'pending', 'resolved', 'closed'] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1], path[i])).toBe(true);
  });

  it('reopens resolved and closed tickets', () => {
    expect(canTransition('resolved', 'open')).toBe(true);
    expect(canTransition('closed', 'open')).toBe(true);
  });

  it('refuses going back to new and skipping from closed to resolved', () => {
    for (const s of TICKET_STATUSES) expect(canTransition(s, 'new')).toBe(false);
    expect(canTransition('closed', 'resolved')).toBe(false);
  });

  it('never lists a status as its own next state', () => {
    for (const s of TICKET_STATUSES) expect(allowedNextStatuses(s)).not.toContain(s);
  });
});
