import { DataSource } from 'typeorm';
import { TestApp } from './test-app';

/** Small helpers for the SLA suites: tickets through the API, events straight from the outbox. */
export async function openTicket(t: TestApp, body: Record<string, unknown>, auth = t.admin) {
  const res = await t.http().post('/api/v1/tickets').set('Authorization', auth).send({ title: 'SLA test', ...body });
  if (res.status !== 201) throw new Error(`ticket create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function getTicket(t: TestApp, id: string, auth = t.admin) {
  return (await t.http().get(`/api/v1/tickets/${id}`).set('Authorization', auth).expect(200)).body;
}

export async function patchTicket(t: TestApp, id: string, body: Record<string, unknown>, auth = t.admin) {
  const res = await t.http().patch(`/api/v1/tickets/${id}`).set('Authorization', auth).send(body);
  if (res.status !== 200) throw new Error(`ticket patch failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function comment(t: TestApp, id: string, auth: string, body: Record<string, unknown> = {}) {
  return (await t.http().post(`/api/v1/tickets/${id}/comments`).set('Authorization', auth).send({ body: 'On it', ...body }).expect(201)).body;
}

export interface StoredEvent {
  id: string;
  type: string;
  aggregateId: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  payload: any;
}

export async function slaEvents(t: TestApp, ticketId?: string): Promise<StoredEvent[]> {
  const rows = await t.app.get(DataSource).query(
    `SELECT id, type, aggregate_id, payload FROM outbox
      WHERE type IN ('sla.warning', 'sla.breached', 'ticket.overdue') AND ($1::uuid IS NULL OR aggregate_id = $1::uuid)
      ORDER BY id`,
    [ticketId ?? null],
  );
  return rows.map((r: { id: string; type: string; aggregate_id: string; payload: unknown }) => ({ id: String(r.id), type: r.type, aggregateId: r.aggregate_id, payload: r.payload }));
}

/** `type/target/episode` keys of a ticket's SLA events, in order. */
export const eventKeys = (events: StoredEvent[]) => events.map((e) => `${e.type}/${e.payload.target}/${e.payload.episode}`);
