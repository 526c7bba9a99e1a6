import { DataSource } from 'typeorm';
import { createUser, startTestApp, TestApp } from './support/test-app';

describe('tickets API', () => {
  let t: TestApp;
  let agent: { user: { id: string; name: string }; auth: string };
  let requester: { user: { id: string; name: string }; auth: string };

  beforeAll(async () => {
    t = await startTestApp();
    agent = await createUser(t, 'agent', 'Alice Agent');
    requester = await createUser(t, 'agent', 'Rita Requester');
    await t.http().post('/api/v1/projects').set('Authorization', t.admin).send({ key: 'PLAT', name: 'Platform' }).expect(201);
  });
  afterAll(async () => t?.close());

  const create = (body: object, auth = agent.auth) => t.http().post('/api/v1/tickets').set('Authorization', auth).send(body);
  const outbox = (ticketId: string) =>
    t.app.get(DataSource).query(`SELECT type, schema_version, payload, actor, origin FROM outbox WHERE aggregate_id = $1 ORDER BY id`, [ticketId]);

  it('creates a ticket with a sequential TKT number and every documented field', async () => {
    const first = await create({ title: 'VPN drops', description: 'every **10** minutes', priority: 'high', assigneeId: agent.user.id, requesterId: requester.user.id, projectKey: 'PLAT' }).expect(201);
    const second = await create({ title: 'Printer', priority: 'low' }).expect(201);
    expect(first.body).toMatchObject({
      number: expect.stringMatching(/^TKT-\d+$/),
      status: 'new',
      priority: 'high',
      title: 'VPN drops',
      description: 'every **10** minutes',
      assignee: { id: agent.user.id, name: 'Alice Agent' },
      requester: { id: requester.user.id, name: 'Rita Requester' },
      project: { key: 'PLAT', name: 'Platform' },
      version: 1,
    });
    expect(first.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(first.body.createdAt)).not.toBeNaN();
    expect(Number(second.body.number.slice(4))).toBe(Number(first.body.number.slice(4)) + 1);
    expect(second.body.assignee).toBeNull();
  });

  it('writes ticket.created (and ticket.assigned) to the outbox with a versioned payload, actor and origin', async () => {
    const res = await create({ title: 'Outbox check', priority: 'medium', assigneeId: agent.user.id }).expect(201);
    const rows = await outbox(res.body.id);
    expect(rows.map((r: { type: string }) => r.type)).toEqual(['ticket.created', 'ticket.assigned']);
    expect(rows[0]).toMatchObject({
      schema_version: 1,
      payload: { ticket: { id: res.body.id, number: res.body.number, title: 'Outbox check' } },
      actor: { type: 'user', id: agent.user.id, name: 'Alice Agent' },
      origin: { channel: 'api' },
    });
  });

  it('gets a ticket by uuid and by number, case-insensitively', async () => {
    const res = await create({ title: 'Lookup', priority: 'low' }).expect(201);
    const byId = await t.http().get(`/api/v1/tickets/${res.body.id}`).set('Authorization', agent.auth).expect(200);
    const byNumber = await t.http().get(`/api/v1/tickets/${res.body.number.toLowerCase()}`).set('Authorization', agent.auth).expect(200);
    expect(byId.body).toEqual(byNumber.body);
  });

  it('walks the workflow and refuses an invalid transition with 409 and the allowed next states', async () => {
    const { body } = await create({ title: 'Workflow', priority: 'medium' }).expect(201);
    const patch = (b: object) => t.http().patch(`/api/v1/tickets/${body.number}`).set('Authorization', agent.auth).send(b);
    for (const status of ['open', 'in_progress', 'pending', 'resolved', 'closed']) {
      const res = await patch({ status }).expect(200);
      expect(res.body.status).toBe(status);
    }
    const refused = await patch({ status: 'pending' }).expect(409);
    expect(refused.body).toMatchObject({ statusCode: 409, error: 'Conflict', currentStatus: 'closed', allowedTransitions: ['open'] });
    const reopened = await patch({ status: 'open' }).expect(200);
    expect(reopened.body).toMatchObject({ status: 'open', resolvedAt: null, version: 7 });
  });

  it('refuses a stale version with 409 and changes nothing', async () => {
    const { body } = await create({ title: 'Locking', priority: 'medium' }).expect(201);
    await t.http().patch(`/api/v1/tickets/${body.id}`).set('Authorization', agent.auth).send({ title: 'First writer', version: 1 }).expect(200);
    const stale = await t.http().patch(`/api/v1/tickets/${body.id}`).set('Authorization', agent.auth).send({ title: 'Second writer', status: 'open', version: 1 }).expect(409);
    expect(stale.body).toMatchObject({ statusCode: 409, currentVersion: 2 });
    const now = await t.http().get(`/api/v1/tickets/${body.id}`).set('Authorization', agent.auth).expect(200);
    expect(now.body).toMatchObject({ title: 'First writer', status: 'new', version: 2 });
  });

  it('lets exactly one of several concurrent writers with the same version win', async () => {
    const { body } = await create({ title: 'Race', priority: 'medium' }).expect(201);
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => t.http().patch(`/api/v1/tickets/${body.id}`).set('Authorization', agent.auth).send({ title: `Writer ${i}`, version: 1 })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(4);
  });

  it('records every change in the activity log and emits the matching events', async () => {
    const { body } = await create({ title: 'Activity', priority: 'low' }).expect(201);
    await t.http().patch(`/api/v1/tickets/${body.id}`).set('Authorization', agent.auth)
      .send({ title: 'Activity (renamed)', priority: 'critical', status: 'open', assigneeId: agent.user.id, projectKey: 'PLAT' }).expect(200);
    await t.http().patch(`/api/v1/tickets/${body.id}`).set('Authorization', agent.auth).send({ assigneeId: null }).expect(200);
    const activity = await t.http().get(`/api/v1/tickets/${body.id}/activity`).set('Authorization', agent.auth).expect(200);
    const entries = activity.body.items.map((a: { action: string; field: string; from: string; to: string }) => [a.action, a.field, a.from, a.to]);
    expect(entries).toEqual([
      ['created', null, null, body.number],
      ['updated', 'title', 'Activity', 'Activity (renamed)'],
      ['updated', 'priority', 'low', 'critical'],
      ['updated', 'project', null, 'PLAT'],
      ['status_changed', 'status', 'new', 'open'],
      ['assigned', 'assignee', null, 'Alice Agent'],
      ['assigned', 'assignee', 'Alice Agent', null],
    ]);
    expect(activity.body.items[1]).toMatchObject({ actor: { id: agent.user.id, name: 'Alice Agent' }, origin: 'api' });
    const types = (await outbox(body.id)).map((r: { type: string }) => r.type);
    expect(types).toEqual(['ticket.created', 'ticket.updated', 'ticket.status_changed', 'ticket.assigned', 'ticket.assigned']);
  });

  it('pages the activity log with a cursor', async () => {
    const { body } = await create({ title: 'Busy', priority: 'low' }).expect(201);
    for (let i = 0; i < 4; i++) {
      await t.http().patch(`/api/v1/tickets/${body.id}`).set('Authorization', agent.auth).send({ title: `Busy ${i}` }).expect(200);
    }
    const p1 = await t.http().get(`/api/v1/tickets/${body.id}/activity?limit=3`).set('Authorization', agent.auth).expect(200);
    const p2 = await t.http().get(`/api/v1/tickets/${body.id}/activity?limit=3&cursor=${p1.body.nextCursor}`).set('Authorization', agent.auth).expect(200);
    expect(p1.body.items).toHaveLength(3);
    expect(p2.body.items).toHaveLength(2);
    expect(p2.body.nextCursor).toBeNull();
    expect(p2.body.items[1].to).toBe('Busy 3');
  });

  describe('listing', () => {
    let ids: Record<string, string>;
    beforeAll(async () => {
      const other = await createUser(t, 'agent', 'Bob Other');
      const mk = async (title: string, priority: string, extra: object = {}) => (await create({ title, priority, ...extra }).expect(201)).body.id;
      ids = {
        a: await mk('zz-list database slow', 'critical', { assigneeId: other.user.id, projectKey: 'PLAT' }),
        b: await mk('zz-list disk full', 'low', { assigneeId: other.user.id }),
        c: await mk('zz-list Database locked 100%_', 'high', { requesterId: requester.user.id }),
        d: await mk('zz-list email bounce', 'medium', { assigneeId: other.user.id }),
      };
      await t.http().patch(`/api/v1/tickets/${ids.b}`).set('Authorization', agent.auth).send({ status: 'open' }).expect(200);
      agentB = other;
    });
    let agentB: { user: { id: string }; auth: string };
    const list = (qs: string) => t.http().get(`/api/v1/tickets?${qs}`).set('Authorization', agent.auth).expect(200);
    const listIds = async (qs: string) => (await list(qs)).body.items.map((i: { id: string }) => i.id);

    it('filters by text in the title, case-insensitively, treating % and _ literally', async () => {
      expect(await listIds('q=zz-list%20database&sort=createdAt')).toEqual([ids.a, ids.c]);
      expect(await listIds('q=100%25_')).toEqual([ids.c]);
    });

    it('filters by status, priority, assignee, requester and project', async () => {
      expect(await listIds('q=zz-list&status=open')).toEqual([ids.b]);
      expect(await listIds('q=zz-list&priority=critical,high&sort=priority')).toEqual([ids.a, ids.c]);
      expect(await listIds(`q=zz-list&assigneeId=${agentB.user.id}&sort=createdAt`)).toEqual([ids.a, ids.b, ids.d]);
      expect(await listIds('q=zz-list&assigneeId=none')).toEqual([ids.c]);
      expect(await listIds(`q=zz-list&requesterId=${requester.user.id}`)).toEqual([ids.c]);
      expect(await listIds('q=zz-list&projectKey=PLAT')).toEqual([ids.a]);
      const mine = await t.http().get('/api/v1/tickets?q=zz-list&assigneeId=me&sort=createdAt').set('Authorization', agentB.auth).expect(200);
      expect(mine.body.items.map((i: { id: string }) => i.id)).toEqual([ids.a, ids.b, ids.d]);
    });

    it('sorts by priority, number and recency in both directions', async () => {
      expect(await listIds('q=zz-list&sort=priority')).toEqual([ids.a, ids.c, ids.d, ids.b]);
      expect(await listIds('q=zz-list&sort=-priority')).toEqual([ids.b, ids.d, ids.c, ids.a]);
      expect(await listIds('q=zz-list&sort=number')).toEqual([ids.a, ids.b, ids.c, ids.d]);
      expect(await listIds('q=zz-list&sort=-createdAt')).toEqual([ids.d, ids.c, ids.b, ids.a]);
      expect(await listIds('q=zz-list&sort=-updatedAt')).toEqual([ids.b, ids.d, ids.c, ids.a]);
    });

    it('pages through every sort with a cursor, without gaps or repeats', async () => {
      for (const sort of ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'priority', '-priority', 'number', '-number']) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await list(`q=zz-list&sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
          seen.push(...page.body.items.map((i) => i.id));
          cursor = page.body.nextCursor;
        } while (cursor);
        expect(seen).toEqual(await listIds(`q=zz-list&sort=${sort}&limit=100`));
        expect(new Set(seen).size).toBe(4);
      }
    });

    it('refuses a cursor from another sort order', async () => {
      const page = await list('q=zz-list&sort=number&limit=1');
      const res = await t.http().get(`/api/v1/tickets?q=zz-list&sort=priority&cursor=${page.body.nextCursor}`).set('Authorization', agent.auth).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    });
  });
});
