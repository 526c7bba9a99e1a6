import { startTestApp, TestApp } from './support/test-app';
import { waitFor, WebhookReceiver } from './support/webhook-receiver';

const SECRET = 'whsec_retry_0123456789abcdef';
const BASE_MS = 100;

/** The retry policy, in whichever mode the suite runs (Bull when REDIS_URL is set, in process otherwise). */
describe('notification retries', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver(SECRET).start();
    t = await startTestApp({
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      NOTIFY_POLL_INTERVAL_MS: '100',
      NOTIFY_BACKOFF_BASE_MS: String(BASE_MS),
      NOTIFY_BACKOFF_MAX_MS: '5000',
      NOTIFY_MAX_ATTEMPTS: '5',
    });
    await t.http().post('/api/v1/webhooks').set('Authorization', t.admin).send({ url: receiver.url, events: ['ticket.created'], secret: SECRET }).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  const createTicket = async (title: string) =>
    (await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title, priority: 'low' }).expect(201)).body as { id: string };
  const deliveriesOf = async (ticketId: string, status?: string) => {
    const res = await t.http().get(`/api/v1/notifications/deliveries${status ? `?status=${status}` : ''}`).set('Authorization', t.admin).expect(200);
    return res.body.items.filter((d: { aggregateId: string }) => d.aggregateId === ticketId);
  };

  it('a receiver that fails 3 times then succeeds gets the event applied once, after growing waits', async () => {
    receiver.reply = (r, n) => (n <= 3 ? { status: 503 } : { status: 200 });
    const ticket = await createTicket('Flaky receiver');
    const applied = await waitFor('the event to be applied', () => [...receiver.applied.values()].find((r) => r.body.ticket_id === ticket.id));
    const tries = receiver.requestsFor(applied.eventId);
    expect(tries.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    expect(tries.filter((r) => r.applied)).toHaveLength(1);
    expect(new Set(tries.map((r) => r.deliveryId)).size).toBe(1);
    // Waits: attempt n waits between half and all of BASE * 2^(n-1).
    const gaps = tries.slice(1).map((r, i) => r.receivedAt - tries[i].receivedAt);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual((BASE_MS * 2 ** i) / 2 - 5));
    expect(gaps[2]).toBeGreaterThan(gaps[0]);
    const [delivery] = await waitFor('delivered status', async () => {
      const d = await deliveriesOf(ticket.id, 'delivered');
      return d.length ? d : null;
    });
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 4, lastError: expect.stringContaining('HTTP 503') });
  });

  it('honours Retry-After on 429', async () => {
    receiver.reply = (r, n) => (n === 1 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200 });
    const ticket = await createTicket('Rate limited');
    const applied = await waitFor('the event to be applied', () => [...receiver.applied.values()].find((r) => r.body.ticket_id === ticket.id));
    const [first, second] = receiver.requestsFor(applied.eventId);
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(990);
  });

  it('a receiver that always fails: dead-lettered after the last attempt, visible, and retryable by the operator', async () => {
    receiver.reply = () => ({ status: 500 });
    const ticket = await createTicket('Always failing');
    const [dead] = await waitFor('a dead-lettered delivery', async () => {
      const d = await deliveriesOf(ticket.id, 'failed');
      return d.length ? d : null;
    }, 20000);
    expect(dead).toMatchObject({ status: 'failed', attempts: 5, lastError: expect.stringMatching(/gave up after 5 attempts: HTTP 500/) });
    expect(receiver.requestsFor(dead.eventId)).toHaveLength(5);
    expect(receiver.applied.has(dead.eventId)).toBe(false);
    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/threadline_notification_dead_letters\{channel="webhook"\} [1-9]/);

    receiver.reply = () => ({ status: 200 });
    await t.http().post(`/api/v1/notifications/deliveries/${dead.id}/retry`).set('Authorization', t.admin).expect(202);
    await waitFor('the retried event to be applied', () => receiver.applied.get(dead.eventId));
    await waitFor('delivered status', async () => (await deliveriesOf(ticket.id, 'delivered')).length === 1);
    expect(receiver.requestsFor(dead.eventId).filter((r) => r.applied)).toHaveLength(1);
  });
});
