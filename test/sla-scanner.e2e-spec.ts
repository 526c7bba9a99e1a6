import { DataSource } from 'typeorm';
import { ManualClock } from '../src/sla/clock';
import { SlaScannerService } from '../src/sla/sla-scanner.service';
import { eventKeys, openTicket, patchTicket, slaEvents, StoredEvent } from './support/sla';
import { createUser, startTestApp, TestApp } from './support/test-app';

const T0 = '2026-03-02T09:00:00.000Z';
const services = !!process.env.DATABASE_URL;

/** Every (type, ticket, target, episode) appears at most once. */
function expectNoDuplicates(events: StoredEvent[]) {
  const keys = events.map((e) => `${e.type}/${e.aggregateId}/${e.payload.target}/${e.payload.episode}`);
  expect(new Set(keys).size).toBe(keys.length);
}

describe('SLA scanner', () => {
  let t: TestApp;
  let scanner: SlaScannerService;
  const clock = new ManualClock(T0);

  beforeAll(async () => {
    t = await startTestApp({ SLA_SCAN_INTERVAL_MS: '0' }, { clock });
    scanner = t.app.get(SlaScannerService);
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    // Each test starts with nothing owed: clocks of earlier tests are completed.
    await t.app.get(DataSource).query(`UPDATE ticket_sla SET completed_at = $1 WHERE completed_at IS NULL`, [T0]);
    clock.set(T0);
  });

  it('emits warning, breach and overdue once per ticket, target and episode, however often it runs', async () => {
    const ticket = await openTicket(t, { priority: 'critical' }); // 15 min / 240 min
    expect(await scanner.scanOnce()).toEqual({ warning: 0, breached: 0, overdue: 0 });

    clock.advance({ minutes: 12 }); // 80 % of the first-response target
    expect(await scanner.scanOnce()).toEqual({ warning: 1, breached: 0, overdue: 0 });
    expect(await scanner.scanOnce()).toEqual({ warning: 0, breached: 0, overdue: 0 });

    clock.advance({ minutes: 3 });
    expect(await scanner.scanOnce()).toEqual({ warning: 0, breached: 1, overdue: 0 });

    clock.advance({ minutes: 240 }); // past the resolution target, which was never warned in between
    expect(await scanner.scanOnce()).toEqual({ warning: 0, breached: 1, overdue: 1 });
    for (let i = 0; i < 3; i++) expect(await scanner.scanOnce()).toEqual({ warning: 0, breached: 0, overdue: 0 });

    const events = await slaEvents(t, ticket.id);
    expect(eventKeys(events)).toEqual([
      'sla.warning/firstResponse/1',
      'sla.breached/firstResponse/1',
      'sla.breached/resolution/1',
      'ticket.overdue/resolution/1',
    ]);
    const [warning, breach, , overdue] = events;
    expect(warning.payload).toMatchObject({
      target: 'firstResponse',
      dueAt: '2026-03-02T09:15:00.000Z',
      ticket: { id: ticket.id, number: ticket.number, priority: 'critical', status: 'new' },
      policy: { name: 'Default', warningPercent: 80 },
      sla: { status: 'warning', remainingMinutes: 3, completedAt: null },
    });
    expect(breach.payload.sla).toMatchObject({ status: 'breached', overdueMinutes: 0 });
    expect(overdue.payload).toMatchObject({ target: 'resolution', dueAt: '2026-03-02T13:00:00.000Z', sla: { status: 'breached', overdueMinutes: 15 } });
  });

  it('skips paused clocks and finds them again once they run past their pushed-out due time', async () => {
    const ticket = await openTicket(t, { priority: 'critical' });
    clock.advance({ minutes: 5 });
    await patchTicket(t, ticket.id, { status: 'pending' });
    clock.advance({ hours: 6 });
    expect(await scanner.scanOnce()).toEqual({ warning: 0, breached: 0, overdue: 0 });
    await patchTicket(t, ticket.id, { status: 'open' }); // 10 min of first response left
    clock.advance({ minutes: 9 });
    expect(await scanner.scanOnce()).toEqual({ warning: 1, breached: 0, overdue: 0 });
    clock.advance({ minutes: 1 });
    expect(await scanner.scanOnce()).toEqual({ warning: 0, breached: 1, overdue: 0 });
  });

  it('never emits for completed clocks', async () => {
    const ticket = await openTicket(t, { priority: 'critical' });
    clock.advance({ minutes: 5 });
    await patchTicket(t, ticket.id, { status: 'resolved' });
    clock.advance({ hours: 10 });
    expect(await scanner.scanOnce()).toEqual({ warning: 0, breached: 0, overdue: 0 });
    expect(await slaEvents(t, ticket.id)).toEqual([]);
  });

  it('a reopened ticket is a new episode: its resolution can breach and be overdue again', async () => {
    const ticket = await openTicket(t, { priority: 'critical' });
    clock.advance({ minutes: 250 });
    await scanner.scanOnce();
    await patchTicket(t, ticket.id, { status: 'resolved' });
    clock.advance({ minutes: 10 });
    await patchTicket(t, ticket.id, { status: 'open' });
    clock.advance({ minutes: 241 });
    expect(await scanner.scanOnce()).toEqual({ warning: 0, breached: 1, overdue: 1 });
    expect(eventKeys(await slaEvents(t, ticket.id))).toEqual([
      'sla.breached/firstResponse/1',
      'sla.breached/resolution/1',
      'ticket.overdue/resolution/1',
      'sla.breached/resolution/2',
      'ticket.overdue/resolution/2',
    ]);
  });

  it('a priority change re-arms an event only if it moves the threshold into the future', async () => {
    const ticket = await openTicket(t, { priority: 'critical' }); // first response due at +15
    clock.advance({ minutes: 20 });
    expect(await scanner.scanOnce()).toMatchObject({ breached: 1 });
    await patchTicket(t, ticket.id, { priority: 'high' }); // due at +60: not breached any more
    expect(await scanner.scanOnce()).toEqual({ warning: 0, breached: 0, overdue: 0 });
    clock.advance({ minutes: 40 }); // +60
    expect(await scanner.scanOnce()).toEqual({ warning: 0, breached: 1, overdue: 0 });
    await patchTicket(t, ticket.id, { priority: 'critical' }); // due at +15 again: still breached, nothing new
    expect(await scanner.scanOnce()).toEqual({ warning: 0, breached: 0, overdue: 0 });
    expect(eventKeys(await slaEvents(t, ticket.id))).toEqual(['sla.breached/firstResponse/1', 'sla.breached/firstResponse/2']);
  });

  it('emits each event exactly once when many scans run at the same time', async () => {
    const tickets = await Promise.all(Array.from({ length: 25 }, () => openTicket(t, { priority: 'critical' })));
    clock.advance({ minutes: 300 });
    const results = await Promise.all(Array.from({ length: 8 }, () => scanner.scanOnce()));
    const total = results.reduce((s, r) => ({ warning: s.warning + r.warning, breached: s.breached + r.breached, overdue: s.overdue + r.overdue }));
    expect(total).toEqual({ warning: 0, breached: 50, overdue: 25 });
    const events = (await slaEvents(t)).filter((e) => tickets.some((x) => x.id === e.aggregateId));
    expect(events).toHaveLength(75);
    expectNoDuplicates(events);
  });

  (services ? it : it.skip)('emits each event exactly once with two application instances scanning one database', async () => {
    const other = await startTestApp({ SLA_SCAN_INTERVAL_MS: '0' }, { clock, databaseUrl: t.databaseUrl });
    try {
      const tickets = await Promise.all(Array.from({ length: 40 }, (_, i) => openTicket(i % 2 ? t : other, { priority: 'critical' })));
      clock.advance({ minutes: 13 });
      const scanners = [scanner, other.app.get(SlaScannerService)];
      await Promise.all(Array.from({ length: 10 }, (_, i) => scanners[i % 2].scanOnce()));
      clock.advance({ minutes: 300 });
      await Promise.all(Array.from({ length: 10 }, (_, i) => scanners[i % 2].scanOnce()));
      const events = (await slaEvents(t)).filter((e) => tickets.some((x) => x.id === e.aggregateId));
      expectNoDuplicates(events);
      const count = (type: string) => events.filter((e) => e.type === type).length;
      expect([count('sla.warning'), count('sla.breached'), count('ticket.overdue')]).toEqual([40, 80, 40]);
    } finally {
      await other.close();
    }
  });

  it('POST /api/v1/sla/scan runs a scan for admins only', async () => {
    await openTicket(t, { priority: 'critical' });
    clock.advance({ minutes: 16 });
    const agent = await createUser(t, 'agent');
    await t.http().post('/api/v1/sla/scan').set('Authorization', agent.auth).expect(403);
    const res = await t.http().post('/api/v1/sla/scan').set('Authorization', t.admin).expect(200);
    expect(res.body).toEqual({ warning: 0, breached: 1, overdue: 0 });
  });
});

