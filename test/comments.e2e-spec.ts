import { DataSource } from 'typeorm';
import { createUser, startTestApp, TestApp } from './support/test-app';

describe('comments API', () => {
  let t: TestApp;
  let alice: { user: { id: string; name: string }; auth: string };
  let bob: { user: { id: string; name: string }; auth: string };
  let ticket: { id: string; number: string };

  beforeAll(async () => {
    t = await startTestApp();
    alice = await createUser(t, 'agent', 'Alice');
    bob = await createUser(t, 'agent', 'Bob');
    ticket = (await t.http().post('/api/v1/tickets').set('Authorization', alice.auth).send({ title: 'Needs talk', priority: 'medium' }).expect(201)).body;
  });
  afterAll(async () => t?.close());

  const url = (suffix = '') => `/api/v1/tickets/${ticket.number}/comments${suffix}`;

  it('creates a public comment by default, with author and source api', async () => {
    const res = await t.http().post(url()).set('Authorization', alice.auth).send({ body: 'Looking into it **now**' }).expect(201);
    expect(res.body).toMatchObject({
      ticketId: ticket.id,
      body: 'Looking into it **now**',
      visibility: 'public',
      source: 'api',
      author: { id: alice.user.id, name: 'Alice', external: false },
      editedAt: null,
      deletedAt: null,
    });
    const [row] = await t.app.get(DataSource).query(`SELECT type, payload FROM outbox WHERE type = 'comment.created' AND payload->'comment'->>'id' = $1`, [res.body.id]);
    expect(row.payload).toMatchObject({ ticket: { id: ticket.id, number: ticket.number }, comment: { id: res.body.id, visibility: 'public' } });
  });

  it('lists oldest first and pages with a cursor', async () => {
    const fresh = (await t.http().post('/api/v1/tickets').set('Authorization', alice.auth).send({ title: 'Chatty', priority: 'low' }).expect(201)).body;
    for (let i = 0; i < 5; i++) {
      await t.http().post(`/api/v1/tickets/${fresh.id}/comments`).set('Authorization', alice.auth).send({ body: `c${i}`, visibility: i % 2 ? 'internal' : 'public' }).expect(201);
    }
    const p1 = await t.http().get(`/api/v1/tickets/${fresh.id}/comments?limit=2`).set('Authorization', alice.auth).expect(200);
    const p2 = await t.http().get(`/api/v1/tickets/${fresh.id}/comments?limit=2&cursor=${p1.body.nextCursor}`).set('Authorization', alice.auth).expect(200);
    const p3 = await t.http().get(`/api/v1/tickets/${fresh.id}/comments?limit=2&cursor=${p2.body.nextCursor}`).set('Authorization', alice.auth).expect(200);
    expect([...p1.body.items, ...p2.body.items, ...p3.body.items].map((c: { body: string }) => c.body)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(p3.body.nextCursor).toBeNull();
    expect(p1.body.items[1].visibility).toBe('internal');
  });

  it('lets the author edit, records editedAt and emits comment.updated', async () => {
    const c = (await t.http().post(url()).set('Authorization', alice.auth).send({ body: 'typo' }).expect(201)).body;
    const edited = await t.http().patch(url(`/${c.id}`)).set('Authorization', alice.auth).send({ body: 'fixed', visibility: 'internal' }).expect(200);
    expect(edited.body).toMatchObject({ body: 'fixed', visibility: 'internal', editedAt: expect.any(String) });
    const types = await t.app.get(DataSource).query(`SELECT type FROM outbox WHERE payload->'comment'->>'id' = $1 ORDER BY id`, [c.id]);
    expect(types.map((r: { type: string }) => r.type)).toEqual(['comment.created', 'comment.updated']);
  });

  it('refuses edits and deletes by another agent with 403, and allows an admin', async () => {
    const c = (await t.http().post(url()).set('Authorization', alice.auth).send({ body: 'mine' }).expect(201)).body;
    const denied = await t.http().patch(url(`/${c.id}`)).set('Authorization', bob.auth).send({ body: 'hijacked' }).expect(403);
    expect(denied.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    await t.http().delete(url(`/${c.id}`)).set('Authorization', bob.auth).expect(403);
    const still = await t.http().get(url(`/${c.id}`)).set('Authorization', bob.auth).expect(200);
    expect(still.body.body).toBe('mine');
    await t.http().patch(url(`/${c.id}`)).set('Authorization', t.admin).send({ body: 'moderated' }).expect(200);
  });

  it('soft-deletes: hidden from the list, kept with deletedAt, then 404 on edit', async () => {
    const c = (await t.http().post(url()).set('Authorization', alice.auth).send({ body: 'to delete' }).expect(201)).body;
    await t.http().delete(url(`/${c.id}`)).set('Authorization', alice.auth).expect(204);
    const visible = await t.http().get(url('?limit=100')).set('Authorization', alice.auth).expect(200);
    expect(visible.body.items.map((x: { id: string }) => x.id)).not.toContain(c.id);
    const all = await t.http().get(url('?limit=100&includeDeleted=true')).set('Authorization', alice.auth).expect(200);
    expect(all.body.items.find((x: { id: string }) => x.id === c.id)).toMatchObject({ body: 'to delete', deletedAt: expect.any(String) });
    await t.http().patch(url(`/${c.id}`)).set('Authorization', alice.auth).send({ body: 'zombie' }).expect(404);
    await t.http().delete(url(`/${c.id}`)).set('Authorization', alice.auth).expect(404);
    const [{ count }] = await t.app.get(DataSource).query(`SELECT count(*)::int AS count FROM outbox WHERE type = 'comment.deleted' AND payload->'comment'->>'id' = $1`, [c.id]);
    expect(count).toBe(1);
  });

  it('answers 404 for a comment of another ticket', async () => {
    const other = (await t.http().post('/api/v1/tickets').set('Authorization', alice.auth).send({ title: 'Other', priority: 'low' }).expect(201)).body;
    const c = (await t.http().post(`/api/v1/tickets/${other.id}/comments`).set('Authorization', alice.auth).send({ body: 'elsewhere' }).expect(201)).body;
    await t.http().get(url(`/${c.id}`)).set('Authorization', alice.auth).expect(404);
  });
});
