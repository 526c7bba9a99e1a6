import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor, WebhookReceiver } from './support/webhook-receiver';

const SECRET = 'whsec_faults_0123456789abcdef';
const servicesMode = !!(process.env.DATABASE_URL && process.env.REDIS_URL);
const ROOT = join(__dirname, '..');

/**
 * Faults the pipeline must survive. They need real PostgreSQL and Redis (services mode): without
 * DATABASE_URL and REDIS_URL the suite is skipped, and says so. CI runs it in services mode.
 */
const describeServices = servicesMode ? describe : describe.skip;
if (!servicesMode) {
  // eslint-disable-next-line no-console
  console.info('notifications-faults: skipped (set DATABASE_URL and REDIS_URL to run the services-mode fault tests)');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A process of ours, with its output kept for the failure message. */
class Child {
  output = '';
  constructor(readonly proc: ChildProcess) {
    proc.stdout?.on('data', (d) => (this.output += d));
    proc.stderr?.on('data', (d) => (this.output += d));
  }
  get exited() {
    return this.proc.exitCode !== null || this.proc.signalCode !== null;
  }
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15000): Promise<{ code: number | null; signal: string | null }> {
    if (!this.exited) {
      const exit = once(this.proc, 'exit');
      this.proc.kill(signal);
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
      await exit;
      clearTimeout(timer);
    }
    return { code: this.proc.exitCode, signal: this.proc.signalCode };
  }
}

function startRedis(port: number): Child {
  return new Child(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'pipe' }));
}

async function redisReady(port: number) {
  const { default: Redis } = await import('ioredis');
  await waitFor(`redis on ${port}`, async () => {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  }, 10000, 50);
}

