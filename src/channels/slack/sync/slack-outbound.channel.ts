import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ErrorCode, type WebClient } from '@slack/web-api';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { EVENT_TYPES } from '../../../events/event-catalogue';
import type { CommentSnapshot, DomainEvent, EventPayloads, EventType, SlaEventPayload, TicketSnapshot, UserRef } from '../../../events/event-catalogue';
import {
  delivered,
  DeliveryContext,
  DeliveryResult,
  NotificationChannel,
  NotificationChannelProvider,
  permanentFailure,
  retryLater,
} from '../../../notifications/notification-channel';
import { Clock } from '../../../sla/clock';
import { TicketExtensions } from '../../../tickets/ticket-extensions';
import { TicketsService } from '../../../tickets/tickets.service';
import { buildTicketMessage } from '../blocks/ticket-message.blocks';
import { buildAssignmentDm, buildChangeReply, buildCommentReply, buildSlaAlert, type FieldChange } from '../blocks/thread-reply.blocks';
import type { SlackMessage } from '../blocks/slack-message';
import { PRIORITY_LABELS, STATUS_LABELS, type TicketView } from '../blocks/ticket-view';
import { SlackSettings } from '../config/slack-settings';
import { SlackInstallationsService } from '../installations/slack-installations.service';
import { classifySlackError, slackErrorCode } from '../slack-client/slack-errors';
import { SlackUserDirectory } from '../users/slack-user-directory.service';
import { ChannelRateLimiter } from './channel-rate-limiter';
import { SlackChannelResolver } from './slack-channel-resolver';
import { SlackRoutesRepository, RoutingSnapshot } from './slack-routes.repository';
import { DEFAULT_TEAM, DM_REF, parseTarget, PlannedTarget, planTargets, PRIORITY_RANK } from './slack-routing';
import { cardKey, toTicketView } from './slack-ticket-card';
import { SlackThreadsRepository, ThreadRow } from './slack-threads.repository';

/** The events the Slack channel acts on: the whole catalogue. */
export const SLACK_EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>(EVENT_TYPES);

/** Message metadata that lets a retry find what an earlier, interrupted attempt posted. */
const META = { ticket: 'threadline_ticket', comment: 'threadline_comment', event: 'threadline_event' } as const;
/** The longest a delivery waits in process for its channel's next slot before handing back to the pipeline. */
const MAX_LIMITER_WAIT_MS = 10_000;
/** Cards remembered per process (thread -> what it shows). */
const CARD_CACHE_MAX = 50_000;

/** A delivery cut short on purpose: becomes `retry` with this delay. */
class RetryLater extends Error {
  constructor(
    readonly reason: string,
    readonly retryAfterMs?: number,
  ) {
    super(reason);
  }
}

interface Target {
  event: DomainEvent;
  ctx: DeliveryContext;
  teamId: string;
  channelId: string;
  client: WebClient;
  plan: PlannedTarget;
  /** Rate-limiter priority (0 = critical). */
  rank: number;
  /** The limiter key of the last Slack call, to pause that channel on a 429. */
  state: CallState;
}

interface CallState {
  limiterKey?: string;
}

interface Card {
  view: TicketView;
  message: SlackMessage;
  version: number;
  key: string;
}

const threadKey = (t: { teamId: string; channelId: string }, ticketId: string) => `${t.teamId}:${t.channelId}:${ticketId}`;

/**
 * The outbound Slack channel: each ticket is a live card (the root message) in every channel it is
 * routed to, and that message's thread mirrors the ticket's public comments and its changes.
 * Targets are `<team>.<channel>` (one chain per thread, so the pipeline keeps each thread in order)
 * and `<team>.DM` for assignment DMs. See docs/decisions/0005-slack-outbound.md.
 */
