import { DataSource } from 'typeorm';
import { ManualClock } from '../src/sla/clock';
import { comment, getTicket, openTicket, patchTicket, slaEvents } from './support/sla';
import { createUser, startTestApp, TestApp } from './support/test-app';

const T0 = '2026-03-02T09:00:00.000Z'; // a Monday
const at = (iso: string, minutes: number) => new Date(new Date(iso).getTime() + minutes * 60_000).toISOString();

describe('SLA clocks on tickets', () => {
  let t: TestApp;
  const clock = new ManualClock(T0);
  let agent: { user: { id: string }; auth: string };
  let requester: { user: { id: string }; auth: string };

  beforeAll(async () => {
    t = await startTestApp({ SLA_SCAN_INTERVAL_MS: '0' }, { clock });
    agent = await createUser(t, 'agent', 'Agent Smith');
    requester = await createUser(t, 'agent', 'Rita Requester');
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => clock.set(T0));

  let projectSeq = 0;
  /** A project with its own policy, optionally on a business calendar. */
  async function projectWithPolicy(calendar?: Record<string, unknown>, targets?: Record<string, unknown>) {
    const key = `SLA${++projectSeq}`;
    await t.http().post('/api/v1/projects').set('Authorization', t.admin).send({ key, name: `Project ${key}` }).expect(201);
    let calendarId: string | null = null;
    if (calendar) {
      const res = await t.http().post('/api/v1/sla/calendars').set('Authorization', t.admin).send({ name: `Cal ${key}`, ...calendar }).expect(201);
      calendarId = res.body.id;
    }
    const minutes = (f: number, r: number) => ({ firstResponseMinutes: f, resolutionMinutes: r });
    const policy = await t
      .http()
      .post('/api/v1/sla/policies')
      .set('Authorization', t.admin)
      .send({
        name: `Policy ${key}`,
        projectKey: key,
        calendarId,
        targets: targets ?? { critical: minutes(15, 240), high: minutes(60, 480), medium: minutes(240, 1440), low: minutes(480, 4320) },
      })
      .expect(201);
    return { key, calendarId, policyId: policy.body.id as string };
  }

  const officeHours = (days = ['mon', 'tue', 'wed', 'thu', 'fri']) => days.map((day) => ({ day, start: '09:00', end: '17:00' }));

  it('starts both clocks from the default policy when a ticket is opened (24x7)', async () => {
    const ticket = await openTicket(t, { priority: 'critical' });
    expect(ticket.sla.policy).toMatchObject({ name: 'Default', calendarId: null, warningPercent: 80 });
    expect(ticket.sla.firstResponse).toEqual({
      dueAt: at(T0, 15),
      completedAt: null,
      status: 'running',
      targetMinutes: 15,
      remainingMinutes: 15,
      overdueMinutes: 0,
    });
    expect(ticket.sla.resolution).toMatchObject({ dueAt: at(T0, 240), status: 'running', remainingMinutes: 240 });
  });

  it('turns to warning at the threshold and to breached at the due time, with overdue minutes', async () => {
    const ticket = await openTicket(t, { priority: 'critical' });
    clock.advance({ minutes: 12 });
    let sla = (await getTicket(t, ticket.id)).sla;
    expect(sla.firstResponse).toMatchObject({ status: 'warning', remainingMinutes: 3, overdueMinutes: 0 });
    expect(sla.resolution.status).toBe('running');
    clock.advance({ minutes: 8 });
    sla = (await getTicket(t, ticket.id)).sla;
    expect(sla.firstResponse).toMatchObject({ status: 'breached', remainingMinutes: 0, overdueMinutes: 5 });
  });

  it('decorates every ticket of a list page', async () => {
    await openTicket(t, { priority: 'low' });
    const page = await t.http().get('/api/v1/tickets?limit=5').set('Authorization', t.admin).expect(200);
    expect(page.body.items.length).toBeGreaterThan(0);
    for (const item of page.body.items) expect(item.sla.firstResponse.status).toBeDefined();
  });

  it('reads the same SLA state in one statement (get, list) as after a change (separate query)', async () => {
    // GET and list select the clocks with the ticket (a JSON view column); a PATCH response reads
    // them with their own query after the commit. Both must show the same thing in every state.
    const { key } = await projectWithPolicy({ timeZone: 'Europe/Berlin', workingHours: officeHours(), holidays: ['2026-03-04'] });
    const title = `Same view ${key}`;
    const ticket = await openTicket(t, { priority: 'high', projectKey: key, title });
    clock.advance({ minutes: 20 });
    await comment(t, ticket.id, agent.auth); // completes the first response
    clock.advance({ minutes: 10 });
    await patchTicket(t, ticket.id, { status: 'pending' });
    clock.advance({ hours: 3 });
    await patchTicket(t, ticket.id, { status: 'open' }); // one finished pause
    clock.advance({ minutes: 5 });
    await patchTicket(t, ticket.id, { status: 'pending' }); // and a running one
    clock.advance({ minutes: 7 });
    const afterChange = (await patchTicket(t, ticket.id, { description: 'touched' })).sla;
    const read = (await getTicket(t, ticket.id)).sla;
    const byNumber = (await getTicket(t, ticket.number)).sla;
    const listed = await t.http().get(`/api/v1/tickets?q=${encodeURIComponent(title)}`).set('Authorization', t.admin).expect(200);
    expect(afterChange.firstResponse).toMatchObject({ status: 'met' });
    expect(afterChange.resolution).toMatchObject({ status: 'paused' });
    expect(read).toEqual(afterChange);
    expect(byNumber).toEqual(afterChange);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0].sla).toEqual(afterChange);
  });

  it('shows sla null on tickets without clocks, in one statement as after a change', async () => {
    // A ticket stored without clocks (no policy applied at the time): the view column is SQL NULL.
    const ticket = await openTicket(t, { priority: 'low' });
    await t.app.get(DataSource).query(`DELETE FROM ticket_sla WHERE ticket_id = $1`, [ticket.id]);
    expect((await getTicket(t, ticket.id)).sla).toBeNull();
    expect((await patchTicket(t, ticket.id, { description: 'touched' })).sla).toBeNull();
  });

  describe('first response', () => {
    it('is met by the first public comment of an agent other than the requester', async () => {
      const ticket = await openTicket(t, { priority: 'high', requesterId: requester.user.id });
      clock.advance({ minutes: 5 });
      await comment(t, ticket.id, requester.auth); // the requester answering themself does not count
      await comment(t, ticket.id, agent.auth, { visibility: 'internal' }); // nor does an internal note
      let sla = (await getTicket(t, ticket.id)).sla;
      expect(sla.firstResponse).toMatchObject({ status: 'running', completedAt: null });
      clock.advance({ minutes: 5 });
      await comment(t, ticket.id, agent.auth);
      sla = (await getTicket(t, ticket.id)).sla;
      expect(sla.firstResponse).toMatchObject({ status: 'met', completedAt: at(T0, 10), remainingMinutes: 50 });
      clock.advance({ minutes: 5 });
      await comment(t, ticket.id, agent.auth); // later replies change nothing
      expect((await getTicket(t, ticket.id)).sla.firstResponse.completedAt).toBe(at(T0, 10));
      expect((await getTicket(t, ticket.id)).sla.resolution.status).toBe('running');
    });

    it('answered late stays breached, and the breach is reported once even if no scan saw it', async () => {
      const ticket = await openTicket(t, { priority: 'critical' });
      clock.advance({ minutes: 20 });
      await comment(t, ticket.id, agent.auth);
      const sla = (await getTicket(t, ticket.id)).sla;
      expect(sla.firstResponse).toMatchObject({ status: 'breached', completedAt: at(T0, 20), overdueMinutes: 5 });
      const events = await slaEvents(t, ticket.id);
      expect(events.map((e) => `${e.type}/${e.payload.target}`)).toEqual(['sla.breached/firstResponse']);
      expect(events[0].payload.sla).toMatchObject({ status: 'breached', completedAt: at(T0, 20) });
    });
  });

  describe('pending', () => {
    it('pauses both clocks and pushes due times out by the paused time', async () => {
      const ticket = await openTicket(t, { priority: 'high' }); // 60 min / 480 min
      clock.advance({ minutes: 30 });
      await patchTicket(t, ticket.id, { status: 'pending' });
      clock.advance({ hours: 2 });
      let sla = (await getTicket(t, ticket.id)).sla;
      expect(sla.firstResponse).toMatchObject({ status: 'paused', remainingMinutes: 30, dueAt: at(T0, 60 + 120) });
      expect(sla.resolution).toMatchObject({ status: 'paused', remainingMinutes: 450, dueAt: at(T0, 480 + 120) });

      await patchTicket(t, ticket.id, { status: 'open' });
      sla = (await getTicket(t, ticket.id)).sla;
      expect(sla.firstResponse).toMatchObject({ status: 'running', remainingMinutes: 30, dueAt: at(T0, 180) });
      expect(sla.resolution).toMatchObject({ status: 'running', dueAt: at(T0, 600) });

      // A second pause adds up.
      clock.advance({ minutes: 10 });
      await patchTicket(t, ticket.id, { status: 'pending' });
      clock.advance({ minutes: 45 });
      await patchTicket(t, ticket.id, { status: 'in_progress' });
      sla = (await getTicket(t, ticket.id)).sla;
      expect(sla.firstResponse).toMatchObject({ status: 'running', remainingMinutes: 20, dueAt: at(T0, 225) });
    });

    it('a ticket resolved while pending completes its clocks at that moment', async () => {
      const ticket = await openTicket(t, { priority: 'critical' });
      clock.advance({ minutes: 5 });
      await patchTicket(t, ticket.id, { status: 'pending' });
      clock.advance({ hours: 10 });
      await patchTicket(t, ticket.id, { status: 'resolved' });
      const sla = (await getTicket(t, ticket.id)).sla;
      expect(sla.resolution).toMatchObject({ status: 'met', completedAt: at(T0, 605), remainingMinutes: 235 });
      expect(sla.firstResponse).toMatchObject({ status: 'met', remainingMinutes: 10 });
    });
  });

  it('a priority change recomputes due times from creation under the new targets', async () => {
    const ticket = await openTicket(t, { priority: 'low' }); // 480 / 4320
    clock.advance({ minutes: 60 });
    await patchTicket(t, ticket.id, { priority: 'critical' });
    const sla = (await getTicket(t, ticket.id)).sla;
    expect(sla.firstResponse).toMatchObject({ dueAt: at(T0, 15), status: 'breached', targetMinutes: 15, overdueMinutes: 45 });
    expect(sla.resolution).toMatchObject({ dueAt: at(T0, 240), status: 'running', targetMinutes: 240, remainingMinutes: 180 });
  });

  it('a priority change keeps paused time and completed targets', async () => {
    const ticket = await openTicket(t, { priority: 'low' });
    clock.advance({ minutes: 10 });
    await comment(t, ticket.id, agent.auth);
    await patchTicket(t, ticket.id, { status: 'pending' });
    clock.advance({ minutes: 100 });
    await patchTicket(t, ticket.id, { status: 'open' });
    await patchTicket(t, ticket.id, { priority: 'high' });
    const sla = (await getTicket(t, ticket.id)).sla;
    expect(sla.firstResponse).toMatchObject({ status: 'met', completedAt: at(T0, 10), targetMinutes: 480 });
    expect(sla.resolution).toMatchObject({ dueAt: at(T0, 480 + 100), targetMinutes: 480 });
  });

  it('reopening restarts the resolution clock', async () => {
    const ticket = await openTicket(t, { priority: 'medium' }); // 240 / 1440
    clock.advance({ minutes: 60 });
    await patchTicket(t, ticket.id, { status: 'resolved' });
    let sla = (await getTicket(t, ticket.id)).sla;
    expect(sla.resolution).toMatchObject({ status: 'met', completedAt: at(T0, 60) });
    clock.advance({ minutes: 120 });
    await patchTicket(t, ticket.id, { status: 'open' });
    sla = (await getTicket(t, ticket.id)).sla;
    expect(sla.resolution).toEqual({ dueAt: at(T0, 180 + 1440), completedAt: null, status: 'running', targetMinutes: 1440, remainingMinutes: 1440, overdueMinutes: 0 });
    // The first response was answered by the resolution and stays so.
    expect(sla.firstResponse).toMatchObject({ status: 'met', completedAt: at(T0, 60) });
    // Closed and reopened again: another fresh start.
    await patchTicket(t, ticket.id, { status: 'closed' });
    clock.advance({ minutes: 30 });
    await patchTicket(t, ticket.id, { status: 'open' });
    expect((await getTicket(t, ticket.id)).sla.resolution.dueAt).toBe(at(T0, 210 + 1440));
  });

  it('a project policy wins over the global one', async () => {
    const minutes = (f: number, r: number) => ({ firstResponseMinutes: f, resolutionMinutes: r });
    const { key } = await projectWithPolicy(undefined, { critical: minutes(30, 90), high: minutes(60, 480), medium: minutes(240, 1440), low: minutes(480, 4320) });
    const inProject = await openTicket(t, { priority: 'critical', projectKey: key });
    const elsewhere = await openTicket(t, { priority: 'critical' });
    expect(inProject.sla.policy.name).toBe(`Policy ${key}`);
    expect(inProject.sla.firstResponse.dueAt).toBe(at(T0, 30));
    expect(inProject.sla.resolution.dueAt).toBe(at(T0, 90));
    expect(elsewhere.sla.firstResponse.dueAt).toBe(at(T0, 15));
    // Moving a ticket into the project recomputes it under the project's policy.
    await patchTicket(t, elsewhere.id, { projectKey: key });
    expect((await getTicket(t, elsewhere.id)).sla.resolution.dueAt).toBe(at(T0, 90));
  });

  describe('business hours', () => {
    it('do not count the weekend', async () => {
      const { key } = await projectWithPolicy({ timeZone: 'Europe/Berlin', workingHours: officeHours() });
      clock.set('2026-03-06T15:00:00Z'); // Friday 16:00 in Berlin (CET, UTC+1)
      const ticket = await openTicket(t, { priority: 'critical', projectKey: key }); // 15 min / 4 h
      expect(ticket.sla.firstResponse.dueAt).toBe('2026-03-06T15:15:00.000Z');
      // 1 h on Friday, 3 h on Monday: Monday 12:00 Berlin.
      expect(ticket.sla.resolution.dueAt).toBe('2026-03-09T11:00:00.000Z');
      clock.set('2026-03-08T12:00:00Z'); // Sunday: the clock stands still
      const sla = (await getTicket(t, ticket.id)).sla;
      expect(sla.resolution).toMatchObject({ status: 'running', remainingMinutes: 180 });
    });

    it('skip holidays, and a holiday added later moves running clocks', async () => {
      const { key, calendarId } = await projectWithPolicy({ timeZone: 'Europe/Berlin', workingHours: officeHours(), holidays: ['2026-03-09'] });
      clock.set('2026-03-06T15:00:00Z');
      const ticket = await openTicket(t, { priority: 'critical', projectKey: key });
      expect(ticket.sla.resolution.dueAt).toBe('2026-03-10T11:00:00.000Z'); // Monday off: Tuesday 12:00
      await t
        .http()
        .patch(`/api/v1/sla/calendars/${calendarId}`)
        .set('Authorization', t.admin)
        .send({ holidays: ['2026-03-09', '2026-03-10'] })
        .expect(200);
      expect((await getTicket(t, ticket.id)).sla.resolution.dueAt).toBe('2026-03-11T11:00:00.000Z');
    });

    it('follow the time zone across a daylight-saving change', async () => {
      const { key } = await projectWithPolicy({ timeZone: 'Europe/Berlin', workingHours: officeHours() });
      clock.set('2026-03-27T15:00:00Z'); // Friday 16:00 CET; clocks go forward on Sunday 29 March
      const ticket = await openTicket(t, { priority: 'critical', projectKey: key });
      // Monday 12:00 is CEST (UTC+2) by then: 10:00Z, not 11:00Z.
      expect(ticket.sla.resolution.dueAt).toBe('2026-03-30T10:00:00.000Z');
      clock.set('2026-03-30T09:30:00Z'); // Monday 11:30 CEST: 1 h Friday + 2.5 h Monday elapsed
      expect((await getTicket(t, ticket.id)).sla.resolution).toMatchObject({ status: 'warning', remainingMinutes: 30 });
    });

    it('start at the next opening when a ticket arrives out of hours (America/New_York, fall back)', async () => {
      const { key } = await projectWithPolicy({ timeZone: 'America/New_York', workingHours: officeHours() });
      clock.set('2026-10-31T22:00:00Z'); // Saturday; DST ends Sunday 1 November
      const ticket = await openTicket(t, { priority: 'critical', projectKey: key });
      // Monday 09:00 EST (UTC-5) + 15 min.
      expect(ticket.sla.firstResponse.dueAt).toBe('2026-11-02T14:15:00.000Z');
      expect(ticket.sla.resolution.dueAt).toBe('2026-11-02T18:00:00.000Z');
    });
  });
});
