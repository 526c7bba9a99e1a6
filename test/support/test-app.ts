import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import request from 'supertest';
import { createApp, readyApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { bindClock, Clock } from '../../src/sla/clock';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  /** supertest bound to the app's HTTP server */
  http: () => ReturnType<typeof request>;
  /** `Authorization` header value for the bootstrap admin */
  admin: string;
  databaseUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * Boots the whole application the way `npm start` does. Embedded mode (default): a fresh in-memory
 * PGlite. Services mode (DATABASE_URL set): a fresh database created on that server for this suite
 * and dropped afterwards, so suites running in parallel never see each other's rows.
 */
export interface TestAppOptions {
  /** The app's notion of now (e.g. a ManualClock), so no test waits for time to pass. */
  clock?: Clock;
  /** Use this existing database (e.g. another test app's) instead of a fresh one; it is not dropped on close. */
  databaseUrl?: string;
  /** Extra modules to install (e.g. a throwaway notification channel module). */
  imports?: Array<Type | DynamicModule>;
}

export async function startTestApp(env: Record<string, string | undefined> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const ownDatabase = !options.databaseUrl;
  const databaseUrl = options.databaseUrl ?? (process.env.DATABASE_URL ? await createScratchDatabase(process.env.DATABASE_URL) : undefined);
  const config = loadConfig({
    DATA_DIR: 'memory://',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL,
    // Own Bull keys per app, so suites running in parallel against one Redis never share a queue.
    QUEUE_PREFIX: `tl-test-${randomBytes(6).toString('hex')}`,
    PORT: '0',
    ...env,
  });
  if (options.clock) bindClock(config, options.clock);
  const app = await readyApp(await createApp(config, { imports: options.imports }));
  const server = app.getHttpServer();
  return {
    app,
    config,
    databaseUrl,
    http: () => request(server),
    admin: `Bearer ${ADMIN_TOKEN}`,
    async close() {
      await app.close();
      await dropQueueKeys(config);
      if (databaseUrl && ownDatabase) await dropScratchDatabase(process.env.DATABASE_URL!, databaseUrl);
    },
  };
}

/** Removes the Bull keys (e.g. repeatable-job schedules) a test app left under its own prefix. */
async function dropQueueKeys(config: AppConfig): Promise<void> {
  if (!config.REDIS_URL || !config.QUEUE_PREFIX.startsWith('tl-test-')) return;
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.QUEUE_PREFIX}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // best effort: a test app without a reachable Redis has nothing to clean
  } finally {
    redis.disconnect();
  }
}

export async function createScratchDatabase(serverUrl: string): Promise<string> {
  const name = `threadline_test_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropScratchDatabase(serverUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Creates a user through the API and a token for them; returns the user and its header value. */
export async function createUser(t: TestApp, role: 'admin' | 'agent' = 'agent', name = `User ${randomBytes(3).toString('hex')}`) {
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${randomBytes(3).toString('hex')}@example.com`;
  const user = await t.http().post('/api/v1/users').set('Authorization', t.admin).send({ name, email, role }).expect(201);
  const token = await t.http().post('/api/v1/api-tokens').set('Authorization', t.admin).send({ name: 'test', userId: user.body.id }).expect(201);
  return { user: user.body as { id: string; name: string; email: string }, auth: `Bearer ${token.body.token}` };
}