describeServices('notification faults (services mode)', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await new WebhookReceiver(SECRET).start();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  describe('a worker killed in the middle of a delivery', () => {
    let api: TestApp;
    const workers: Child[] = [];

    beforeAll(async () => {
      api = await startTestApp({ PROCESS_ROLE: 'api', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    });
    afterAll(async () => {
      for (const w of workers) await w.stop('SIGKILL');
      await api?.close();
    });

    /** A real worker process (PROCESS_ROLE=worker) on the API's database and queue prefix. */
    const startWorker = () => {
      const worker = new Child(
        spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/main.ts')], {
          cwd: ROOT,
          stdio: 'pipe',
          env: {
            PATH: process.env.PATH,
            TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
            PROCESS_ROLE: 'worker',
            DATABASE_URL: api.databaseUrl,
            REDIS_URL: process.env.REDIS_URL,
            QUEUE_PREFIX: api.config.QUEUE_PREFIX,
            // The same as the API's, as a deployment shares it: a different one would rotate the
            // API's token out (ADMIN_API_TOKEN replaces the previous one) once its auth cache expires.
            ADMIN_API_TOKEN: api.config.ADMIN_API_TOKEN,
            WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
            NOTIFY_LEASE_MS: '3000',
            NOTIFY_POLL_INTERVAL_MS: '200',
            NOTIFY_BACKOFF_BASE_MS: '100',
            SLA_SCAN_INTERVAL_MS: '0',
            LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
          },
        }),
      );
      workers.push(worker);
      return worker;
    };

    it('delivers the event after a restart, and the receiver applies it once', async () => {
      await api.http().post('/api/v1/webhooks').set('Authorization', api.admin).send({ url: receiver.url, events: ['ticket.created'], secret: SECRET }).expect(201);
      // The first request for the event is taken in but never answered: the worker dies waiting.
      receiver.reply = (_r, n) => (n === 1 ? 'hang' : { status: 200 });
      const ticket = (await api.http().post('/api/v1/tickets').set('Authorization', api.admin).send({ title: 'Crash test', priority: 'high' }).expect(201)).body;

      const first = startWorker();
      const hung = await waitFor('the first worker to reach the receiver', () => {
        if (first.exited) throw new Error(`worker exited early:\n${first.output}`);
        return receiver.requests.find((r) => r.body.ticket_id === ticket.id);
      }, 120_000, 50); // ts-node compiles the app on start: slow when every suite runs at once
      expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      const [inFlight] = (await api.http().get(`/api/v1/notifications/deliveries?eventId=${hung.eventId}`).set('Authorization', api.admin).expect(200)).body.items;
      expect(inFlight).toMatchObject({ status: 'delivering', attempts: 1 });

      const second = startWorker();
      const delivery = await waitFor('the delivery to complete after the restart', async () => {
        if (second.exited) throw new Error(`worker exited early:\n${second.output}`);
        const [d] = (await api.http().get(`/api/v1/notifications/deliveries?eventId=${hung.eventId}`).set('Authorization', api.admin).expect(200)).body.items;
        return d.status === 'delivered' ? d : null;
      }, 120_000, 100);
      expect(delivery).toMatchObject({ attempts: 2, deliveredAt: expect.any(String) });
      const tries = receiver.requestsFor(hung.eventId);
      expect(tries).toHaveLength(2);
      expect(tries.map((r) => r.deliveryId)).toEqual([delivery.id, delivery.id]);
      expect(tries.filter((r) => r.applied)).toHaveLength(1);
      expect(receiver.applied.get(hung.eventId)?.body.ticket_id).toBe(ticket.id);

      // SIGTERM: a graceful stop (Nest re-raises the signal once its shutdown hooks have run), well before our SIGKILL fallback.
      const stopped = await second.stop('SIGTERM', 20000);
      expect([stopped.code === 0, stopped.signal === 'SIGTERM']).toContain(true);
    }, 300_000);
  });

  describe('Redis down', () => {
    let t: TestApp;
    let port: number;
    let redis: Child;

    beforeAll(async () => {
      port = await freePort();
      redis = startRedis(port);
      await redisReady(port);
      t = await startTestApp({
        REDIS_URL: `redis://127.0.0.1:${port}`,
        WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        NOTIFY_POLL_INTERVAL_MS: '200',
        NOTIFY_BACKOFF_BASE_MS: '100',
      });
      await t.http().post('/api/v1/webhooks').set('Authorization', t.admin).send({ url: receiver.url, events: ['ticket.created', 'comment.created'], secret: SECRET }).expect(201);
      receiver.reply = () => ({ status: 200 });
    });
    afterAll(async () => {
      await t?.close();
      await redis?.stop('SIGKILL');
    });

    it('the API keeps storing tickets and comments; everything is delivered, once, when Redis returns', async () => {
      const before = (await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: 'Before the outage', priority: 'low' }).expect(201)).body;
      await waitFor('delivery while Redis is up', () => receiver.applied.size > 0 && [...receiver.applied.values()].some((r) => r.body.ticket_id === before.id));

      await redis.stop('SIGKILL');
      const tickets: string[] = [];
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        const ticket = (await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: `During the outage ${i}`, priority: 'low' }).expect(201)).body;
        await t.http().post(`/api/v1/tickets/${ticket.id}/comments`).set('Authorization', t.admin).send({ body: `comment ${i}` }).expect(201);
        expect(Date.now() - started).toBeLessThan(2000);
        tickets.push(ticket.id);
      }
      // Held in PostgreSQL, visible to the operator; readiness reports Redis down without hanging.
      const health = await waitFor('10 queued deliveries in /health', async () => {
        const res = await t.http().get('/health');
        return res.body.details?.notifications?.channels?.webhook?.queued >= 10 ? res : null;
      }, 10000, 100);
      expect(health.status).toBe(503);
      expect(health.body.details.redis.status).toBe('down');
      expect([...receiver.applied.values()].filter((r) => tickets.includes(r.body.ticket_id as string))).toHaveLength(0);

      redis = startRedis(port);
      await redisReady(port);
      const delivered = await waitFor('all 10 events after Redis returns', () => {
        const mine = receiver.requests.filter((r) => tickets.includes(r.body.ticket_id as string));
        return mine.length >= 10 ? mine : null;
      }, 30000, 50);
      // Nothing lost, nothing duplicated: each ticket's created + comment event, each exactly once.
      await waitFor('the queue to drain', async () => (await t.http().get('/health')).body.details?.notifications?.channels?.webhook?.queued === 0, 10000);
      const all = receiver.requests.filter((r) => tickets.includes(r.body.ticket_id as string));
      expect(all).toHaveLength(10);
      expect(new Set(all.map((r) => r.eventId)).size).toBe(10);
      for (const id of tickets) {
        expect(delivered.filter((r) => r.body.ticket_id === id).map((r) => r.event)).toEqual(['ticket.created', 'comment.created']);
      }
      await t.http().get('/health').expect(200);
    });
  });
});
