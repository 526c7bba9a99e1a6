import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { decodeCursor, encodeCursor, Page } from '../common/cursor';
import { badRequest, conflict, fieldError, notFound } from '../common/errors';
import { isUuid } from '../common/uuid';
import { ChangeContext, FieldChange, UserRef } from '../events/event-catalogue';
import { UsersService } from '../identity/users.service';
import { OutboxService } from '../outbox/outbox.service';
import { ProjectsService } from '../projects/projects.service';
import { CreateTicketDto, ListTicketsQuery, UpdateTicketDto } from './dto/ticket.dto';
import { ActivityEntry, TicketActivityRepository } from './ticket-activity.repository';
import { allowedNextStatuses, canTransition } from './ticket-workflow';
import { TICKET_NUMBER, TicketRecord, toSnapshot } from './ticket.record';
import { TicketRef, TicketSortKey, TicketsRepository } from './tickets.repository';

/**
 * Tickets: creation, the status workflow, assignment, optimistic locking and the activity log.
 * Every change writes its activity rows and its outbox events in the same transaction.
 */
@Injectable()
export class TicketsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tickets: TicketsRepository,
    private readonly activity: TicketActivityRepository,
    private readonly outbox: OutboxService,
    private readonly users: UsersService,
    private readonly projects: ProjectsService,
  ) {}

  async create(dto: CreateTicketDto, ctx: ChangeContext): Promise<TicketRecord> {
    const [assignee, requester, project] = await Promise.all([
      dto.assigneeId ? this.users.requireActive(dto.assigneeId, 'assigneeId') : null,
      dto.requesterId ? this.users.requireActive(dto.requesterId, 'requesterId') : null,
      dto.projectKey ? this.projects.requireByKey(dto.projectKey, 'projectKey') : null,
    ]);
    const ticket = await this.db.transaction(async (m) => {
      const created = await this.tickets.insert(m, {
        title: dto.title,
        description: dto.description ?? '',
        priority: dto.priority,
        status: 'new',
        assigneeId: assignee?.id ?? null,
        requesterId: requester?.id ?? null,
        projectId: project?.id ?? null,
        createdById: ctx.actor.type === 'user' ? ctx.actor.id : null,
      }, { actorId: ctx.actor.type === 'user' ? ctx.actor.id : null, actorName: ctx.actor.name, origin: ctx.origin.channel });
      const id = created.id;
      const snapshot = toSnapshot(created);
      await this.outbox.append(m, 'ticket.created', id, { ticket: snapshot }, ctx);
      if (created.assignee) {
        await this.outbox.append(m, 'ticket.assigned', id, { ticket: snapshot, from: null, to: created.assignee }, ctx);
      }
      return created;
    });
    this.outbox.notifyCommitted();
    return ticket;
  }

  /** Accepts a uuid or a number like TKT-12; anything else is a 400 naming the parameter. */
  async resolveId(idOrNumber: string, field = 'idOrNumber'): Promise<string> {
    const ref = parseTicketRef(idOrNumber, field);
    if ('id' in ref) return ref.id;
    const id = await this.tickets.findIdByNumber(ref.number);
    if (!id) throw notFound('Ticket', idOrNumber.toUpperCase());
    return id;
  }

  async get(idOrNumber: string): Promise<TicketRecord> {
    const ticket = await this.tickets.find(parseTicketRef(idOrNumber), { views: true });
    if (!ticket) throw notFound('Ticket', idOrNumber);
    return ticket;
  }

  /** The current state of a ticket as carried in event payloads (inside the caller's transaction). */
  async snapshot(id: string, m: EntityManager) {
    const ticket = await this.tickets.findById(id, m);
    if (!ticket) throw notFound('Ticket', id);
    return toSnapshot(ticket);
  }

  /**
   * Like `snapshot`, but found by uuid or number (TKT-12) in the same query: resolving the
   * reference and reading the state take one round trip. 400 for a malformed reference, 404 if absent.
   */
  async snapshotOf(idOrNumber: string, m: EntityManager, field = 'idOrNumber') {
    const ref = parseTicketRef(idOrNumber, field);
    const ticket = await this.tickets.find(ref, { q: m });
    if (!ticket) throw notFound('Ticket', 'id' in ref ? idOrNumber : idOrNumber.toUpperCase());
    return toSnapshot(ticket);
  }

  async list(query: ListTicketsQuery, callerId: string): Promise<Page<TicketRecord>> {
    const descending = query.sort.startsWith('-');
    const key = query.sort.replace('-', '') as TicketSortKey;
    let after: unknown[] | undefined;
    if (query.cursor) {
      const [sort, ...values] = decodeCursor(query.cursor, key === 'priority' ? 4 : key === 'number' ? 2 : 3);
      if (sort !== query.sort) throw fieldError('cursor', 'cursor belongs to a different sort order');
      after = values;
    }
    const project = query.projectKey ? await this.projects.requireByKey(query.projectKey, 'projectKey') : undefined;
    const assigneeId = query.assigneeId === 'me' ? callerId : query.assigneeId === 'none' ? null : query.assigneeId;
    const rows = await this.tickets.list(
      { status: query.status, priority: query.priority, assigneeId, requesterId: query.requesterId, projectId: project?.id, titleContains: query.q },
      key,
      descending,
      query.limit,
      after,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r: { record: TicketRecord }) => r.record),
      nextCursor: rows.length > query.limit ? encodeCursor([query.sort, ...last.sortValues]) : null,
    };
  }

  async update(idOrNumber: string, dto: UpdateTicketDto, ctx: ChangeContext): Promise<TicketRecord> {
    const changesRequested = Object.keys(dto).filter((k) => k !== 'version' && (dto as Record<string, unknown>)[k] !== undefined);
    if (!changesRequested.length) throw badRequest('Nothing to change: give at least one field besides version');
    const id = await this.resolveId(idOrNumber);
    const [assignee, requester, project] = await Promise.all([
      dto.assigneeId ? this.users.requireActive(dto.assigneeId, 'assigneeId') : nullOrUndefined(dto.assigneeId),
      dto.requesterId ? this.users.requireActive(dto.requesterId, 'requesterId') : nullOrUndefined(dto.requesterId),
      dto.projectKey ? this.projects.requireByKey(dto.projectKey, 'projectKey') : nullOrUndefined(dto.projectKey),
    ]);
    const result = await this.db.transaction(async (m) => {
      const current = await this.tickets.findById(id, m, true);
      if (!current) throw notFound('Ticket', idOrNumber);
      if (dto.version !== undefined && dto.version !== current.version) {
        throw conflict('Ticket was changed by someone else since you read it; reload and try again', {
          currentVersion: current.version,
        });
      }
      return this.applyChanges(m, current, dto, { assignee, requester, project }, ctx);
    });
    if (result.changed) this.outbox.notifyCommitted();
    return result.ticket;
  }

  private async applyChanges(
    m: EntityManager,
    current: TicketRecord,
    dto: UpdateTicketDto,
    refs: { assignee: { id: string } | null | undefined; requester: { id: string } | null | undefined; project: { id: string; key: string } | null | undefined },
    ctx: ChangeContext,
  ): Promise<{ ticket: TicketRecord; changed: boolean }> {
    const columns: Record<string, unknown> = {};
    const entries: ActivityEntry[] = [];
    const fieldChanges: FieldChange[] = [];
    const change = (field: string, column: string, from: unknown, to: unknown, value: unknown = to) => {
      columns[column] = value;
      fieldChanges.push({ field, from, to });
    };

    if (dto.title !== undefined && dto.title !== current.title) change('title', 'title', current.title, dto.title);
    if (dto.description !== undefined && dto.description !== current.description) {
      change('description', 'description', current.description, dto.description);
    }
    if (dto.priority !== undefined && dto.priority !== current.priority) {
      change('priority', 'priority', current.priority, dto.priority);
    }
    if (refs.requester !== undefined && (refs.requester?.id ?? null) !== (current.requester?.id ?? null)) {
      change('requester', 'requester_id', current.requester?.id ?? null, refs.requester?.id ?? null);
    }
    if (refs.project !== undefined && (refs.project?.id ?? null) !== (current.project?.id ?? null)) {
      change('project', 'project_id', current.project?.key ?? null, refs.project?.key ?? null, refs.project?.id ?? null);
    }
    const statusChanged = dto.status !== undefined && dto.status !== current.status;
    if (statusChanged) {
      if (!canTransition(current.status, dto.status!)) {
        throw conflict(`Cannot change status from ${current.status} to ${dto.status}`, {
          field: 'status',
          currentStatus: current.status,
          allowedTransitions: allowedNextStatuses(current.status),
        });
      }
      columns.status = dto.status;
      if (dto.status === 'resolved') columns.resolved_at = new Date();
      if (dto.status === 'closed') columns.closed_at = new Date();
      if (dto.status === 'open' || dto.status === 'in_progress') {
        columns.resolved_at = null;
        columns.closed_at = null;
      }
    }
    const assigneeChanged = refs.assignee !== undefined && (refs.assignee?.id ?? null) !== (current.assignee?.id ?? null);
    if (assigneeChanged) columns.assignee_id = refs.assignee?.id ?? null;

    if (!Object.keys(columns).length) return { ticket: current, changed: false };

    const updated = await this.tickets.update(m, current.id, columns);
    const snapshot = toSnapshot(updated);
    for (const c of fieldChanges) entries.push({ action: 'updated', field: c.field, from: str(c.from), to: str(c.to) });
    if (statusChanged) entries.push({ action: 'status_changed', field: 'status', from: current.status, to: updated.status });
    if (assigneeChanged) {
      entries.push({ action: 'assigned', field: 'assignee', from: current.assignee?.name ?? null, to: updated.assignee?.name ?? null });
    }
    await this.activity.append(m, current.id, ctx, entries);

    if (fieldChanges.length) await this.outbox.append(m, 'ticket.updated', current.id, { ticket: snapshot, changes: fieldChanges }, ctx);
    if (statusChanged) {
      await this.outbox.append(m, 'ticket.status_changed', current.id, { ticket: snapshot, from: current.status, to: updated.status }, ctx);
    }
    if (assigneeChanged) {
      await this.outbox.append(m, 'ticket.assigned', current.id, { ticket: snapshot, from: current.assignee as UserRef | null, to: updated.assignee }, ctx);
    }
    return { ticket: updated, changed: true };
  }

  async listActivity(idOrNumber: string, limit: number, cursor?: string) {
    const id = await this.resolveId(idOrNumber);
    const after = cursor ? String(decodeCursor(cursor, 1)[0]) : undefined;
    if (after !== undefined && !/^\d{1,18}$/.test(after)) throw fieldError('cursor', 'cursor is not a valid cursor');
    const rows = await this.activity.list(id, limit + 1, after);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor([items[items.length - 1].id]) : null };
  }
}

/** A uuid (lower-cased) or a number like TKT-12; anything else is a 400 naming `field`. */
function parseTicketRef(idOrNumber: string, field = 'idOrNumber'): TicketRef {
  if (isUuid(idOrNumber)) return { id: idOrNumber.toLowerCase() };
  const match = TICKET_NUMBER.exec(idOrNumber);
  if (!match) throw fieldError(field, `${field} must be a ticket UUID or a number like TKT-12`);
  return { number: Number(match[1]) };
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
/** For PATCH: `null` clears a reference, absence leaves it alone. */
const nullOrUndefined = (v: unknown): null | undefined => (v === null ? null : undefined);
