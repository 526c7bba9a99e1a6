import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { TicketPriority, TicketStatus } from '../events/event-catalogue';
import { TicketExtensions } from './ticket-extensions';
import { TICKET_NUMBER_PREFIX, TicketRecord } from './ticket.record';

type Queryable = Pick<EntityManager, 'query'>;

/** A ticket named by its uuid or by its number (the n of TKT-n). */
export type TicketRef = { id: string } | { number: number };

const COLUMNS = `
  SELECT t.id, t.number, t.title, t.description, t.status, t.priority, t.version, t.created_by_id,
         t.created_at, t.updated_at, t.resolved_at, t.closed_at, t.priority_rank,
         a.id AS a_id, a.name AS a_name, a.email AS a_email,
         r.id AS r_id, r.name AS r_name, r.email AS r_email,
         p.id AS p_id, p.key AS p_key, p.name AS p_name`;
const JOINS = `
    LEFT JOIN users a ON a.id = t.assignee_id
    LEFT JOIN users r ON r.id = t.requester_id
    LEFT JOIN projects p ON p.id = t.project_id`;
const SELECT = `${COLUMNS} FROM tickets t ${JOINS}`;
/** The same projection over a CTE named `t` (an INSERT or UPDATE ... RETURNING *). */
const FROM_T = `${COLUMNS} FROM t ${JOINS}`;

const VIEW_PREFIX = 'view_';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toRecord(row: any): TicketRecord {
  let viewColumns: Record<string, unknown> | undefined;
  for (const key in row) {
    if (key.startsWith(VIEW_PREFIX)) (viewColumns ??= {})[key.slice(VIEW_PREFIX.length)] = row[key];
  }
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    version: row.version,
    createdById: row.created_by_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    resolvedAt: row.resolved_at,
    closedAt: row.closed_at,
    assignee: row.a_id ? { id: row.a_id, name: row.a_name, email: row.a_email } : null,
    requester: row.r_id ? { id: row.r_id, name: row.r_name, email: row.r_email } : null,
    project: row.p_id ? { id: row.p_id, key: row.p_key, name: row.p_name } : null,
    ...(viewColumns && { viewColumns }),
  };
}

export interface TicketFilter {
  status?: TicketStatus[];
  priority?: TicketPriority[];
  assigneeId?: string | null;
  requesterId?: string;
  projectId?: string;
  titleContains?: string;
}

export type TicketSortKey = 'createdAt' | 'updatedAt' | 'priority' | 'number';

const SORT_COLUMNS: Record<TicketSortKey, string[]> = {
  createdAt: ['t.created_at', 't.id'],
  updatedAt: ['t.updated_at', 't.id'],
  priority: ['t.priority_rank', 't.created_at', 't.id'],
  number: ['t.number'],
};

