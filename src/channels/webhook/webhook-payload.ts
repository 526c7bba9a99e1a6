import type { DomainEvent } from '../../events/event-catalogue';

/**
 * The JSON body a subscriber receives. `data` is the event's payload as in the event catalogue
 * (e.g. `{ ticket }` or `{ ticket, comment }`); the top-level fields are what most receivers need.
 */
export interface WebhookPayload {
  event: string;
  event_id: string;
  schema_version: number;
  sequence: string;
  ticket_id: string;
  title: string | null;
  timestamp: string;
  actor: DomainEvent['actor'];
  origin: string;
  data: unknown;
}

export function toWebhookPayload(event: DomainEvent): WebhookPayload {
  const ticket = (event.payload as { ticket?: { title?: string } }).ticket;
  return {
    event: event.type,
    event_id: event.eventId,
    schema_version: event.schemaVersion,
    sequence: event.sequence,
    ticket_id: event.aggregateId,
    title: ticket?.title ?? null,
    timestamp: event.occurredAt,
    actor: event.actor,
    origin: event.origin.channel,
    data: event.payload,
  };
}