@NotificationChannelProvider()
@Injectable()
export class SlackChannel implements NotificationChannel, OnApplicationShutdown {
  readonly name = 'slack';
  readonly limiter: ChannelRateLimiter;
  private readonly logger = new Logger('SlackOutbound');
  /** thread -> the card it shows (key) and the version that key belongs to. */
  private readonly cards = new Map<string, { key: string; version: number }>();
  /** Threads whose root message is not ours to edit (a ticket made from someone's Slack message). */
  private readonly foreignRoots = new Set<string>();
  /** Root messages being posted by this process right now. */
  private readonly posting = new Set<string>();
  /** `team:userId` -> Slack user id (or null), for a minute. */
  private readonly people = new Map<string, { id: string | null; at: number }>();

  constructor(
    private readonly settings: SlackSettings,
    private readonly config: AppConfig,
    private readonly installations: SlackInstallationsService,
    private readonly routes: SlackRoutesRepository,
    private readonly threads: SlackThreadsRepository,
    private readonly resolver: SlackChannelResolver,
    private readonly tickets: TicketsService,
    private readonly extensions: TicketExtensions,
    private readonly directory: SlackUserDirectory,
    private readonly moduleRef: ModuleRef,
  ) {
    this.limiter = new ChannelRateLimiter(settings.SLACK_CHANNEL_RATE_PER_SEC);
  }

  private clock?: Clock | null;

  /** The SLA module's notion of now (so SLA texts agree with SLA states), else the system clock. */
  private now(): Date {
    if (this.clock === undefined) {
      try {
        this.clock = this.moduleRef.get(Clock, { strict: false });
      } catch {
        this.clock = null;
      }
    }
    return this.clock?.now() ?? new Date();
  }

  onApplicationShutdown(): void {
    this.limiter.close();
  }

  wants(event: DomainEvent): boolean {
    return this.settings.enabled && SLACK_EVENT_TYPES.has(event.type);
  }

  async targets(event: DomainEvent, tx: EntityManager): Promise<string[]> {
    const snapshot = await this.routes.routingSnapshot(event.aggregateId, tx);
    return this.plan(event, snapshot).map((p) => p.target);
  }

  private defaultTeamOf(snapshot: RoutingSnapshot): string | null {
    if (this.settings.SLACK_BOT_TOKEN) return snapshot.installations.find((i) => i.source === 'env')?.teamId ?? null;
    return snapshot.installations.length === 1 ? snapshot.installations[0].teamId : null;
  }

  private plan(event: DomainEvent, snapshot: RoutingSnapshot, defaultTeamId = this.defaultTeamOf(snapshot)): PlannedTarget[] {
    const ticket = ticketOf(event);
    return planTargets({
      eventType: event.type,
      ticket,
      routes: snapshot.routes,
      threads: snapshot.threads,
      defaultChannel: this.settings.SLACK_DEFAULT_CHANNEL ?? null,
      defaultTeamId,
      dm: event.type === 'ticket.assigned' && !!(event.payload as EventPayloads['ticket.assigned']).to,
      knownChannelId: (team, name) => this.resolver.known(team, name),
    });
  }

  async deliver(event: DomainEvent, ctx: DeliveryContext): Promise<DeliveryResult> {
    const parsed = parseTarget(ctx.target);
    if (!parsed) return permanentFailure(`not a Slack target: "${ctx.target}"`);
    let teamId = parsed.teamId;
    const state: CallState = {};
    try {
      if (teamId === DEFAULT_TEAM) {
        const found = await this.installations.defaultTeamId();
        if (!found) return permanentFailure('no default Slack workspace: give the route a teamId');
        teamId = found;
      }
      const installed = await this.installations.client(teamId);
      if (!installed) return permanentFailure(`Slack workspace ${teamId} is not installed or is disabled`);
      const { client } = installed;
      const rank = PRIORITY_RANK[ticketOf(event).priority] ?? 3;
      if (parsed.channelRef === DM_REF) return await this.deliverDm(event as DomainEvent<'ticket.assigned'>, ctx, teamId, client, rank, state);

      const snapshot = await this.routes.routingSnapshot(event.aggregateId);
      const planned = this.plan(event, snapshot, parsed.teamId === DEFAULT_TEAM ? teamId : this.defaultTeamOf(snapshot));
      const plan = planned.find((p) => p.teamId === teamId && p.channelRef === parsed.channelRef);
      if (!plan) return delivered(); // nothing routes this event here any more (route deleted or changed)
      const channelId = await this.resolver.resolve(teamId, parsed.channelRef, client);
      if (plan.source === 'thread' && (await this.handledByNamedRoute(planned, plan, teamId, channelId, client))) return delivered();

      const t: Target = { event, ctx, teamId, channelId, client, plan, rank, state };
      await this.handle(t);
      return delivered();
    } catch (err) {
      return this.failure(err, teamId, state.limiterKey);
    }
  }

