import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { createApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/config/app-config';

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
export async function startTestApp(env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const databaseUrl = process.env.DATABASE_URL ? await createScratchDatabase(process.env.DATABASE_URL) : undefined;
  const config = loadConfig({
    DATA_DIR: 'memory://',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL,
    PORT: '0',
    ...env,
  });
  const app = await createApp(config);
  await app.init();
  const server = app.getHttpServer();
  return {
    app,
    config,
    databaseUrl,
    http: () => request(server),
    admin: `Bearer ${ADMIN_TOKEN}`,
    async close() {
      await app.close();
      if (databaseUrl) await dropScratchDatabase(process.env.DATABASE_URL!, databaseUrl);
    },
  };
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
