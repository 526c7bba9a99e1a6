import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Every bad input is a 4xx with `{ statusCode, error, message }` (and `errors` naming each field for
 * validation), never a 500, and never changes what is stored.
 */
describe('bad input', () => {
  let t: TestApp;
  let ticket: { id: string; number: string; version: number };
  let comment: { id: string };
  let snapshot: () => Promise<string>;

  beforeAll(async () => {
    t = await startTestApp();
    ticket = (await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: 'Victim', priority: 'low' }).expect(201)).body;
    comment = (await t.http().post(`/api/v1/tickets/${ticket.id}/comments`).set('Authorization', t.admin).send({ body: 'original' }).expect(201)).body;
    const db = t.app.get(DataSource);
    snapshot = async () =>
      JSON.stringify(
        await Promise.all(
          [
            'SELECT * FROM tickets ORDER BY 1',
            'SELECT * FROM comments ORDER BY 1',
            'SELECT * FROM users ORDER BY 1',
            'SELECT * FROM projects ORDER BY 1',
            // The events themselves; published_at is the pipeline's bookkeeping and changes on its own.
            'SELECT id, event_id, type, payload, actor, origin, occurred_at FROM outbox ORDER BY 1',
            'SELECT * FROM ticket_activity ORDER BY 1',
          ].map((sql) => db.query(sql)),
        ),
      );
  });
  afterAll(async () => t?.close());

  const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field).sort();

  const validationCases: [string, string, string, object, string[]][] = [
    ['unknown field', 'post', '/api/v1/tickets', { title: 'x', priority: 'low', color: 'red' }, ['color']],
    ['missing title and priority', 'post', '/api/v1/tickets', {}, ['priority', 'title']],
    ['title of wrong type', 'post', '/api/v1/tickets', { title: 42, priority: 'low' }, ['title']],
    ['empty title', 'post', '/api/v1/tickets', { title: '   ', priority: 'low' }, ['title']],
    ['title over 200 chars', 'post', '/api/v1/tickets', { title: 'x'.repeat(201), priority: 'low' }, ['title']],
    ['description over 64 KiB', 'post', '/api/v1/tickets', { title: 'x', priority: 'low', description: 'x'.repeat(65537) }, ['description']],
    ['bad priority', 'post', '/api/v1/tickets', { title: 'x', priority: 'urgent' }, ['priority']],
    ['malformed assignee uuid', 'post', '/api/v1/tickets', { title: 'x', priority: 'low', assigneeId: 'nope' }, ['assigneeId']],
    ['unknown assignee', 'post', '/api/v1/tickets', { title: 'x', priority: 'low', assigneeId: '00000000-0000-4000-8000-000000000000' }, ['assigneeId']],
    ['unknown project', 'post', '/api/v1/tickets', { title: 'x', priority: 'low', projectKey: 'NOPE' }, ['projectKey']],
    ['bad status', 'patch', '/api/v1/tickets/{ticket}', { status: 'done' }, ['status']],
    ['version of wrong type', 'patch', '/api/v1/tickets/{ticket}', { title: 'y', version: 'one' }, ['version']],
    ['empty comment body', 'post', '/api/v1/tickets/{ticket}/comments', { body: '' }, ['body']],
    ['comment body over 64 KiB', 'post', '/api/v1/tickets/{ticket}/comments', { body: 'x'.repeat(65537) }, ['body']],
    ['bad visibility', 'post', '/api/v1/tickets/{ticket}/comments', { body: 'x', visibility: 'secret' }, ['visibility']],
    ['comment of wrong type', 'patch', '/api/v1/tickets/{ticket}/comments/{comment}', { body: ['x'] }, ['body']],
    ['bad email', 'post', '/api/v1/users', { name: 'x', email: 'not-an-email', role: 'agent' }, ['email']],
    ['bad role', 'post', '/api/v1/users', { name: 'x', email: 'x@example.com', role: 'root' }, ['role']],
    ['bad project key', 'post', '/api/v1/projects', { key: 'lower', name: 'x' }, ['key']],
    ['token expiry out of range', 'post', '/api/v1/api-tokens', { name: 'x', expiresInDays: 0 }, ['expiresInDays']],
  ];

  it.each(validationCases)('%s: 400 naming the field, nothing stored', async (_, method, path, body, fields) => {
    const before = await snapshot();
    const url = path.replace('{ticket}', ticket.id).replace('{comment}', comment.id);
    const res = await (t.http() as unknown as Record<string, (u: string) => import('supertest').Test>)[method](url).set('Authorization', t.admin).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
    expect(fieldsOf(res.body)).toEqual(fields);
    expect(await snapshot()).toBe(before);
  });

  const queryCases: [string, string, string[]][] = [
    ['limit over 100', '/api/v1/tickets?limit=101', ['limit']],
    ['limit not a number', '/api/v1/tickets?limit=ten', ['limit']],
    ['bad status filter', '/api/v1/tickets?status=open,done', ['status']],
    ['bad sort', '/api/v1/tickets?sort=title', ['sort']],
    ['malformed cursor', '/api/v1/tickets?cursor=%%%', ['cursor']],
    ['garbage cursor', '/api/v1/tickets?cursor=bm90LWpzb24', ['cursor']],
    ['cursor of the wrong shape', `/api/v1/tickets?cursor=${Buffer.from('[1,2]').toString('base64url')}`, ['cursor']],
    ['malformed assignee filter', '/api/v1/tickets?assigneeId=bob', ['assigneeId']],
    ['unknown query parameter', '/api/v1/tickets?colour=red', ['colour']],
    ['malformed ticket reference', '/api/v1/tickets/ticket-12', ['idOrNumber']],
    ['malformed user id', '/api/v1/users/123', ['id']],
    ['malformed comment id', '/api/v1/tickets/{ticket}/comments/xyz', ['commentId']],
    ['malformed comment cursor', '/api/v1/tickets/{ticket}/comments?cursor=WyJ4IiwieSJd', ['cursor']],
    ['malformed activity cursor', `/api/v1/tickets/{ticket}/activity?cursor=${Buffer.from('["1 OR 1=1"]').toString('base64url')}`, ['cursor']],
  ];

  it.each(queryCases)('%s: 400 naming the field', async (_, path, fields) => {
    const res = await t.http().get(path.replace('{ticket}', ticket.id)).set('Authorization', t.admin);
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(fields);
  });

  it.each([
    ['/api/v1/tickets/TKT-999999'],
    ['/api/v1/tickets/00000000-0000-4000-8000-000000000000'],
    ['/api/v1/tickets/TKT-999999/comments'],
    ['/api/v1/tickets/{ticket}/comments/00000000-0000-4000-8000-000000000000'],
    ['/api/v1/users/00000000-0000-4000-8000-000000000000'],
  ])('unknown id %s: 404', async (path) => {
    const res = await t.http().get(path.replace('{ticket}', ticket.id)).set('Authorization', t.admin).expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('malformed JSON: 400, nothing stored', async () => {
    const before = await snapshot();
    const res = await t.http().post('/api/v1/tickets').set('Authorization', t.admin).set('Content-Type', 'application/json').send('{"title": "x", ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/JSON/) });
    expect(await snapshot()).toBe(before);
  });

  it.each([
    ['__proto__', 'post', '/api/v1/tickets', '{"title":"x","priority":"low","__proto__":{"status":"closed"}}'],
    ['__proto__', 'patch', '/api/v1/tickets/{ticket}', '{"title":"y","nested":{"__proto__":{"isAdmin":true}}}'],
    ['constructor', 'patch', '/api/v1/tickets/{ticket}', '{"constructor":{"prototype":{"title":"sneaky"}}}'],
  ])('a JSON key that reaches object prototypes (%s, %s %s): 400 naming it, nothing stored', async (field, method, path, body) => {
    const before = await snapshot();
    const url = path.replace('{ticket}', ticket.id);
    const res = await (t.http() as unknown as Record<string, (u: string) => import('supertest').Test>)[method](url)
      .set('Authorization', t.admin)
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual([field]);
    expect(await snapshot()).toBe(before);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('a JSON array or scalar instead of an object: 400', async () => {
    for (const body of ['[1,2]', '"text"', 'null']) {
      const res = await t.http().post('/api/v1/tickets').set('Authorization', t.admin).set('Content-Type', 'application/json').send(body);
      expect([400]).toContain(res.status);
    }
  });

  it('oversized body: 413, nothing stored', async () => {
    const before = await snapshot();
    const res = await t.http().post(`/api/v1/tickets/${ticket.id}/comments`).set('Authorization', t.admin).send({ body: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    expect(await snapshot()).toBe(before);
  });

  it('PATCH with nothing to change: 400', async () => {
    const res = await t.http().patch(`/api/v1/tickets/${ticket.id}`).set('Authorization', t.admin).send({ version: ticket.version }).expect(400);
    expect(res.body.message).toMatch(/Nothing to change/);
  });

  it('unknown route: 404 in the same error format', async () => {
    const res = await t.http().get('/api/v1/nope').set('Authorization', t.admin).expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});