  /**
   * A thread target duplicates a `#name` route target of the same event when that name resolves to
   * the thread's channel (the name was not resolved yet when the event was dispatched): the route
   * target does the work.
   */
  private async handledByNamedRoute(planned: PlannedTarget[], plan: PlannedTarget, teamId: string, channelId: string, client: WebClient): Promise<boolean> {
    for (const p of planned) {
      if (p === plan || p.source === 'thread' || p.source === 'dm' || p.teamId !== teamId || !p.channelRef.startsWith('#')) continue;
      const id = await this.resolver.resolve(teamId, p.channelRef, client).catch(() => undefined);
      if (id === channelId) return true;
    }
    return false;
  }

  private async handle(t: Target): Promise<void> {
    const { event } = t;
    switch (event.type) {
      case 'ticket.created':
        return this.onTicketCreated(t);
      case 'ticket.updated':
      case 'ticket.status_changed':
      case 'ticket.assigned':
      case 'sla.warning':
      case 'sla.breached':
      case 'ticket.overdue':
        return this.onTicketChange(t);
      case 'comment.created':
        return this.onCommentCreated(t, (event.payload as EventPayloads['comment.created']).comment);
      case 'comment.updated':
        return this.onCommentUpdated(t, (event.payload as EventPayloads['comment.updated']).comment);
      case 'comment.deleted':
        return this.onCommentDeleted(t, (event.payload as EventPayloads['comment.deleted']).comment);
    }
  }

  // ---------------------------------------------------------------------------
  // tickets: the root message (card) and change replies
  // ---------------------------------------------------------------------------

  private async onTicketCreated(t: Target): Promise<void> {
    const ref = t.event.origin.channel === 'slack' ? t.event.origin.ref : undefined;
    const fromThisThread = !!ref?.rootTs && ref.team === t.teamId && ref.channel === t.channelId;
    if (fromThisThread) {
      // Made from someone's message: that message is the root (linked by the inbound side); the
      // card goes into its thread as the first reply.
      this.foreignRoots.add(threadKey(t, t.event.aggregateId));
      const thread = await this.threads.findThread(t.event.aggregateId, t.teamId, t.channelId);
      if (!thread?.rootTs) throw new RetryLater('thread link of a ticket made from Slack is not there yet', 500);
      const card = await this.renderCard(t);
      await this.postReplyOnce(t, thread.rootTs, card.message, { event_type: META.ticket, event_payload: { ticket_id: t.event.aggregateId } });
      return;
    }
    const root = await this.ensureRoot(t);
    if (!root.posted) await this.refreshCard(t, root.rootTs);
  }

  private async onTicketChange(t: Target): Promise<void> {
    const root = await this.rootFor(t);
    if (!root) return;
    // Reply first when the card was just posted (it shows the change already); otherwise refresh it.
    if (!root.posted) await this.refreshCard(t, root.rootTs);
    if (!t.plan.replies) return;
    const reply = await this.changeReply(t);
    if (reply) await this.postReplyOnce(t, root.rootTs, reply.message, { event_type: META.event, event_payload: { event_id: t.event.eventId } }, reply.broadcast);
  }

