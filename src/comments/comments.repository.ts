import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CommentSnapshot, CommentVisibility } from '../events/event-catalogue';

type Queryable = Pick<EntityManager, 'query'>;

export interface CommentRecord extends CommentSnapshot {
  editedAt: string | null;
  externalRef: string | null;
}

const COLUMNS = `
  SELECT c.id, c.ticket_id, c.body, c.visibility, c.source, c.external_ref, c.created_at, c.updated_at,
         c.edited_at, c.deleted_at, c.author_id, c.external_author_name, u.name AS u_name, u.email AS u_email`;
const SELECT = `${COLUMNS} FROM comments c LEFT JOIN users u ON u.id = c.author_id`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toRecord(r: any): CommentRecord {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    body: r.body,
    visibility: r.visibility,
    source: r.source,
    externalRef: r.external_ref,
    author: r.author_id
      ? { id: r.author_id, name: r.u_name, email: r.u_email, external: false }
      : { id: null, name: r.external_author_name ?? 'Unknown', email: null, external: true },
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    editedAt: r.edited_at?.toISOString() ?? null,
    deletedAt: r.deleted_at?.toISOString() ?? null,
  };
}

export interface NewComment {
  ticketId: string;
  authorId: string | null;
  externalAuthorName: string | null;
  /** The author's identity in the source system (e.g. `slack:T1:U1`) when they have no account. */
  externalAuthorId: string | null;
  body: string;
  visibility: CommentVisibility;
  source: string;
  externalRef: string | null;
}

@Injectable()
export class CommentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Inserts unless a comment with the same external reference exists (then null); one round trip. */
  async insert(q: Queryable, c: NewComment): Promise<CommentRecord | null> {
    const rows = await q.query(
      `WITH c AS (
         INSERT INTO comments (ticket_id, author_id, external_author_name, external_author_id, body, visibility, source, external_ref)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (external_ref) DO NOTHING RETURNING *)
       ${COLUMNS} FROM c LEFT JOIN users u ON u.id = c.author_id`,
      [c.ticketId, c.authorId, c.externalAuthorName, c.externalAuthorId, c.body, c.visibility, c.source, c.externalRef],
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  async findById(id: string, q: Queryable = this.db, lock = false): Promise<CommentRecord | null> {
    const rows = await q.query(`${SELECT} WHERE c.id = $1${lock ? ' FOR UPDATE OF c' : ''}`, [id]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  async findByExternalRef(ref: string, q: Queryable = this.db, lock = false): Promise<CommentRecord | null> {
    const rows = await q.query(`${SELECT} WHERE c.external_ref = $1${lock ? ' FOR UPDATE OF c' : ''}`, [ref]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  async update(q: Queryable, id: string, body: string, visibility: CommentVisibility): Promise<void> {
    await q.query(
      `UPDATE comments SET body = $2, visibility = $3, edited_at = now(), updated_at = now() WHERE id = $1`,
      [id, body, visibility],
    );
  }

  async softDelete(q: Queryable, id: string): Promise<void> {
    await q.query(`UPDATE comments SET deleted_at = now(), updated_at = now() WHERE id = $1`, [id]);
  }

  async list(ticketId: string, limit: number, includeDeleted: boolean, after?: [string, string]): Promise<CommentRecord[]> {
    const rows = await this.db.query(
      `${SELECT} WHERE c.ticket_id = $1 ${includeDeleted ? '' : 'AND c.deleted_at IS NULL'}
         ${after ? 'AND (c.created_at, c.id) > ($3, $4)' : ''}
       ORDER BY c.created_at, c.id LIMIT $2`,
      after ? [ticketId, limit, after[0], after[1]] : [ticketId, limit],
    );
    return rows.map(toRecord);
  }

  /** Re-attributes comments stored under an external identity once that person links an account. */
  async attributeExternal(q: Queryable, externalAuthorId: string, userId: string): Promise<string[]> {
    const rows = await q.query(
      `WITH moved AS (UPDATE comments SET author_id = $2, updated_at = now()
        WHERE author_id IS NULL AND external_author_id = $1 RETURNING id) SELECT id FROM moved`,
      [externalAuthorId, userId],
    );
    return rows.map((r: { id: string }) => r.id);
  }
}
