import { ManualClock } from '../src/sla/clock';
import { comment, openTicket, patchTicket } from './support/sla';
import { createUser, startTestApp, TestApp } from './support/test-app';

const minutes = (firstResponseMinutes: number, resolutionMinutes: number) => ({ firstResponseMinutes, resolutionMinutes });
const TARGETS = { critical: minutes(15, 240), high: minutes(60, 480), medium: minutes(240, 1440), low: minutes(480, 4320) };
const fieldsOf = (body: { errors?: { field: string }[] }) => [...new Set((body.errors ?? []).map((e) => e.field))].sort();

describe('SLA policies, calendars and report', () => {
  let t: TestApp;
  let agent: { user: { id: string }; auth: string };
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  let projectSeq = 0;

  beforeAll(async () => {
    t = await startTestApp({ SLA_SCAN_INTERVAL_MS: '0' }, { clock });
    agent = await createUser(t, 'agent');
  });
  afterAll(async () => {
    await t?.close();
  });

  async function project() {
    const key = `POL${++projectSeq}`;
    await t.http().post('/api/v1/projects').set('Authorization', t.admin).send({ key, name: key }).expect(201);
    return key;
  }

  describe('policies', () => {
    it('seeds the default global policy on first start, readable by agents', async () => {
      const res = await t.http().get('/api/v1/sla/policies').set('Authorization', agent.auth).expect(200);
      const global = res.body.find((p: { projectKey: string | null }) => p.projectKey === null);
      expect(global).toMatchObject({ name: 'Default', calendarId: null, warningPercent: 80, targets: TARGETS });
      const one = await t.http().get(`/api/v1/sla/policies/${global.id}`).set('Authorization', agent.auth).expect(200);
      expect(one.body).toEqual(global);
    });

    it('lets admins, not agents, create, change and delete project policies', async () => {
      const key = await project();
      const body = { name: 'Gold', projectKey: key, warningPercent: 75, targets: TARGETS };
      await t.http().post('/api/v1/sla/policies').set('Authorization', agent.auth).send(body).expect(403);
      const created = await t.http().post('/api/v1/sla/policies').set('Authorization', t.admin).send(body).expect(201);
      expect(created.body).toMatchObject({ name: 'Gold', projectKey: key, calendarId: null, warningPercent: 75, targets: TARGETS });

      await t.http().patch(`/api/v1/sla/policies/${created.body.id}`).set('Authorization', agent.auth).send({ name: 'x' }).expect(403);
      const changed = await t
        .http()
        .patch(`/api/v1/sla/policies/${created.body.id}`)
        .set('Authorization', t.admin)
        .send({ targets: { critical: minutes(5, 60) }, warningPercent: 50 })
        .expect(200);
      expect(changed.body.targets).toEqual({ ...TARGETS, critical: minutes(5, 60) });
      expect(changed.body.warningPercent).toBe(50);

      await t.http().post('/api/v1/sla/policies').set('Authorization', t.admin).send(body).expect(409);
      await t.http().delete(`/api/v1/sla/policies/${created.body.id}`).set('Authorization', agent.auth).expect(403);
      await t.http().delete(`/api/v1/sla/policies/${created.body.id}`).set('Authorization', t.admin).expect(204);
      await t.http().get(`/api/v1/sla/policies/${created.body.id}`).set('Authorization', t.admin).expect(404);
    });

    it('refuses a second global policy and deleting the global one', async () => {
      const res = await t.http().post('/api/v1/sla/policies').set('Authorization', t.admin).send({ name: 'Another', targets: TARGETS }).expect(409);
      expect(res.body.message).toMatch(/global policy already exists/);
      const list = await t.http().get('/api/v1/sla/policies').set('Authorization', t.admin).expect(200);
      const global = list.body.find((p: { projectKey: string | null }) => p.projectKey === null);
      await t.http().delete(`/api/v1/sla/policies/${global.id}`).set('Authorization', t.admin).expect(409);
    });

    it('refuses deleting a policy with running clocks (409), and allows it once they stopped', async () => {
      const key = await project();
      const policy = await t.http().post('/api/v1/sla/policies').set('Authorization', t.admin).send({ name: 'Busy', projectKey: key, targets: TARGETS }).expect(201);
      const ticket = await openTicket(t, { priority: 'high', projectKey: key });
      const res = await t.http().delete(`/api/v1/sla/policies/${policy.body.id}`).set('Authorization', t.admin).expect(409);
      expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict', runningClocks: 2 });
      await comment(t, ticket.id, agent.auth);
      await patchTicket(t, ticket.id, { status: 'resolved' });
      await t.http().delete(`/api/v1/sla/policies/${policy.body.id}`).set('Authorization', t.admin).expect(204);
      // The ticket keeps its (finished) clocks.
      const view = await t.http().get(`/api/v1/tickets/${ticket.id}`).set('Authorization', t.admin).expect(200);
      expect(view.body.sla.resolution.status).toBe('met');
    });

    const bad: [string, Record<string, unknown>, string[]][] = [
      ['zero target', { targets: { ...TARGETS, high: minutes(0, 480) } }, ['targets.high.firstResponseMinutes']],
      ['negative target', { targets: { ...TARGETS, low: minutes(60, -5) } }, ['targets.low.resolutionMinutes']],
      ['fractional target', { targets: { ...TARGETS, low: minutes(1.5, 60) } }, ['targets.low.firstResponseMinutes']],
      ['string target', { targets: { ...TARGETS, low: { firstResponseMinutes: '10', resolutionMinutes: 20 } } }, ['targets.low.firstResponseMinutes']],
      ['missing priority', { targets: { critical: TARGETS.critical, high: TARGETS.high, medium: TARGETS.medium } }, ['targets.low']],
      ['null priority', { targets: { ...TARGETS, medium: null } }, ['targets.medium']],
      ['targets not an object', { targets: 'fast' }, ['targets']],
      ['warning 0', { warningPercent: 0 }, ['warningPercent']],
      ['warning 100', { warningPercent: 100 }, ['warningPercent']],
      ['unknown field', { colour: 'gold' }, ['colour']],
      ['unknown priority', { targets: { ...TARGETS, urgent: minutes(1, 2) } }, ['targets.urgent']],
      ['malformed calendar id', { calendarId: 'nope' }, ['calendarId']],
      ['unknown calendar', { calendarId: '00000000-0000-4000-8000-000000000000' }, ['calendarId']],
      ['unknown project', { projectKey: 'NOPE' }, ['projectKey']],
      ['malformed project', { projectKey: 'x y' }, ['projectKey']],
    ];
    it.each(bad)('create with %s: 400 naming the field', async (_, change, fields) => {
      const res = await t.http().post('/api/v1/sla/policies').set('Authorization', t.admin).send({ name: 'Bad', targets: TARGETS, ...change });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(fields);
    });

    it('change with bad values: 400 naming the field; bad ids: 400 or 404', async () => {
      const list = await t.http().get('/api/v1/sla/policies').set('Authorization', t.admin).expect(200);
      const id = list.body[0].id;
      let res = await t.http().patch(`/api/v1/sla/policies/${id}`).set('Authorization', t.admin).send({ targets: { critical: minutes(15, 0) }, warningPercent: 120 });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['targets.critical.resolutionMinutes', 'warningPercent']);
      res = await t.http().patch('/api/v1/sla/policies/not-a-uuid').set('Authorization', t.admin).send({ name: 'x' });
      expect([res.status, fieldsOf(res.body)]).toEqual([400, ['id']]);
      await t.http().get('/api/v1/sla/policies/00000000-0000-4000-8000-000000000000').set('Authorization', t.admin).expect(404);
      await t.http().delete('/api/v1/sla/policies/123').set('Authorization', t.admin).expect(400);
    });
  });

  describe('calendars', () => {
    const hours = [
      { day: 'mon', start: '09:00', end: '12:00' },
      { day: 'mon', start: '13:00', end: '17:00' },
    ];

    it('are created and changed by admins and read by agents', async () => {
      const body = { name: 'Lisbon', timeZone: 'Europe/Lisbon', workingHours: hours, holidays: ['2026-06-13'] };
      await t.http().post('/api/v1/sla/calendars').set('Authorization', agent.auth).send(body).expect(403);
      const created = await t.http().post('/api/v1/sla/calendars').set('Authorization', t.admin).send(body).expect(201);
      expect(created.body).toMatchObject(body);
      await t.http().post('/api/v1/sla/calendars').set('Authorization', t.admin).send(body).expect(409);
      const got = await t.http().get(`/api/v1/sla/calendars/${created.body.id}`).set('Authorization', agent.auth).expect(200);
      expect(got.body).toEqual(created.body);
      const changed = await t.http().patch(`/api/v1/sla/calendars/${created.body.id}`).set('Authorization', t.admin).send({ timeZone: 'Atlantic/Azores' }).expect(200);
      expect(changed.body).toMatchObject({ ...body, timeZone: 'Atlantic/Azores' });
      const list = await t.http().get('/api/v1/sla/calendars').set('Authorization', agent.auth).expect(200);
      expect(list.body.map((c: { id: string }) => c.id)).toContain(created.body.id);
    });

    it('in use by a policy cannot be deleted (409); unused ones can', async () => {
      const used = await t.http().post('/api/v1/sla/calendars').set('Authorization', t.admin).send({ name: 'Used', timeZone: 'UTC', workingHours: hours }).expect(201);
      const key = await project();
      await t.http().post('/api/v1/sla/policies').set('Authorization', t.admin).send({ name: 'On hours', projectKey: key, calendarId: used.body.id, targets: TARGETS }).expect(201);
      const res = await t.http().delete(`/api/v1/sla/calendars/${used.body.id}`).set('Authorization', t.admin).expect(409);
      expect(res.body).toMatchObject({ policies: 1 });
      const unused = await t.http().post('/api/v1/sla/calendars').set('Authorization', t.admin).send({ name: 'Unused', timeZone: 'UTC', workingHours: hours }).expect(201);
      await t.http().delete(`/api/v1/sla/calendars/${unused.body.id}`).set('Authorization', t.admin).expect(204);
      await t.http().get(`/api/v1/sla/calendars/${unused.body.id}`).set('Authorization', t.admin).expect(404);
    });

    it('refuses targets longer than two years of a calendar\'s working time, on the policy or on the calendar', async () => {
      const tiny = await t.http().post('/api/v1/sla/calendars').set('Authorization', t.admin).send({ name: 'Tiny', timeZone: 'UTC', workingHours: [{ day: 'mon', start: '09:00', end: '10:00' }] }).expect(201);
      const key = await project();
      const huge = { ...TARGETS, low: minutes(480, 100_000) }; // 104 weeks x 60 min = 6240
      let res = await t.http().post('/api/v1/sla/policies').set('Authorization', t.admin).send({ name: 'Slow', projectKey: key, calendarId: tiny.body.id, targets: huge });
      expect([res.status, fieldsOf(res.body)]).toEqual([400, ['targets.low.resolutionMinutes']]);
      const office = await t.http().post('/api/v1/sla/calendars').set('Authorization', t.admin).send({ name: 'Office', timeZone: 'UTC', workingHours: hours }).expect(201);
      await t.http().post('/api/v1/sla/policies').set('Authorization', t.admin).send({ name: 'Office', projectKey: key, calendarId: office.body.id, targets: TARGETS }).expect(201);
      res = await t.http().patch(`/api/v1/sla/calendars/${office.body.id}`).set('Authorization', t.admin).send({ workingHours: [{ day: 'mon', start: '09:00', end: '09:30' }] });
      expect([res.status, fieldsOf(res.body)]).toEqual([400, ['workingHours']]);
    });

    const bad: [string, Record<string, unknown>, string[]][] = [
      ['unknown time zone', { timeZone: 'Mars/Olympus_Mons' }, ['timeZone']],
      ['empty time zone', { timeZone: '' }, ['timeZone']],
      ['time zone not a string', { timeZone: 42 }, ['timeZone']],
      ['overlapping hours', { workingHours: [...hours, { day: 'mon', start: '11:00', end: '14:00' }] }, ['workingHours[2]']],
      ['malformed start', { workingHours: [hours[0], { day: 'mon', start: '1pm', end: '17:00' }] }, ['workingHours[1].start']],
      ['hour 25', { workingHours: [{ day: 'tue', start: '09:00', end: '25:00' }] }, ['workingHours[0].end']],
      ['end before start', { workingHours: [{ day: 'tue', start: '17:00', end: '09:00' }] }, ['workingHours[0].end']],
      ['unknown day', { workingHours: [{ day: 'funday', start: '09:00', end: '17:00' }] }, ['workingHours[0].day']],
      ['interval not an object', { workingHours: [null] }, ['workingHours[0]']],
      ['no working time', { workingHours: [] }, ['workingHours']],
      ['hours not an array', { workingHours: 'weekdays' }, ['workingHours']],
      ['impossible holiday', { holidays: ['2026-02-30'] }, ['holidays[0]']],
      ['malformed holiday', { holidays: ['2026-12-25', 'xmas'] }, ['holidays[1]']],
      ['holiday not a string', { holidays: [20261225] }, ['holidays[0]']],
      ['missing name', { name: undefined }, ['name']],
    ];
    it.each(bad)('create with %s: 400 naming the field', async (_, change, fields) => {
      const res = await t.http().post('/api/v1/sla/calendars').set('Authorization', t.admin).send({ name: 'Bad', timeZone: 'Europe/Berlin', workingHours: hours, ...change });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(fields);
    });

    it('change with bad values: 400 naming the field, calendar unchanged', async () => {
      const created = await t.http().post('/api/v1/sla/calendars').set('Authorization', t.admin).send({ name: 'Stable', timeZone: 'UTC', workingHours: hours }).expect(201);
      const res = await t.http().patch(`/api/v1/sla/calendars/${created.body.id}`).set('Authorization', t.admin).send({ timeZone: 'Nowhere/Special', holidays: ['2026-13-01'] });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['holidays[0]', 'timeZone']);
      const got = await t.http().get(`/api/v1/sla/calendars/${created.body.id}`).set('Authorization', t.admin).expect(200);
      expect(got.body.timeZone).toBe('UTC');
    });
  });

  describe('report', () => {
    it('counts met and breached targets per priority with median times', async () => {
      const key = await project();
      await t.http().post('/api/v1/sla/policies').set('Authorization', t.admin).send({ name: 'Report', projectKey: key, targets: TARGETS }).expect(201);
      clock.set('2026-04-01T08:00:00Z');
      const a = await openTicket(t, { priority: 'critical', projectKey: key });
      const b = await openTicket(t, { priority: 'critical', projectKey: key });
      const c = await openTicket(t, { priority: 'critical', projectKey: key });
      const d = await openTicket(t, { priority: 'low', projectKey: key });
      await openTicket(t, { priority: 'critical' }); // another project: not counted
      clock.advance({ minutes: 10 });
      await comment(t, a.id, agent.auth); // met in 10
      clock.advance({ minutes: 10 });
      await comment(t, b.id, agent.auth); // breached, 20
      await patchTicket(t, a.id, { status: 'resolved' }); // met in 20
      clock.advance({ minutes: 280 });
      await patchTicket(t, b.id, { status: 'resolved' }); // breached in 300
      // c: never answered, open past due (breached); d: low, still within target.

      const res = await t.http().get(`/api/v1/sla/report?from=2026-04-01T00:00:00Z&to=2026-04-02T00:00:00Z&projectKey=${key}`).set('Authorization', agent.auth).expect(200);
      expect(res.body).toMatchObject({ projectKey: key, from: '2026-04-01T00:00:00.000Z', to: '2026-04-02T00:00:00.000Z', asOf: '2026-04-01T13:00:00.000Z' });
      const critical = res.body.priorities.find((p: { priority: string }) => p.priority === 'critical');
      expect(critical).toEqual({
        priority: 'critical',
        tickets: 3,
        firstResponse: { met: 1, breached: 2, open: 0, medianMinutes: 15 },
        resolution: { met: 1, breached: 2, open: 0, medianMinutes: 160 },
      });
      const low = res.body.priorities.find((p: { priority: string }) => p.priority === 'low');
      expect(low).toEqual({
        priority: 'low',
        tickets: 1,
        firstResponse: { met: 0, breached: 0, open: 1, medianMinutes: null },
        resolution: { met: 0, breached: 0, open: 1, medianMinutes: null },
      });
      expect(res.body.priorities.map((p: { priority: string }) => p.priority)).toEqual(['critical', 'high', 'medium', 'low']);
      void d;
      void c;

      const outside = await t.http().get(`/api/v1/sla/report?from=2026-05-01&to=2026-06-01&projectKey=${key}`).set('Authorization', agent.auth).expect(200);
      expect(outside.body.priorities.every((p: { tickets: number }) => p.tickets === 0)).toBe(true);
    });

    const bad: [string, string, string[]][] = [
      ['missing from', 'to=2026-04-02', ['from']],
      ['malformed to', 'from=2026-04-01&to=tomorrow', ['to']],
      ['impossible date', 'from=2026-02-30&to=2026-04-01', ['from']],
      ['to before from', 'from=2026-04-02&to=2026-04-01', ['to']],
      ['equal bounds', 'from=2026-04-01&to=2026-04-01', ['to']],
      ['unknown project', 'from=2026-04-01&to=2026-04-02&projectKey=NOPE', ['projectKey']],
      ['malformed project', 'from=2026-04-01&to=2026-04-02&projectKey=a%20b', ['projectKey']],
      ['unknown parameter', 'from=2026-04-01&to=2026-04-02&colour=red', ['colour']],
    ];
    it.each(bad)('%s: 400 naming the field', async (_, query, fields) => {
      const res = await t.http().get(`/api/v1/sla/report?${query}`).set('Authorization', t.admin);
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(fields);
    });
  });

  it('documents every SLA route in the OpenAPI document', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/sla'));
    expect(paths.sort()).toEqual(['/api/v1/sla/calendars', '/api/v1/sla/calendars/{id}', '/api/v1/sla/policies', '/api/v1/sla/policies/{id}', '/api/v1/sla/report', '/api/v1/sla/scan']);
    for (const p of paths) {
      for (const [method, op] of Object.entries(doc.paths[p] as Record<string, { summary?: string; responses: Record<string, unknown> }>)) {
        expect([`${method} ${p}`, typeof op.summary]).toEqual([`${method} ${p}`, 'string']);
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401']));
      }
    }
    expect(doc.components.schemas.CreatePolicyDto.properties.warningPercent).toMatchObject({ minimum: 1, maximum: 99 });
  });
});
