import { Injectable, Module } from '@nestjs/common';
import type { DomainEvent } from '../src/events/event-catalogue';
import { DeliveryContext, DeliveryResult, NotificationChannel, NotificationChannelProvider } from '../src/notifications/notification-channel';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/webhook-receiver';

/**
 * The extension point: a channel module written here, knowing nothing of the app but the contract,
 * is imported and receives events. No domain module, no other channel, no list was edited.
 */
const inbox: Array<{ event: DomainEvent; ctx: Omit<DeliveryContext, 'signal'> }> = [];

@NotificationChannelProvider()
@Injectable()
class ThrowawayChannel implements NotificationChannel {
  readonly name = 'throwaway';

  wants(event: DomainEvent): boolean {
    return event.type.startsWith('comment.');
  }

  async deliver(event: DomainEvent, { signal: _signal, ...ctx }: DeliveryContext): Promise<DeliveryResult> {
    inbox.push({ event, ctx });
    return { status: 'delivered' };
  }
}

@Module({ providers: [ThrowawayChannel] })
class ThrowawayChannelModule {}

describe('adding a notification channel', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NOTIFY_POLL_INTERVAL_MS: '100' }, { imports: [ThrowawayChannelModule] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a module providing a marked channel receives the events it wants, and only those', async () => {
    const ticket = (await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: 'Extension', priority: 'low' }).expect(201)).body;
    const comment = (await t.http().post(`/api/v1/tickets/${ticket.id}/comments`).set('Authorization', t.admin).send({ body: 'hello channel' }).expect(201)).body;
    const got = await waitFor('the comment event', () => inbox.find((i) => i.event.aggregateId === ticket.id));
    expect(got.event).toMatchObject({
      type: 'comment.created',
      aggregateType: 'ticket',
      aggregateId: ticket.id,
      eventId: expect.any(String),
      sequence: expect.stringMatching(/^\d+$/),
      actor: expect.objectContaining({ type: 'user' }),
      origin: { channel: 'api' },
      payload: { ticket: expect.objectContaining({ id: ticket.id }), comment: expect.objectContaining({ id: comment.id, body: 'hello channel' }) },
    });
    expect(got.ctx).toEqual({ deliveryId: expect.any(String), attempt: 1, target: '' });
    expect(inbox.filter((i) => i.event.aggregateId === ticket.id).map((i) => i.event.type)).toEqual(['comment.created']);

    const deliveries = await t.http().get('/api/v1/notifications/deliveries?channel=throwaway&status=delivered').set('Authorization', t.admin).expect(200);
    expect(deliveries.body.items).toEqual([expect.objectContaining({ id: got.ctx.deliveryId, channel: 'throwaway', eventType: 'comment.created' })]);
    const health = await t.http().get('/health').expect(200);
    expect(Object.keys(health.body.details.notifications.channels)).toEqual(expect.arrayContaining(['throwaway', 'webhook']));
  });
});
