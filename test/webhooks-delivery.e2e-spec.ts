import { startTestApp, TestApp } from './support/test-app';
import { waitFor, WebhookReceiver } from './support/webhook-receiver';

const SECRET = 'whsec_test_0123456789abcdef';

/** The webhook channel end to end: registration rules, signed delivery, ordering, dead letters, operator API. */
describe('webhooks', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let webhookId: string;

  beforeAll(async () => {
    receiver = await new WebhookReceiver(SECRET).start();
    t = await startTestApp({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1/32', NOTIFY_POLL_INTERVAL_MS: '100', NOTIFY_BACKOFF_BASE_MS: '50' });
    const created = await t.http().post('/api/v1/webhooks').set('Authorization', t.admin)
      .send({ url: receiver.url, events: ['ticket.created', 'ticket.updated', 'ticket.status_changed', 'comment.created'], secret: SECRET })
      .expect(201);
    webhookId = created.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });
  afterEach(() => {
    receiver.reply = () => ({ status: 200 });
  });

  const createTicket = async (title: string) =>
    (await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title, priority: 'high' }).expect(201)).body;

  describe('registration', () => {
    it('never returns the secret, only its first characters', async () => {
      const got = await t.http().get(`/api/v1/webhooks/${webhookId}`).set('Authorization', t.admin).expect(200);
      expect(got.body).toMatchObject({ id: webhookId, url: receiver.url, secretPrefix: SECRET.slice(0, 6), deliveryChannel: `webhook:${webhookId}` });
      expect(JSON.stringify(got.body)).not.toContain(SECRET);
      const list = await t.http().get('/api/v1/webhooks').set('Authorization', t.admin).expect(200);
      expect(list.body.map((w: { id: string }) => w.id)).toContain(webhookId);
      expect(JSON.stringify(list.body)).not.toContain(SECRET);
    });

    it.each(['http://10.1.2.3/hook', 'http://[::1]:8080/hook', 'http://169.254.169.254/latest', 'http://[::ffff:127.0.0.2]/', 'http://0.0.0.0/'])(
      'refuses a private, loopback or metadata target not allowed by WEBHOOK_ALLOWED_HOSTS: %s',
      async (url) => {
        const res = await t.http().post('/api/v1/webhooks').set('Authorization', t.admin).send({ url, events: ['ticket.created'], secret: SECRET }).expect(400);
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'url', message: expect.stringMatching(/not allowed/) })]);
      },
    );

    it('validates events, secret and url', async () => {
      const res = await t.http().post('/api/v1/webhooks').set('Authorization', t.admin)
        .send({ url: 'ftp://example.com', events: ['ticket.exploded'], secret: 'short' }).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['events', 'secret', 'url']);
    });

    it('is for admins only', async () => {
      const agent = await t.http().post('/api/v1/users').set('Authorization', t.admin).send({ name: 'Agent A', email: `a.${Date.now()}@example.com`, role: 'agent' }).expect(201);
      const token = await t.http().post('/api/v1/api-tokens').set('Authorization', t.admin).send({ name: 't', userId: agent.body.id }).expect(201);
      await t.http().get('/api/v1/webhooks').set('Authorization', `Bearer ${token.body.token}`).expect(403);
      await t.http().get('/api/v1/notifications/deliveries').set('Authorization', `Bearer ${token.body.token}`).expect(403);
    });
  });

  it('POSTs each event as signed JSON with idempotency headers', async () => {
    const ticket = await createTicket('Printer on fire');
    const hit = await waitFor('ticket.created at the receiver', () =>
      receiver.requests.find((r) => r.event === 'ticket.created' && r.body.ticket_id === ticket.id));
    expect(hit.signatureValid).toBe(true);
    expect(hit.body).toMatchObject({
      event: 'ticket.created',
      ticket_id: ticket.id,
      title: 'Printer on fire',
      timestamp: expect.any(String),
      data: { ticket: expect.objectContaining({ id: ticket.id, number: ticket.number, priority: 'high' }) },
    });
    expect(hit.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(hit.body.event_id).toBe(hit.eventId);
    expect(hit.attempt).toBe(1);
    const deliveries = await waitFor('the delivery to be recorded as delivered', async () => {
      const res = await t.http().get(`/api/v1/notifications/deliveries?eventId=${hit.eventId}`).set('Authorization', t.admin).expect(200);
      return res.body.items[0]?.status === 'delivered' ? res.body.items : null;
    });
    expect(deliveries).toEqual([
      expect.objectContaining({ id: hit.deliveryId, channel: 'webhook', target: webhookId, eventType: 'ticket.created', status: 'delivered', attempts: 1, deliveredAt: expect.any(String) }),
    ]);
  });

  it("delivers one ticket's events in the order they happened", async () => {
    const ticket = await createTicket('Ordering');
    // The first delivery is slow to be acknowledged, so later events pile up behind it.
    receiver.reply = (r, n) => (r.event === 'ticket.created' && r.body.ticket_id === ticket.id && n === 1 ? { status: 503 } : { status: 200 });
    let version = ticket.version;
    for (const title of ['Ordering 1', 'Ordering 2', 'Ordering 3']) {
      const res = await t.http().patch(`/api/v1/tickets/${ticket.id}`).set('Authorization', t.admin).send({ title, version }).expect(200);
      version = res.body.version;
    }
    await t.http().post(`/api/v1/tickets/${ticket.id}/comments`).set('Authorization', t.admin).send({ body: 'done' }).expect(201);
    const applied = await waitFor('all five events', () => {
      const mine = [...receiver.applied.values()].filter((r) => r.body.ticket_id === ticket.id);
      return mine.length === 5 ? mine : null;
    });
    expect(applied.map((r) => r.event)).toEqual(['ticket.created', 'ticket.updated', 'ticket.updated', 'ticket.updated', 'comment.created']);
    expect(applied.slice(1, 4).map((r) => r.body.title)).toEqual(['Ordering 1', 'Ordering 2', 'Ordering 3']);
    const sequences = applied.map((r) => BigInt(r.body.sequence as string));
    expect([...sequences].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequences);
  });

  it('dead-letters a 4xx at once; the operator sees it and retries it after the receiver is fixed', async () => {
    receiver.reply = () => ({ status: 410 });
    const ticket = await createTicket('Gone');
    const failed = await waitFor('a failed delivery', async () => {
      const res = await t.http().get(`/api/v1/notifications/deliveries?status=failed&channel=webhook:${webhookId}`).set('Authorization', t.admin).expect(200);
      return res.body.items.find((d: { aggregateId: string }) => d.aggregateId === ticket.id);
    });
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringContaining('HTTP 410') });

    receiver.reply = () => ({ status: 200 });
    const retried = await t.http().post(`/api/v1/notifications/deliveries/${failed.id}/retry`).set('Authorization', t.admin).expect(202);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'pending', attempts: 0 });
    await waitFor('the retried delivery', () => receiver.applied.get(failed.eventId));
    await waitFor('status delivered', async () =>
      (await t.http().get(`/api/v1/notifications/deliveries/${failed.id}`).set('Authorization', t.admin)).body.status === 'delivered');
    await t.http().post(`/api/v1/notifications/deliveries/${failed.id}/retry`).set('Authorization', t.admin).expect(409);
    await t.http().post(`/api/v1/notifications/deliveries/00000000-0000-4000-8000-000000000000/retry`).set('Authorization', t.admin).expect(404);
  });

  it('pages the delivery list and validates its filters', async () => {
    const first = await t.http().get('/api/v1/notifications/deliveries?limit=2').set('Authorization', t.admin).expect(200);
    expect(first.body.items).toHaveLength(2);
    const second = await t.http().get(`/api/v1/notifications/deliveries?limit=2&cursor=${first.body.nextCursor}`).set('Authorization', t.admin).expect(200);
    expect(second.body.items[0].id).not.toBe(first.body.items[1].id);
    const bad = await t.http().get('/api/v1/notifications/deliveries?status=lost').set('Authorization', t.admin).expect(400);
    expect(bad.body.errors[0].field).toBe('status');
  });

  it('reports queue depth and failures per channel in /health and /metrics', async () => {
    const health = await t.http().get('/health').expect(200);
    expect(health.body.details.notifications).toMatchObject({ status: 'up', channels: { webhook: { queued: expect.any(Number), failed: expect.any(Number) } } });
    if (process.env.REDIS_URL) expect(health.body.details.redis).toMatchObject({ status: 'up' });
    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/threadline_notification_queue_depth\{channel="webhook"\} \d+/);
    expect(metrics.text).toMatch(/threadline_notification_deliveries_total\{channel="webhook",status="delivered"\} [1-9]/);
    expect(metrics.text).toMatch(/threadline_notification_failures_total\{channel="webhook"\} [1-9]/);
  });

  it('stops delivering to a deleted subscription', async () => {
    const other = await new WebhookReceiver(SECRET).start();
    try {
      const sub = await t.http().post('/api/v1/webhooks').set('Authorization', t.admin).send({ url: other.url, events: ['ticket.created'], secret: SECRET }).expect(201);
      const a = await createTicket('Before delete');
      await waitFor('delivery before delete', () => other.requests.find((r) => r.body.ticket_id === a.id));
      await t.http().delete(`/api/v1/webhooks/${sub.body.id}`).set('Authorization', t.admin).expect(204);
      await t.http().get(`/api/v1/webhooks/${sub.body.id}`).set('Authorization', t.admin).expect(404);
      const b = await createTicket('After delete');
      await waitFor('the main subscription got it', () => receiver.requests.find((r) => r.body.ticket_id === b.id));
      expect(other.requests.find((r) => r.body.ticket_id === b.id)).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('sends a test event on demand', async () => {
    const res = await t.http().post(`/api/v1/webhooks/${webhookId}/test`).set('Authorization', t.admin).expect(200);
    expect(res.body).toMatchObject({ delivered: true, status: 200, error: null });
    expect(receiver.requests.some((r) => r.event === 'webhook.test' && r.signatureValid)).toBe(true);
  });
});
