import { parseTarget, planTargets, RoutingInput, SlackRoute, targetOf } from './slack-routing';

const route = (r: Partial<SlackRoute>): SlackRoute => ({ id: 'r', teamId: null, projectKey: null, priority: null, channel: 'C0ROUTE', eventTypes: null, minPriority: null, agentsOnly: false, ...r });
const input = (i: Partial<RoutingInput>): RoutingInput => ({
  eventType: 'ticket.created',
  ticket: { priority: 'medium', project: null },
  routes: [],
  threads: [],
  defaultChannel: 'C0DEFAULT',
  defaultTeamId: 'T1',
  dm: false,
  ...i,
});
const targets = (i: Partial<RoutingInput>) => planTargets(input(i)).map((p) => p.target);

describe('Slack routing', () => {
  it('falls back to the default channel when no route matches', () => {
    expect(targets({})).toEqual(['T1.C0DEFAULT']);
    expect(targets({ routes: [route({ priority: 'critical' })] })).toEqual(['T1.C0DEFAULT']);
    expect(targets({ defaultChannel: null })).toEqual([]);
    expect(targets({ defaultTeamId: null })).toEqual(['_.C0DEFAULT']);
  });

  it('sends to every matching route by project, priority and minimum priority', () => {
    const routes = [
      route({ channel: 'C0CRIT', priority: 'critical' }),
      route({ channel: 'C0NET', projectKey: 'NET' }),
      route({ channel: 'C0HIGH', minPriority: 'high' }),
      route({ channel: '#named', teamId: 'T2' }),
    ];
    expect(targets({ routes, ticket: { priority: 'critical', project: { key: 'NET' } } })).toEqual(['T1.C0CRIT', 'T1.C0NET', 'T1.C0HIGH', 'T2.named']);
    expect(targets({ routes, ticket: { priority: 'low', project: { key: 'NET' } } })).toEqual(['T1.C0NET', 'T2.named']);
    expect(targets({ routes, ticket: { priority: 'high', project: null } })).toEqual(['T1.C0HIGH', 'T2.named']);
  });

  it('honours event types per route, and keeps existing threads live (cards only where no route wants the event)', () => {
    const routes = [route({ channel: 'C0A', eventTypes: ['ticket.created'] }), route({ channel: 'C0B' })];
    const threads = [
      { teamId: 'T1', channelId: 'C0A', agentsOnly: false },
      { teamId: 'T1', channelId: 'C0B', agentsOnly: false },
      { teamId: 'T1', channelId: 'C0OLD', agentsOnly: true },
    ];
    const plan = planTargets(input({ eventType: 'comment.created', routes, threads }));
    expect(plan.map((p) => [p.target, p.source, p.replies, p.agentsOnly])).toEqual([
      ['T1.C0B', 'route', true, false],
      ['T1.C0A', 'thread', false, false], // its route does not want comments: card refresh only
      ['T1.C0OLD', 'thread', true, true], // no route points there any more: keeps mirroring
    ]);
  });

  it('drops a thread target a known #name route stands for, and adds the assignment DM', () => {
    const plan = planTargets(
      input({
        eventType: 'ticket.assigned',
        defaultChannel: '#support',
        threads: [{ teamId: 'T1', channelId: 'C0SUP', agentsOnly: false }],
        knownChannelId: (team, name) => (team === 'T1' && name === '#support' ? 'C0SUP' : undefined),
        dm: true,
      }),
    );
    expect(plan.map((p) => p.target)).toEqual(['T1.support', 'T1.DM']);
  });

  it('round-trips targets', () => {
    expect(parseTarget(targetOf('T1', 'C0ABC'))).toEqual({ teamId: 'T1', channelRef: 'C0ABC' });
    expect(parseTarget(targetOf('T1', '#support'))).toEqual({ teamId: 'T1', channelRef: '#support' });
    expect(parseTarget(targetOf('_', 'DM'))).toEqual({ teamId: '_', channelRef: 'DM' });
    expect(parseTarget('nonsense')).toBeNull();
    expect(parseTarget('T1.Bad Name')).toBeNull();
  });
});