  /** The root of this target's thread: posted when a route wants the event and there is none yet. */
  private async rootFor(t: Target): Promise<{ rootTs: string; posted: boolean } | null> {
    if (t.plan.source === 'route' || t.plan.source === 'default') return this.ensureRoot(t);
    const thread = await this.threads.findThread(t.event.aggregateId, t.teamId, t.channelId);
    if (!thread) return null;
    if (!thread.rootTs) throw new RetryLater('root message is being posted', 500);
    return { rootTs: thread.rootTs, posted: false };
  }

  private async changeReply(t: Target): Promise<{ message: SlackMessage; broadcast?: boolean } | null> {
    const { event } = t;
    const actorName = event.actor.name;
    const ticket = ticketOf(event);
    const ref = { id: ticket.id, number: ticket.number, url: this.url(ticket.number) };
    const changes: FieldChange[] = [];
    let resolvedInMs: number | undefined;
    switch (event.type) {
      case 'ticket.status_changed': {
        const p = event.payload as EventPayloads['ticket.status_changed'];
        changes.push({ field: 'status', from: STATUS_LABELS[p.from], to: STATUS_LABELS[p.to] });
        if (p.to === 'resolved' && p.ticket.resolvedAt) resolvedInMs = Math.max(0, Date.parse(p.ticket.resolvedAt) - Date.parse(p.ticket.createdAt));
        break;
      }
      case 'ticket.assigned': {
        const p = event.payload as EventPayloads['ticket.assigned'];
        // The assignment made with the ticket is on the card already.
        if (!p.from && p.ticket.version === 1) return null;
        changes.push({ field: 'assignee', from: p.from?.name ?? null, to: p.to?.name ?? null });
        break;
      }
      case 'ticket.updated': {
        const p = event.payload as EventPayloads['ticket.updated'];
        for (const c of p.changes) {
          if (c.field !== 'priority') continue; // titles, descriptions, requesters, projects: the card shows them
          changes.push({ field: 'priority', from: label(PRIORITY_LABELS, c.from), to: label(PRIORITY_LABELS, c.to) });
        }
        break;
      }
      case 'sla.warning':
      case 'sla.breached':
      case 'ticket.overdue': {
        const p = event.payload as SlaEventPayload;
        const card = await this.renderCard(t);
        const message = buildSlaAlert({ ticket: card.view, kind: event.type, target: p.target, now: this.now() });
        // A breach is also announced in the channel (the reply is broadcast), not only in the thread.
        return { message, broadcast: event.type === 'sla.breached' };
      }
    }
    if (!changes.length) return null;
    return { message: buildChangeReply({ actorName, changes, ticket: ref, resolvedInMs }) };
  }

  /**
   * At most one root message per (ticket, workspace, channel): claim the slack_threads row, post,
   * record the ts. A later attempt that finds the ts updates instead; one that finds a claim without
   * ts (a crash, or a timeout after which Slack may still have posted) waits until no post can be in
   * flight, then looks for the message by its metadata before posting again.
   */
  private async ensureRoot(t: Target): Promise<{ rootTs: string; posted: boolean }> {
    const ticketId = t.event.aggregateId;
    const key = threadKey(t, ticketId);
    const existing = await this.threads.findThread(ticketId, t.teamId, t.channelId);
    if (existing?.rootTs) return { rootTs: existing.rootTs, posted: false };
    if (existing && !(await this.recoverRoot(t, existing))) throw new RetryLater('root message is being posted elsewhere', 500);
    const recovered = existing ? await this.findRootInHistory(t) : null;
    if (existing && recovered) {
      await this.threads.setRootTs(existing.id, recovered);
      return { rootTs: recovered, posted: false };
    }
    const card = await this.renderCard(t);
    const claim = existing ? { row: existing, claimed: true } : await this.threads.claimThread(ticketId, t.teamId, t.channelId, t.plan.agentsOnly);
    if (!claim.claimed) {
      if (claim.row.rootTs) return { rootTs: claim.row.rootTs, posted: false };
      throw new RetryLater('root message is being posted', 500);
    }
    // Nothing but the call itself between the slot and Slack: the spacing Slack sees is the limiter's.
    try {
      await this.slot(t);
    } catch (err) {
      await this.threads.releaseThread(claim.row.id).catch(() => undefined);
      throw err;
    }
    this.posting.add(key);
    let ts: string;
    try {
      const res = await t.client.chat.postMessage({
        channel: t.channelId,
        text: card.message.text,
        blocks: card.message.blocks,
        metadata: { event_type: META.ticket, event_payload: { ticket_id: ticketId, version: card.version } },
        unfurl_links: false,
        unfurl_media: false,
      });
      ts = res.ts!;
    } catch (err) {
      // Slack said no (or 429): nothing was posted, so let the next attempt claim afresh. An
      // answered 5xx may have posted: look now (it will not post later). A timeout may still post:
      // keep the claim; the next attempt waits until it cannot, then looks first.
      const recovered = answeredWithoutPost(err) ? null : answered(err) ? await this.findRootInHistory(t).catch(() => undefined) : undefined;
      if (recovered) {
        await this.threads.setRootTs(claim.row.id, recovered);
        this.posting.delete(key);
        return { rootTs: recovered, posted: false };
      }
      if (recovered === null) await this.threads.releaseThread(claim.row.id).catch(() => undefined);
      throw err;
    } finally {
      this.posting.delete(key);
    }
    await this.threads.setRootTs(claim.row.id, ts);
    this.rememberCard(key, card);
    return { rootTs: ts, posted: true };
  }

