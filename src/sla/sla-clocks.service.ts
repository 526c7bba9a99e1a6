import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  ChangeContext,
  CommentSnapshot,
  SlaEventPayload,
  TicketPriority,
  TicketSnapshot,
  TicketStatus,
} from '../events/event-catalogue';
import { OutboxService, PendingEvent } from '../outbox/outbox.service';
import { TicketExtensions } from '../tickets/ticket-extensions';
import type { TicketRecord } from '../tickets/ticket.record';
import { CalendarsRepository } from './calendars/calendars.repository';
import { Clock } from './clock';
import type { BusinessCalendar } from './engine/business-calendar';
import { PoliciesRepository, PolicyRecord } from './policies/policies.repository';
import {
  ClockRow,
  completeClock,
  pauseClock,
  restartClock,
  resumeClock,
  retargetClock,
  startClock,
  TARGET_KEYS,
  TARGET_NAMES,
  TargetKey,
  TargetTerms,
  targetState,
} from './sla-state';
import { ClockWithTerms, clocksFromJson, SlaStateRepository } from './sla-state.repository';
import { CLOCKS_OF_TICKET_JSON, POLICY_TERMS_OF_TICKET } from './sla-view.sql';

type Queryable = Pick<EntityManager, 'query'>;
type Terms = Record<TargetKey, TargetTerms> & { policy: PolicyRecord; calendar: BusinessCalendar | null };

/** Who SLA events are from: the SLA module itself, not the user whose change triggered them. */
export const SLA_CONTEXT: ChangeContext = { actor: { type: 'system', id: null, name: 'SLA' }, origin: { channel: 'sla' } };

const DONE: readonly TicketStatus[] = ['resolved', 'closed'];

/** The `sla` field of every ticket in the API. */
export interface TicketSlaView {
  policy: { id: string | null; name: string | null; calendarId: string | null; warningPercent: number };
  firstResponse: ReturnType<typeof targetState> | null;
  resolution: ReturnType<typeof targetState> | null;
}

/**
 * Keeps each ticket's SLA clocks in step with the ticket, inside the transaction of the change
 * (as an outbox listener), and shows them on every ticket response (as a view decorator). The
 * tickets and comments modules do not know this module exists.
 */
@Injectable()
export class SlaClocksService implements OnModuleInit {
  constructor(
    private readonly outbox: OutboxService,
    private readonly extensions: TicketExtensions,
    private readonly clocks: SlaStateRepository,
    private readonly policies: PoliciesRepository,
    private readonly calendars: CalendarsRepository,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.outbox.registerTransactionalListener((m, event) => this.onEvent(m, event));
    this.extensions.registerViewDecorator('sla', (tickets) => this.decorate(tickets), {
      // Ticket reads select the clocks with the ticket, so a get or a list is one round trip.
      sql: CLOCKS_OF_TICKET_JSON,
      decode: (value, ticket) => this.views([ticket], clocksFromJson(value)).get(ticket.id) ?? null,
    });
  }

  async onEvent(m: EntityManager, event: PendingEvent): Promise<void> {
    const now = this.clock.now();
    switch (event.type) {
      case 'ticket.created':
        return this.start(m, event.aggregateId, now);
      case 'ticket.updated': {
        const { changes, ticket } = event.payload as PendingEvent<'ticket.updated'>['payload'];
        if (changes.some((c) => c.field === 'priority' || c.field === 'project')) await this.retarget(m, ticket.id, now);
        return;
      }
      case 'ticket.status_changed': {
        const { from, to, ticket } = event.payload as PendingEvent<'ticket.status_changed'>['payload'];
        return this.statusChanged(m, ticket, from, to, now);
      }
      case 'comment.created':
      case 'comment.updated': {
        const { ticket, comment } = event.payload as PendingEvent<'comment.created'>['payload'];
        if (isFirstResponse(ticket, comment)) await this.completeTargets(m, ticket, ['first_response'], now);
        return;
      }
      default:
        return; // includes the SLA's own events, appended from here and from the scanner
    }
  }

  private async start(m: EntityManager, ticketId: string, now: Date) {
    const terms = await this.termsFor(m, ticketId);
    if (!terms) return; // no policy applies: the ticket has no SLA
    await this.clocks.upsert(m, ...TARGET_KEYS.map((target) => startClock(ticketId, target, terms[target], now, terms.calendar)));
  }

  private async retarget(m: EntityManager, ticketId: string, now: Date) {
    const terms = await this.termsFor(m, ticketId);
    if (!terms) return;
    for (const row of await this.clocks.forTicket(m, ticketId, true)) {
      const next = retargetClock(row, terms[row.target], now, terms.calendar);
      if (next !== row) await this.clocks.upsert(m, next);
    }
  }

  private async statusChanged(m: EntityManager, ticket: TicketSnapshot, from: TicketStatus, to: TicketStatus, now: Date) {
    if (DONE.includes(to)) {
      // Resolving (or closing without resolving) stops both clocks: a resolution answers the request.
      return this.completeTargets(m, ticket, ['first_response', 'resolution'], now);
    }
    const rows = await this.clocks.forTicket(m, ticket.id, true);
    const calendars = await this.calendars.findByIds(ids(rows), m);
    const cal = (row: ClockRow) => (row.calendarId ? (calendars.get(row.calendarId) ?? null) : null);
    let terms: Terms | null | undefined;
    for (const row of rows) {
      let next = row;
      if (row.target === 'resolution' && DONE.includes(from)) {
        // Reopened: the resolution clock starts over, under the policy that applies now.
        terms = terms === undefined ? await this.termsFor(m, ticket.id) : terms;
        if (terms) next = restartClock(row, terms.resolution, now, terms.calendar);
      }
      if (from === 'pending') next = resumeClock(next, now, cal(next));
      if (to === 'pending') next = pauseClock(next, now);
      if (next !== row) await this.clocks.upsert(m, next);
    }
  }

