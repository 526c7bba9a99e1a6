import { describeSlaTarget } from './sla-text';
import { FIXED_NOW, minutesFromNow } from './testing/ticket-view.fixture';

const target = (status: Parameters<typeof describeSlaTarget>[0]['status'], dueInMinutes: number | null) => ({
  status,
  dueAt: dueInMinutes === null ? null : minutesFromNow(dueInMinutes),
  completedAt: null,
});

describe('describeSlaTarget', () => {
  it.each([
    ['running', 125, 'in 2h 5m'],
    ['running', -5, 'overdue by 5m'],
    ['running', null, 'no due date'],
    ['paused', 30, ':double_vertical_bar: paused'],
    ['warning', 15, ':warning: warning (in 15m)'],
    ['warning', -3, ':warning: overdue by 3m'],
    ['breached', -12, ':rotating_light: breached 12m ago'],
    ['breached', null, ':rotating_light: breached'],
    ['met', -100, ':white_check_mark: met'],
  ] as const)('describes a %s target due in %p minutes as %j', (status, due, expected) => {
    expect(describeSlaTarget(target(status, due), FIXED_NOW)).toBe(expected);
  });

  it('treats an unparseable due date like a missing one', () => {
    expect(describeSlaTarget({ status: 'running', dueAt: 'soon', completedAt: null }, FIXED_NOW)).toBe('no due date');
  });
});