  /** Decides whether a claim without ts may be taken over now. */
  private async recoverRoot(t: Target, row: ThreadRow): Promise<boolean> {
    if (this.posting.has(threadKey(t, row.ticketId))) return false;
    // A call in flight ends within SLACK_TIMEOUT_MS; Slack applies a late request soon after.
    const staleMs = 2 * this.settings.SLACK_TIMEOUT_MS;
    if (row.claimAgeMs < staleMs) throw new RetryLater('an earlier attempt may still be posting the root message', staleMs - row.claimAgeMs + 50);
    return this.threads.reclaimThread(row.id, staleMs);
  }

  private async findRootInHistory(t: Target): Promise<string | null> {
    try {
      const res = await t.client.conversations.history({ channel: t.channelId, limit: 200, include_all_metadata: true });
      const found = (res.messages ?? []).find((m) => {
        const meta = m.metadata as { event_type?: string; event_payload?: { ticket_id?: string } } | undefined;
        return meta?.event_type === META.ticket && meta.event_payload?.ticket_id === t.event.aggregateId && (!m.thread_ts || m.thread_ts === m.ts);
      });
      return found?.ts ?? null;
    } catch (err) {
      // Without history access (scope, private channel) a rare duplicate beats never posting.
      if (classifySlackError(err).permanent) return null;
      throw err;
    }
  }

  /** Re-renders the card from the current ticket; skips chat.update when Slack shows it already. */
  private async refreshCard(t: Target, rootTs: string): Promise<void> {
    const key = threadKey(t, t.event.aggregateId);
    if (this.foreignRoots.has(key)) return;
    const card = await this.renderCard(t);
    const shown = this.cards.get(key);
    if (shown && (shown.key === card.key || shown.version > card.version)) return;
    await this.slot(t);
    try {
      await t.client.chat.update({ channel: t.channelId, ts: rootTs, text: card.message.text, blocks: card.message.blocks });
    } catch (err) {
      const code = slackErrorCode(err);
      // Someone else's message (a ticket made from it), or the root was deleted in Slack: the
      // thread goes on without a live card.
      if (code === 'cant_update_message' || code === 'message_not_found') {
        this.foreignRoots.add(key);
        return;
      }
      throw err;
    }
    this.rememberCard(key, card);
  }

  private rememberCard(key: string, card: Card): void {
    if (this.cards.size >= CARD_CACHE_MAX) this.cards.clear();
    this.cards.set(key, { key: card.key, version: card.version });
  }