  /** Completes open clocks; one completed after its due time is a breach, emitted now unless the scanner already did. */
  private async completeTargets(m: EntityManager, ticket: TicketSnapshot, targets: TargetKey[], now: Date) {
    const rows = (await this.clocks.forTicket(m, ticket.id, true)).filter((r) => targets.includes(r.target) && !r.completedAt);
    if (!rows.length) return;
    const calendars = await this.calendars.findByIds(ids(rows), m);
    for (const row of rows) {
      const calendar = row.calendarId ? (calendars.get(row.calendarId) ?? null) : null;
      let next = completeClock(row, now, calendar);
      const lateAndUnreported = next.completedAt! > next.dueAt && next.breachedEmittedEpisode < next.episode;
      if (lateAndUnreported) next = { ...next, breachedEmittedEpisode: next.episode };
      await this.clocks.upsert(m, next);
      if (lateAndUnreported) {
        const policy = row.policyId ? await this.policies.findById(row.policyId, m) : null;
        await this.outbox.append(m, 'sla.breached', ticket.id, slaEventPayload(next, ticket, policy?.name ?? null, calendar, now), SLA_CONTEXT);
      }
    }
  }

  /** Recomputes the running clocks on a calendar after it changed (same transaction as the change). */
  async recomputeForCalendar(m: EntityManager, calendarId: string, calendar: BusinessCalendar): Promise<number> {
    const now = this.clock.now();
    let changed = 0;
    let after: [string, TargetKey] | undefined;
    for (;;) {
      const rows = await this.clocks.openOnCalendar(m, calendarId, 500, after);
      for (const row of rows) {
        const next = retargetClock(row, row, now, calendar);
        if (next.dueAt.getTime() !== row.dueAt.getTime() || next.warningAt.getTime() !== row.warningAt.getTime()) {
          await this.clocks.upsert(m, next);
          changed++;
        }
      }
      if (rows.length < 500) return changed;
      after = [rows[rows.length - 1].ticketId, rows[rows.length - 1].target];
    }
  }

  /** The policy terms for each target of a ticket as it is now (project and priority), or null without a policy. One query. */
  private async termsFor(q: Queryable, ticketId: string): Promise<Terms | null> {
    const rows = await q.query(POLICY_TERMS_OF_TICKET, [ticketId]);
    if (!rows.length) return null;
    const r = rows[0];
    const policy: PolicyRecord = {
      id: r.id,
      name: r.name,
      projectId: r.project_id,
      projectKey: null,
      calendarId: r.calendar_id,
      warningPercent: r.warning_percent,
      targets: r.targets,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
    const calendar = r.calendar_id ? { timeZone: r.time_zone, workingHours: r.working_hours, holidays: r.holidays } : null;
    return { policy, calendar, ...termsOf(policy, r.priority) };
  }

  /** `sla` for a page of tickets: one query for their clocks, policies' names and calendars. */
  async decorate(tickets: TicketRecord[]): Promise<Map<string, TicketSlaView | null>> {
    return this.views(tickets, await this.clocks.forTickets(tickets.map((t) => t.id)));
  }

  private views(tickets: TicketRecord[], found: ClockWithTerms[]): Map<string, TicketSlaView | null> {
    const now = this.clock.now();
    const out = new Map<string, TicketSlaView | null>(tickets.map((t) => [t.id, null]));
    for (const { row, policyName, calendar } of found) {
      const view =
        out.get(row.ticketId) ??
        ({ policy: { id: null, name: null, calendarId: null, warningPercent: row.warningPercent }, firstResponse: null, resolution: null } as TicketSlaView);
      view[TARGET_NAMES[row.target]] = targetState(row, now, calendar);
      // The resolution clock is the one (re)started last, so its terms describe the ticket's policy.
      if (row.target === 'resolution' || view.policy.id === null) {
        view.policy = { id: row.policyId, name: policyName, calendarId: row.calendarId, warningPercent: row.warningPercent };
      }
      out.set(row.ticketId, view);
    }
    return out;
  }
}

export function termsOf(policy: PolicyRecord, priority: TicketPriority): Record<TargetKey, TargetTerms> {
  const t = policy.targets[priority];
  const base = { policyId: policy.id, calendarId: policy.calendarId, warningPercent: policy.warningPercent };
  return {
    first_response: { ...base, targetMinutes: t.firstResponseMinutes },
    resolution: { ...base, targetMinutes: t.resolutionMinutes },
  };
}

export function slaEventPayload(
  row: ClockRow,
  ticket: TicketSnapshot,
  policyName: string | null,
  calendar: BusinessCalendar | null,
  now: Date,
): SlaEventPayload {
  return {
    ticket,
    target: TARGET_NAMES[row.target],
    dueAt: row.dueAt.toISOString(),
    episode: row.episode,
    policy: { id: row.policyId, name: policyName, warningPercent: row.warningPercent },
    sla: targetState(row, now, calendar),
  };
}

/** The first public comment from someone with an account (every account is staff) other than the requester. */
function isFirstResponse(ticket: TicketSnapshot, comment: CommentSnapshot): boolean {
  return (
    comment.visibility === 'public' &&
    comment.deletedAt === null &&
    !comment.author.external &&
    comment.author.id !== null &&
    comment.author.id !== (ticket.requester?.id ?? null)
  );
}

const ids = (rows: ClockRow[]) => [...new Set(rows.map((r) => r.calendarId).filter((id): id is string => id !== null))];
