import { ManualClock } from './clock';
import { BusinessCalendar } from './engine/business-calendar';
import { completeClock, pauseClock, restartClock, resumeClock, retargetClock, startClock, targetState, TargetTerms } from './sla-state';

const T0 = new Date('2026-03-02T09:00:00Z'); // Monday
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const terms = (targetMinutes: number, warningPercent = 80): TargetTerms => ({ policyId: 'p', calendarId: null, targetMinutes, warningPercent });
const office: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  workingHours: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day: day as 'mon', start: '09:00', end: '17:00' })),
  holidays: [],
};

describe('SLA clock state', () => {
  it('starts with due and warning times from the target', () => {
    const row = startClock('t1', 'resolution', terms(100), T0, null);
    expect(row.dueAt).toEqual(at(100));
    expect(row.warningAt).toEqual(at(80));
    expect(row.episode).toBe(1);
    expect(targetState(row, at(50), null)).toEqual({
      dueAt: at(100).toISOString(),
      completedAt: null,
      status: 'running',
      targetMinutes: 100,
      remainingMinutes: 50,
      overdueMinutes: 0,
    });
  });

  it('pauses without moving the stored due time, and resuming pushes it by the pause', () => {
    const row = startClock('t1', 'resolution', terms(100), T0, null);
    const paused = pauseClock(row, at(30));
    expect(paused.dueAt).toEqual(at(100));
    expect(targetState(paused, at(90), null)).toMatchObject({ status: 'paused', dueAt: at(160).toISOString(), remainingMinutes: 70 });
    expect(pauseClock(paused, at(40))).toBe(paused); // pausing twice changes nothing
    const resumed = resumeClock(paused, at(90), null);
    expect(resumed).toMatchObject({ pausedSince: null, dueAt: at(160), warningAt: at(140) });
    expect(resumed.pauses).toEqual([{ from: at(30).toISOString(), to: at(90).toISOString() }]);
    expect(resumeClock(resumed, at(100), null)).toBe(resumed);
  });

  it('completes once; a late completion is breached, an early one met', () => {
    const row = startClock('t1', 'first_response', terms(15), T0, null);
    const done = completeClock(row, at(10), null);
    expect(targetState(done, at(500), null)).toMatchObject({ status: 'met', completedAt: at(10).toISOString(), remainingMinutes: 5 });
    expect(completeClock(done, at(20), null)).toBe(done);
    expect(targetState(completeClock(row, at(20), null), at(500), null)).toMatchObject({ status: 'breached', overdueMinutes: 5 });
  });

  it('completing while paused closes the pause first', () => {
    const row = pauseClock(startClock('t1', 'resolution', terms(60), T0, null), at(10));
    const done = completeClock(row, at(300), null);
    expect(done).toMatchObject({ pausedSince: null, completedAt: at(300), dueAt: at(350) });
    expect(targetState(done, at(400), null).status).toBe('met');
  });

  it('restarts in a new episode from now, forgetting pauses', () => {
    const row = completeClock(resumeClock(pauseClock(startClock('t1', 'resolution', terms(60), T0, null), at(5)), at(10), null), at(20), null);
    const again = restartClock({ ...row, breachedEmittedEpisode: 1, warningEmittedEpisode: 1 }, terms(120), at(100), null);
    expect(again).toMatchObject({ episode: 2, startedAt: at(100), completedAt: null, pauses: [], dueAt: at(220), targetMinutes: 120 });
    expect(again.breachedEmittedEpisode).toBeLessThan(again.episode);
  });

  describe('retarget (priority change)', () => {
    const breached = { ...startClock('t1', 'first_response', terms(15), T0, null), warningEmittedEpisode: 1, breachedEmittedEpisode: 1 };

    it('re-arms events whose threshold moved into the future', () => {
      const next = retargetClock(breached, terms(60), at(20), null);
      expect(next).toMatchObject({ episode: 2, dueAt: at(60), warningAt: at(48), warningEmittedEpisode: 1, breachedEmittedEpisode: 1 });
    });

    it('keeps events emitted whose threshold is still in the past', () => {
      const next = retargetClock(breached, terms(10), at(20), null);
      expect(next).toMatchObject({ episode: 2, dueAt: at(10), warningEmittedEpisode: 2, breachedEmittedEpisode: 2 });
    });

    it('changes nothing when the times stay, and leaves completed clocks alone', () => {
      const same = retargetClock(breached, terms(15), at(20), null);
      expect(same.episode).toBe(1);
      const done = completeClock(breached, at(5), null);
      expect(retargetClock(done, terms(60), at(20), null)).toBe(done);
    });
  });

  it('counts only business hours of a calendar', () => {
    const friday = new Date('2026-03-06T15:00:00Z'); // 16:00 Berlin
    const row = startClock('t1', 'resolution', terms(240), friday, office);
    expect(row.dueAt.toISOString()).toBe('2026-03-09T11:00:00.000Z');
    expect(targetState(row, new Date('2026-03-07T12:00:00Z'), office)).toMatchObject({ status: 'running', remainingMinutes: 180 });
  });

  it('treats a now before the start as nothing elapsed', () => {
    const row = startClock('t1', 'resolution', terms(60), at(10), null);
    expect(targetState(row, T0, null)).toMatchObject({ status: 'running', remainingMinutes: 60 });
  });
});

describe('ManualClock', () => {
  it('moves only when told', () => {
    const clock = new ManualClock(T0);
    expect(clock.now()).toEqual(T0);
    clock.advance({ minutes: 5, hours: 1, days: 1, ms: 1 });
    expect(clock.now().getTime()).toBe(T0.getTime() + 86_400_000 + 3_600_000 + 300_000 + 1);
    expect(clock.set('2030-01-01T00:00:00Z').now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });
});