  private async renderCard(t: Target): Promise<Card> {
    const ticket = await this.tickets.get(t.event.aggregateId);
    const extras = (await this.extensions.decorate([ticket])).get(ticket.id);
    const [assignee, requester] = await Promise.all([
      ticket.assignee ? this.slackUserId(t.teamId, ticket.assignee, t.client) : null,
      ticket.requester ? this.slackUserId(t.teamId, ticket.requester, t.client) : null,
    ]);
    const view = toTicketView(ticket, extras, { assignee, requester }, this.config.APP_BASE_URL);
    return { view, message: buildTicketMessage(view, { now: this.now() }), version: ticket.version, key: cardKey(view, ticket.version) };
  }

  // ---------------------------------------------------------------------------
  // comments
  // ---------------------------------------------------------------------------

  /** Internal comments only reach agents-only channels. */
  private visibleHere(t: Target, comment: CommentSnapshot): boolean {
    return comment.visibility === 'public' || t.plan.agentsOnly;
  }

  /** A change typed in this very channel (the inbound side linked it already). */
  private cameFromHere(t: Target): boolean {
    const { origin } = t.event;
    return origin.channel === 'slack' && origin.ref?.team === t.teamId && origin.ref?.channel === t.channelId;
  }

  private async onCommentCreated(t: Target, comment: CommentSnapshot): Promise<void> {
    if (comment.deletedAt || !this.visibleHere(t, comment) || !t.plan.replies || this.cameFromHere(t)) return;
    const existing = await this.threads.findMessage(comment.id, t.teamId, t.channelId);
    if (existing?.ts) return; // posted already (or it is the Slack message it came from)
    const root = await this.rootFor(t);
    if (!root) return;
    await this.postComment(t, comment, root.rootTs);
    // The comment may have changed the card (a first response completes that SLA target).
    await this.refreshCard(t, root.rootTs);
  }

  /** A comment as a thread reply, its author mentioned when they are known in this workspace. */
  private async renderComment(t: Target, comment: CommentSnapshot) {
    const author = comment.author.id && comment.author.email
      ? await this.slackUserId(t.teamId, { id: comment.author.id, email: comment.author.email, name: comment.author.name }, t.client)
      : null;
    return buildCommentReply({
      id: comment.id,
      author: { name: comment.author.name, slackUserId: author ?? undefined },
      body: comment.body,
      visibility: comment.visibility,
      createdAt: comment.createdAt,
    });
  }

  private async postComment(t: Target, comment: CommentSnapshot, rootTs: string): Promise<void> {
    const message = await this.renderComment(t, comment);
    const { row, claimed } = await this.threads.claimMessage(comment.id, t.teamId, t.channelId, rootTs);
    if (row.ts) return;
    if (!claimed) {
      const staleMs = 2 * this.settings.SLACK_TIMEOUT_MS;
      if (row.claimAgeMs < staleMs) throw new RetryLater('an earlier attempt may still be posting this comment', staleMs - row.claimAgeMs + 50);
      if (!(await this.threads.reclaimMessage(row.id, staleMs))) throw new RetryLater('comment is being posted elsewhere', 500);
      const found = await this.findInThread(t, row.threadTs, (meta) => meta.event_type === META.comment && meta.event_payload?.comment_id === comment.id);
      if (found) return this.threads.setMessageTs(row.id, found);
    }
    try {
      await this.slot(t);
    } catch (err) {
      await this.threads.releaseMessage(row.id).catch(() => undefined);
      throw err;
    }
    let ts: string;
    try {
      const res = await t.client.chat.postMessage({
        channel: t.channelId,
        thread_ts: row.threadTs,
        text: message.text,
        blocks: message.blocks,
        metadata: { event_type: META.comment, event_payload: { comment_id: comment.id } },
        unfurl_links: false,
        unfurl_media: false,
      });
      ts = res.ts!;
    } catch (err) {
      const recovered = answeredWithoutPost(err)
        ? null
        : answered(err)
          ? await this.findInThread(t, row.threadTs, (meta) => meta.event_type === META.comment && meta.event_payload?.comment_id === comment.id).catch(() => undefined)
          : undefined;
      if (recovered) return this.threads.setMessageTs(row.id, recovered);
      if (recovered === null) await this.threads.releaseMessage(row.id).catch(() => undefined);
      throw err;
    }
    await this.threads.setMessageTs(row.id, ts);
  }

