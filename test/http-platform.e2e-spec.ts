import { postSigned, SIGNING_SECRET } from './support/slack-inbound';
import { startTestApp, TestApp } from './support/test-app';

/**
 * What the HTTP platform (Fastify, configured in src/bootstrap.ts) must keep as it was on Express:
 * headers, request ids, which bodies are parsed how, URL matching, and the error format for
 * requests that fail before any controller runs.
 */
describe('HTTP platform', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SLACK_SIGNING_SECRET: SIGNING_SECRET });
  });
  afterAll(async () => t?.close());

  it('sends no X-Powered-By and no ETag', async () => {
    for (const path of ['/api/v1/tickets', '/health', '/docs-json']) {
      const res = await t.http().get(path).set('Authorization', t.admin).expect(200);
      expect([path, res.headers['x-powered-by'], res.headers.etag]).toEqual([path, undefined, undefined]);
    }
  });

  it('echoes a sane X-Request-Id and makes one up otherwise, on errors too', async () => {
    const given = await t.http().get('/api/v1/tickets').set('Authorization', t.admin).set('X-Request-Id', 'trace.42-a_b').expect(200);
    expect(given.headers['x-request-id']).toBe('trace.42-a_b');
    const odd = await t.http().get('/api/v1/tickets').set('Authorization', t.admin).set('X-Request-Id', 'no spaces please').expect(200);
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await t.http().get('/api/v1/nope').expect(404);
    expect(missing.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const badUrl = await t.http().get('/api/v1/users/%E0%A4%A').set('Authorization', t.admin).expect(400);
    expect(badUrl.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a path that does not decode with 400 in the standard format', async () => {
    const res = await t.http().get('/api/v1/users/%E0%A4%A').set('Authorization', t.admin).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
  });

  it('matches URLs case-insensitively and ignores a trailing slash, as Express did', async () => {
    await t.http().get('/API/v1/Tickets').set('Authorization', t.admin).expect(200);
    await t.http().get('/api/v1/tickets/').set('Authorization', t.admin).expect(200);
  });

  it('validates a long path parameter rather than refusing the URL', async () => {
    const res = await t.http().get(`/api/v1/users/${'a'.repeat(300)}`).set('Authorization', t.admin).expect(400);
    expect(res.body.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
  });

  it('accepts form-encoded bodies on API routes', async () => {
    const res = await t.http().post('/api/v1/tickets').set('Authorization', t.admin).type('form').send('title=Filed+from+a+form&priority=low').expect(201);
    expect(res.body).toMatchObject({ title: 'Filed from a form', priority: 'low' });
  });

  it('leaves a body of another type unparsed: the DTO sees no fields', async () => {
    const res = await t.http().post('/api/v1/tickets').set('Authorization', t.admin).set('Content-Type', 'text/plain').send('{"title":"x","priority":"low"}').expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['priority', 'title']);
  });

  it('refuses an oversized body of any type with 413 in the standard format', async () => {
    for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/plain']) {
      const res = await t.http().post('/api/v1/tickets').set('Authorization', t.admin).set('Content-Type', type).send('x'.repeat(600 * 1024));
      expect([type, res.status, res.body]).toEqual([type, 413, { statusCode: 413, error: 'Payload Too Large', message: 'Request body is too large' }]);
    }
  });

  it("gives Slack's routes the raw bytes whatever the content type", async () => {
    const body = JSON.stringify({ token: 'x', challenge: 'raw-bytes-challenge', type: 'url_verification' });
    for (const contentType of ['application/json', 'text/plain', 'application/octet-stream']) {
      const res = await postSigned(t, '/slack/events', body, { contentType }).expect(200);
      expect([contentType, res.body]).toEqual([contentType, { challenge: 'raw-bytes-challenge' }]);
    }
  });
});
