import { startTestApp, TestApp } from './support/test-app';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp(); });
  afterAll(async () => { await t?.close(); });

  it('creates and reads a ticket', async () => {
    const created = await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: 'VPN down', priority: 'high' });
    expect(created.status).toBe(201);
    expect(created.body.number).toMatch(/^TKT-\d+$/);
    const got = await t.http().get(`/api/v1/tickets/${created.body.number}`).set('Authorization', t.admin).expect(200);
    expect(got.body.id).toBe(created.body.id);
  });
});