  private async onCommentUpdated(t: Target, comment: CommentSnapshot): Promise<void> {
    if (this.cameFromHere(t)) return;
    const existing = await this.threads.findMessage(comment.id, t.teamId, t.channelId);
    const visible = !comment.deletedAt && this.visibleHere(t, comment) && t.plan.replies;
    if (!existing?.ts) {
      // Made public after being internal: it appears now.
      if (visible && !existing) {
        const root = await this.rootFor(t);
        if (root) await this.postComment(t, comment, root.rootTs);
      }
      return;
    }
    if (!visible) return this.deleteReply(t, existing.id, existing.ts);
    const message = await this.renderComment(t, comment);
    await this.slot(t);
    try {
      await t.client.chat.update({ channel: t.channelId, ts: existing.ts, text: message.text, blocks: message.blocks });
    } catch (err) {
      const code = slackErrorCode(err);
      if (code === 'cant_update_message' || code === 'message_not_found') return; // someone's own Slack message, or gone
      throw err;
    }
  }

  private async onCommentDeleted(t: Target, comment: CommentSnapshot): Promise<void> {
    if (this.cameFromHere(t)) return;
    const existing = await this.threads.findMessage(comment.id, t.teamId, t.channelId);
    if (existing?.ts) await this.deleteReply(t, existing.id, existing.ts);
  }

  private async deleteReply(t: Target, id: string, ts: string): Promise<void> {
    try {
      await t.client.chat.delete({ channel: t.channelId, ts });
    } catch (err) {
      const code = slackErrorCode(err);
      if (code === 'cant_delete_message') return; // someone's own Slack message: theirs to delete
      if (code !== 'message_not_found') throw err;
    }
    await this.threads.deleteMessage(id);
  }

  // ---------------------------------------------------------------------------
  // replies, DMs, helpers
  // ---------------------------------------------------------------------------

  /** Posts a reply once per event: a retry first looks for what an earlier attempt posted. */
  private async postReplyOnce(t: Target, rootTs: string, message: SlackMessage, metadata: { event_type: string; event_payload: Record<string, string> }, broadcast = false): Promise<void> {
    if (t.ctx.attempt > 1) {
      const [k, v] = Object.entries(metadata.event_payload)[0];
      const found = await this.findInThread(t, rootTs, (meta) => meta.event_type === metadata.event_type && meta.event_payload?.[k] === v);
      if (found) return;
    }
    await this.slot(t);
    await t.client.chat.postMessage({
      channel: t.channelId,
      thread_ts: rootTs,
      text: message.text,
      blocks: message.blocks,
      metadata,
      reply_broadcast: broadcast,
      unfurl_links: false,
      unfurl_media: false,
    });
    await this.threads.touch(t.teamId, t.channelId, rootTs);
  }

  private async findInThread(t: Target, rootTs: string, match: (meta: { event_type?: string; event_payload?: Record<string, unknown> }) => boolean): Promise<string | null> {
    try {
      const res = await t.client.conversations.replies({ channel: t.channelId, ts: rootTs, limit: 1000, include_all_metadata: true });
      const found = (res.messages ?? []).find((m) => m.ts !== rootTs && m.metadata && match(m.metadata as never));
      return found?.ts ?? null;
    } catch (err) {
      if (classifySlackError(err).permanent) return null;
      throw err;
    }
  }