/** Plain SQL for tickets: no business rules here, only reads and writes. */
@Injectable()
export class TicketsRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly extensions: TicketExtensions,
  ) {}

  /**
   * The ticket projection plus the view columns other modules registered, for reads that answer
   * API calls: the ticket and, say, its SLA state arrive in one round trip.
   */
  private selectWithViews(): string {
    const extra = this.extensions
      .viewColumns()
      .map(([field, sql]) => {
        if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(field)) throw new Error(`Invalid ticket view field name: ${field}`);
        return `,\n         (${sql}) AS "${VIEW_PREFIX}${field}"`;
      })
      .join('');
    return `${COLUMNS}${extra} FROM tickets t ${JOINS}`;
  }

  /**
   * One ticket by id or number. `views` adds the view columns (API reads, outside a transaction
   * that changes the ticket); `lock` takes it FOR UPDATE.
   */
  async find(ref: TicketRef, opts: { q?: Queryable; lock?: boolean; views?: boolean } = {}): Promise<TicketRecord | null> {
    const select = opts.views ? this.selectWithViews() : SELECT;
    const [column, value] = 'id' in ref ? ['t.id', ref.id] : ['t.number', ref.number];
    const rows = await (opts.q ?? this.db).query(`${select} WHERE ${column} = $1${opts.lock ? ' FOR UPDATE OF t' : ''}`, [value]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  findById(id: string, q: Queryable = this.db, lock = false): Promise<TicketRecord | null> {
    return this.find({ id }, { q, lock });
  }

  async findIdByNumber(number: number): Promise<string | null> {
    const rows = await this.db.query(`SELECT id FROM tickets WHERE number = $1`, [number]);
    return rows[0]?.id ?? null;
  }

  /**
   * Inserts a ticket and its `created` activity entry, and reads it back with its people and
   * project: one round trip (the activity insert is a data-modifying CTE, run whether or not read).
   */
  async insert(
    q: Queryable,
    t: { title: string; description: string; priority: TicketPriority; status: TicketStatus; assigneeId: string | null; requesterId: string | null; projectId: string | null; createdById: string | null },
    activity: { actorId: string | null; actorName: string; origin: string },
  ): Promise<TicketRecord> {
    const rows = await q.query(
      `WITH t AS (
         INSERT INTO tickets (title, description, priority, status, assignee_id, requester_id, project_id, created_by_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *),
       created AS (
         INSERT INTO ticket_activity (ticket_id, actor_id, actor_name, origin, action, to_value)
         SELECT t.id, $9, $10, $11, 'created', $12 || t.number FROM t)
       ${FROM_T}`,
      [t.title, t.description, t.priority, t.status, t.assigneeId, t.requesterId, t.projectId, t.createdById, activity.actorId, activity.actorName, activity.origin, TICKET_NUMBER_PREFIX],
    );
    return toRecord(rows[0]);
  }

  /** Applies column changes, bumps the version and `updated_at`; returns the updated ticket. */
  async update(q: Queryable, id: string, columns: Record<string, unknown>): Promise<TicketRecord> {
    const keys = Object.keys(columns);
    const sets = keys.map((k, i) => `${k} = $${i + 2}`);
    const rows = await q.query(
      `WITH t AS (
         UPDATE tickets SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING *)
       ${FROM_T}`,
      [id, ...keys.map((k) => columns[k])],
    );
    return toRecord(rows[0]);
  }

  async list(filter: TicketFilter, sort: TicketSortKey, descending: boolean, limit: number, after?: unknown[]) {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown) => `$${params.push(v)}`;
    if (filter.status?.length) where.push(`t.status = ANY(${param(filter.status)})`);
    if (filter.priority?.length) where.push(`t.priority = ANY(${param(filter.priority)})`);
    if (filter.assigneeId === null) where.push(`t.assignee_id IS NULL`);
    else if (filter.assigneeId) where.push(`t.assignee_id = ${param(filter.assigneeId)}`);
    if (filter.requesterId) where.push(`t.requester_id = ${param(filter.requesterId)}`);
    if (filter.projectId) where.push(`t.project_id = ${param(filter.projectId)}`);
    if (filter.titleContains) {
      const escaped = filter.titleContains.replace(/[\\%_]/g, (c) => `\\${c}`);
      where.push(`t.title ILIKE ${param(`%${escaped}%`)}`);
    }
    const columns = SORT_COLUMNS[sort];
    if (after) {
      const op = descending ? '<' : '>';
      where.push(`(${columns.join(', ')}) ${op} (${after.map((v) => param(v)).join(', ')})`);
    }
    const dir = descending ? 'DESC' : 'ASC';
    const sql = `${this.selectWithViews()} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${columns.map((c) => `${c} ${dir}`).join(', ')} LIMIT ${param(limit + 1)}`;
    const rows = await this.db.query(sql, params);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return rows.map((row: any) => ({ record: toRecord(row), sortValues: sortValues(sort, row) }));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function sortValues(sort: TicketSortKey, row: any): unknown[] {
  switch (sort) {
    case 'createdAt':
      return [row.created_at.toISOString(), row.id];
    case 'updatedAt':
      return [row.updated_at.toISOString(), row.id];
    case 'priority':
      return [row.priority_rank, row.created_at.toISOString(), row.id];
    case 'number':
      return [row.number];
  }
}
