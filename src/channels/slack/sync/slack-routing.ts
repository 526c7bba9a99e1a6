import type { EventType, TicketPriority } from '../../../events/event-catalogue';

/**
 * Which Slack channels an event goes to: pure functions over the routes, the ticket's existing
 * threads and the default channel, shared by `targets()` (at dispatch, inside the dispatcher's
 * transaction) and `deliver()` (to learn what a target is for). No I/O here.
 *
 * A target is `<teamId>.<channel>` where channel is what the route says (a `C…`/`G…` id, or a
 * channel name without its `#`, resolved to an id at delivery) or a thread's channel id;
 * `<teamId>.DM` is the assignment DM (Slack channel names are lower-case, so neither collides).
 * `_` stands for "the default workspace" while it is not identified yet. The dot keeps targets
 * usable in the operator API's `?channel=slack:<target>` filter.
 */

export const PRIORITY_RANK: Record<TicketPriority, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Channel ids (public `C…`, private `G…`) or `#name` (lower-case letters, digits, - and _). */
export const CHANNEL_ID = /^[CG][A-Z0-9]{2,30}$/;
export const CHANNEL_NAME = /^#[a-z0-9][a-z0-9_-]{0,79}$/;
export const isChannelRef = (ref: string) => CHANNEL_ID.test(ref) || CHANNEL_NAME.test(ref);

export const DEFAULT_TEAM = '_';
export const DM_REF = 'DM';

/** `<team>.<channel>` for a channel ref (`C…`, `#name`) or DM_REF. */
export const targetOf = (teamId: string, channelRef: string) => `${teamId}.${channelRef.replace(/^#/, '')}`;

export interface SlackRoute {
  id: string;
  /** null: the default workspace. */
  teamId: string | null;
  projectKey: string | null;
  priority: TicketPriority | null;
  channel: string;
  /** null: every event type. */
  eventTypes: EventType[] | null;
  minPriority: TicketPriority | null;
  agentsOnly: boolean;
}

export interface ThreadLink {
  teamId: string;
  channelId: string;
  agentsOnly: boolean;
}

export interface RoutedTicket {
  priority: TicketPriority;
  project: { key: string } | null;
}

export interface PlannedTarget {
  target: string;
  teamId: string;
  channelRef: string;
  /** route/default: a route wants this event here (may create the root message); thread: keep an existing thread live. */
  source: 'route' | 'default' | 'thread' | 'dm';
  /** Post thread replies (comments, changes, SLA alerts) for this event. Threads no route wants it for get only the card refresh. */
  replies: boolean;
  /** Internal comments may go here. */
  agentsOnly: boolean;
}

export interface RoutingInput {
  eventType: EventType;
  ticket: RoutedTicket;
  routes: SlackRoute[];
  threads: ThreadLink[];
  /** SLACK_DEFAULT_CHANNEL, when set. */
  defaultChannel: string | null;
  /** The default workspace's team id, when known. */
  defaultTeamId: string | null;
  /** Whether to add the assignment DM target (ticket.assigned to someone). */
  dm: boolean;
  /** Channel ids of `#name` refs this process has resolved (to drop duplicate thread targets). */
  knownChannelId?: (teamId: string, name: string) => string | undefined;
}

export function routeMatchesTicket(route: SlackRoute, ticket: RoutedTicket): boolean {
  if (route.projectKey && route.projectKey !== ticket.project?.key) return false;
  if (route.priority && route.priority !== ticket.priority) return false;
  if (route.minPriority && PRIORITY_RANK[ticket.priority] > PRIORITY_RANK[route.minPriority]) return false;
  return true;
}

export const routeWants = (route: Pick<SlackRoute, 'eventTypes'>, type: EventType) => !route.eventTypes || route.eventTypes.includes(type);

export function planTargets(input: RoutingInput): PlannedTarget[] {
  const teamOf = (route: SlackRoute) => route.teamId ?? input.defaultTeamId ?? DEFAULT_TEAM;
  const planned = new Map<string, PlannedTarget>();
  const matching = input.routes.filter((r) => routeMatchesTicket(r, input.ticket));
  const effective: (SlackRoute & { isDefault?: boolean })[] = matching.length
    ? matching
    : input.defaultChannel
      ? [{ id: 'default', teamId: null, projectKey: null, priority: null, channel: input.defaultChannel, eventTypes: null, minPriority: null, agentsOnly: false, isDefault: true }]
      : [];

  for (const route of effective) {
    if (!routeWants(route, input.eventType)) continue;
    const teamId = teamOf(route);
    const target = targetOf(teamId, route.channel);
    const existing = planned.get(target);
    if (existing) existing.agentsOnly ||= route.agentsOnly;
    else planned.set(target, { target, teamId, channelRef: route.channel, source: route.isDefault ? 'default' : 'route', replies: true, agentsOnly: route.agentsOnly });
  }

  // The ids route targets stand for, as far as they are known without asking Slack.
  const covered = new Set<string>();
  for (const p of planned.values()) {
    const id = p.channelRef.startsWith('#') ? input.knownChannelId?.(p.teamId, p.channelRef) : p.channelRef;
    if (id) covered.add(targetOf(p.teamId, id));
  }
  for (const thread of input.threads) {
    const target = targetOf(thread.teamId, thread.channelId);
    if (planned.has(target) || covered.has(target)) continue;
    // A channel some route (matching or not) points at follows that route's choice of events;
    // a thread no route points at any more (route deleted or changed) keeps mirroring everything.
    const referencing = input.routes.filter((r) => r.channel === thread.channelId && (r.teamId ?? input.defaultTeamId) === thread.teamId);
    const isDefaultChannel = input.defaultChannel === thread.channelId && thread.teamId === input.defaultTeamId;
    planned.set(target, {
      target,
      teamId: thread.teamId,
      channelRef: thread.channelId,
      source: 'thread',
      replies: !referencing.length && !isDefaultChannel,
      agentsOnly: referencing.length ? referencing.some((r) => r.agentsOnly) : thread.agentsOnly,
    });
  }

  if (input.dm) {
    const teams = new Set<string>();
    for (const r of effective) teams.add(teamOf(r));
    for (const t of input.threads) teams.add(t.teamId);
    if (!teams.size && input.defaultTeamId) teams.add(input.defaultTeamId);
    for (const teamId of teams) {
      const target = targetOf(teamId, DM_REF);
      planned.set(target, { target, teamId, channelRef: DM_REF, source: 'dm', replies: true, agentsOnly: false });
    }
  }
  return [...planned.values()];
}

/** Splits `<team>.<channel>` back into the team and a channel ref (`C…`, `#name`) or DM_REF. */
export function parseTarget(target: string): { teamId: string; channelRef: string } | null {
  const i = target.indexOf('.');
  if (i <= 0 || i === target.length - 1) return null;
  const channel = target.slice(i + 1);
  const channelRef = channel === DM_REF || CHANNEL_ID.test(channel) ? channel : `#${channel}`;
  if (channelRef !== DM_REF && !isChannelRef(channelRef)) return null;
  return { teamId: target.slice(0, i), channelRef };
}