  private async deliverDm(event: DomainEvent<'ticket.assigned'>, ctx: DeliveryContext, teamId: string, client: WebClient, rank: number, state: CallState): Promise<DeliveryResult> {
    const { to, ticket } = event.payload;
    if (!to || event.type !== 'ticket.assigned') return delivered();
    if (event.actor.type === 'user' && event.actor.id === to.id) return delivered(); // "assign to me" needs no DM
    const slackUserId = await this.slackUserId(teamId, to, client);
    if (!slackUserId) return delivered(); // not in this workspace
    const opened = await client.conversations.open({ users: slackUserId });
    const channelId = opened.channel?.id;
    if (!channelId) return retryLater('conversations.open returned no channel');
    const view: TicketView = {
      id: ticket.id,
      number: ticket.number,
      title: ticket.title,
      description: ticket.description,
      status: ticket.status,
      priority: ticket.priority,
      url: this.url(ticket.number),
    };
    const message = buildAssignmentDm(view, event.actor.name);
    await this.slot({ teamId, channelId, rank, ctx, state });
    await client.chat.postMessage({ channel: channelId, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
    return delivered();
  }

  /** Waits for this channel's next slot (critical tickets first); hands back to the pipeline when that is long. */
  private async slot(t: Pick<Target, 'teamId' | 'channelId' | 'rank' | 'ctx' | 'state'>): Promise<void> {
    const key = `${t.teamId}:${t.channelId}`;
    t.state.limiterKey = key;
    const got = await this.limiter.acquire(key, t.rank, { maxWaitMs: MAX_LIMITER_WAIT_MS, signal: t.ctx.signal });
    if (!got.granted) throw new RetryLater(`waiting for channel ${t.channelId}'s rate limit`, Math.max(got.retryAfterMs, 100));
  }

  private async slackUserId(teamId: string, user: Pick<UserRef, 'id' | 'email'> & { name?: string }, client: WebClient): Promise<string | null> {
    const key = `${teamId}:${user.id}`;
    const hit = this.people.get(key);
    if (hit && Date.now() - hit.at < 60_000) return hit.id;
    let id: string | null;
    try {
      id = await this.directory.slackUserIdFor(teamId, { id: user.id, email: user.email }, client);
    } catch (err) {
      // Mentions are a nicety: render the name, try again later.
      this.logger.warn(`could not look up the Slack user of ${user.id}: ${classifySlackError(err).message}`);
      return null;
    }
    if (this.people.size > 10_000) this.people.clear();
    this.people.set(key, { id, at: Date.now() });
    return id;
  }

  private url(number: string): string {
    return `${this.config.APP_BASE_URL.replace(/\/$/, '')}/tickets/${encodeURIComponent(number)}`;
  }

  /** Maps a failure to a DeliveryResult: rate limits wait, permanent errors dead-letter and show in the status. */
  private async failure(err: unknown, teamId: string, limiterKey: string | undefined): Promise<DeliveryResult> {
    if (err instanceof RetryLater) return retryLater(err.reason, err.retryAfterMs);
    const c = classifySlackError(err);
    if (c.code === 'ratelimited') {
      // Nobody in this process calls that channel again before Retry-After has passed.
      if (limiterKey) this.limiter.pause(limiterKey, c.retryAfterMs ?? 1000);
      return retryLater(c.message, c.retryAfterMs);
    }
    if (c.permanent) {
      await this.installations.recordError(teamId, c.code).catch(() => undefined);
      if (c.auth) {
        await this.installations.disable(teamId, c.code).catch(() => undefined);
        this.logger.error(`Slack workspace ${teamId} disabled: ${c.code}`);
      }
      return permanentFailure(c.message);
    }
    return retryLater(c.message, c.retryAfterMs);
  }
}

function ticketOf(event: DomainEvent): TicketSnapshot {
  return (event.payload as { ticket: TicketSnapshot }).ticket;
}

function label(labels: Record<string, string>, value: unknown): string | null {
  return typeof value === 'string' ? (labels[value] ?? value) : null;
}

/** Slack answered with an error or a 429: it certainly did not post. */
function answeredWithoutPost(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === ErrorCode.PlatformError || code === ErrorCode.RateLimitedError;
}

/** Slack answered (e.g. a 5xx): whatever it did is done, so looking for the message now is conclusive. */
function answered(err: unknown): boolean {
  return (err as { code?: string })?.code === ErrorCode.HTTPError;
}
