import { DataSource } from 'typeorm';
import { createUser, startTestApp, TestApp } from './support/test-app';

describe('authentication, users and API tokens', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp(); });
  afterAll(async () => t?.close());

  it.each([
    ['no header', undefined],
    ['a malformed header', 'Token abc'],
    ['an unknown token', 'Bearer tl_not-a-real-token'],
  ])('answers 401 with the error body for %s', async (_, header) => {
    const req = t.http().get('/api/v1/tickets');
    if (header) req.set('Authorization', header);
    const res = await req.expect(401);
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
  });

  it('accepts ADMIN_API_TOKEN as an admin from the first start', async () => {
    const res = await t.http().post('/api/v1/users').set('Authorization', t.admin).send({ name: 'Ann', email: 'ann@example.com', role: 'agent' }).expect(201);
    expect(res.body).toMatchObject({ name: 'Ann', email: 'ann@example.com', role: 'agent', active: true });
  });

  it('shows a token secret once, stores only its hash, and lists tokens without secrets', async () => {
    const { user } = await createUser(t, 'agent', 'Hash Check');
    const created = await t.http().post('/api/v1/api-tokens').set('Authorization', t.admin).send({ name: 'laptop', userId: user.id }).expect(201);
    expect(created.body.token).toMatch(/^tl_[A-Za-z0-9_-]{40,}$/);
    const rows = await t.app.get(DataSource).query(`SELECT token_hash FROM api_tokens WHERE id = $1`, [created.body.id]);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].token_hash).not.toContain(created.body.token);
    const list = await t.http().get('/api/v1/api-tokens').set('Authorization', t.admin).expect(200);
    const listed = list.body.find((x: { id: string }) => x.id === created.body.id);
    expect(listed).toMatchObject({ name: 'laptop', userId: user.id, prefix: created.body.token.slice(0, 10), revokedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
  });

  it('refuses a revoked token at once', async () => {
    const { auth } = await createUser(t, 'agent', 'Soon Revoked');
    await t.http().get('/api/v1/tickets').set('Authorization', auth).expect(200);
    const tokens = await t.http().get('/api/v1/api-tokens').set('Authorization', t.admin).expect(200);
    const id = tokens.body.find((x: { prefix: string }) => auth.endsWith(x.prefix) || auth.includes(x.prefix)).id;
    await t.http().delete(`/api/v1/api-tokens/${id}`).set('Authorization', t.admin).expect(204);
    await t.http().get('/api/v1/tickets').set('Authorization', auth).expect(401);
  });

  it('refuses tokens of a deactivated user', async () => {
    const { user, auth } = await createUser(t, 'agent', 'Leaver');
    await t.http().get('/api/v1/tickets').set('Authorization', auth).expect(200);
    await t.http().patch(`/api/v1/users/${user.id}`).set('Authorization', t.admin).send({ active: false }).expect(200);
    await t.http().get('/api/v1/tickets').set('Authorization', auth).expect(401);
  });

  it('lets agents work tickets but not manage users, tokens or projects (403)', async () => {
    const { auth, user } = await createUser(t, 'agent', 'Plain Agent');
    await t.http().post('/api/v1/tickets').set('Authorization', auth).send({ title: 'ok', priority: 'low' }).expect(201);
    await t.http().get('/api/v1/users').set('Authorization', auth).expect(200);
    const denied = [
      await t.http().post('/api/v1/users').set('Authorization', auth).send({ name: 'X', email: 'x@example.com', role: 'admin' }),
      await t.http().patch(`/api/v1/users/${user.id}`).set('Authorization', auth).send({ role: 'admin' }),
      await t.http().post('/api/v1/api-tokens').set('Authorization', auth).send({ name: 'mine' }),
      await t.http().get('/api/v1/api-tokens').set('Authorization', auth),
      await t.http().post('/api/v1/projects').set('Authorization', auth).send({ key: 'NOPE', name: 'Nope' }),
    ];
    for (const res of denied) expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    const me = await t.http().get(`/api/v1/users/${user.id}`).set('Authorization', auth).expect(200);
    expect(me.body.role).toBe('agent');
  });

  it('refuses a duplicate email (any case) with 409 naming the field', async () => {
    await t.http().post('/api/v1/users').set('Authorization', t.admin).send({ name: 'Dup', email: 'dup@example.com', role: 'agent' }).expect(201);
    const res = await t.http().post('/api/v1/users').set('Authorization', t.admin).send({ name: 'Dup2', email: 'DUP@example.com', role: 'agent' }).expect(409);
    expect(res.body).toMatchObject({ statusCode: 409, field: 'email' });
  });

  it('manages projects: create, list, get, rename, duplicate key 409', async () => {
    await t.http().post('/api/v1/projects').set('Authorization', t.admin).send({ key: 'NET', name: 'Network' }).expect(201);
    await t.http().post('/api/v1/projects').set('Authorization', t.admin).send({ key: 'NET', name: 'Again' }).expect(409);
    await t.http().patch('/api/v1/projects/NET').set('Authorization', t.admin).send({ name: 'Networking' }).expect(200);
    const got = await t.http().get('/api/v1/projects/NET').set('Authorization', t.admin).expect(200);
    expect(got.body).toMatchObject({ key: 'NET', name: 'Networking' });
    const list = await t.http().get('/api/v1/projects').set('Authorization', t.admin).expect(200);
    expect(list.body.map((p: { key: string }) => p.key)).toContain('NET');
    await t.http().get('/api/v1/projects/NOPE').set('Authorization', t.admin).expect(404);
  });

  it('pages users with a cursor', async () => {
    const p1 = await t.http().get('/api/v1/users?limit=2').set('Authorization', t.admin).expect(200);
    const p2 = await t.http().get(`/api/v1/users?limit=2&cursor=${p1.body.nextCursor}`).set('Authorization', t.admin).expect(200);
    expect(p1.body.items).toHaveLength(2);
    expect(p2.body.items[0].id).not.toBe(p1.body.items[1].id);
  });
});