describe('SLA scanner on its schedule', () => {
  // Waits for the scheduler (timer or Bull job), never for SLA time: the clock is already past due.
  it(`runs by itself (${process.env.REDIS_URL ? 'Bull repeatable job' : 'in-process timer'}) and still emits once`, async () => {
    const clock = new ManualClock(T0);
    const t = await startTestApp({ SLA_SCAN_INTERVAL_MS: '100' }, { clock });
    try {
      const ticket = await openTicket(t, { priority: 'critical' });
      clock.advance({ minutes: 20 });
      const deadline = Date.now() + 15_000;
      let events: StoredEvent[] = [];
      while (Date.now() < deadline) {
        events = await slaEvents(t, ticket.id);
        if (events.length) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(eventKeys(events)).toEqual(['sla.breached/firstResponse/1']);
      expect(await t.app.get(SlaScannerService).scanOnce()).toEqual({ warning: 0, breached: 0, overdue: 0 });
    } finally {
      await t.close();
    }
  });

  it('does not run in an api-only process', async () => {
    const clock = new ManualClock(T0);
    const t = await startTestApp({ SLA_SCAN_INTERVAL_MS: '50', PROCESS_ROLE: 'api' }, { clock });
    try {
      const ticket = await openTicket(t, { priority: 'critical' });
      clock.advance({ minutes: 20 });
      await new Promise((r) => setTimeout(r, 400)); // several would-be ticks
      expect(await slaEvents(t, ticket.id)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
