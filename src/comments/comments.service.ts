import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { decodeCursor, encodeCursor, Page } from '../common/cursor';
import { badRequest, fieldError, forbidden, notFound } from '../common/errors';
import { requireUuid } from '../common/uuid';
import { ChangeContext, CommentVisibility, TicketSnapshot } from '../events/event-catalogue';
import { OutboxService } from '../outbox/outbox.service';
import { TicketsService } from '../tickets/tickets.service';
import { CommentRecord, CommentsRepository } from './comments.repository';

export interface NewCommentInput {
  body: string;
  visibility?: CommentVisibility;
  /** The account that wrote it; null when written by someone without one (e.g. from Slack). */
  authorId: string | null;
  /** Display name and source identity of an author without an account. */
  externalAuthor?: { name: string; id: string };
  /** Where it was written (`api`, `slack`, ...). */
  source: string;
  /** A unique reference in the source system; a second create with the same one is absorbed. */
  externalRef?: string;
}

/** Who may edit or delete a comment: its author, or an admin. */
export interface CommentEditor {
  userId: string | null;
  isAdmin: boolean;
}

/**
 * Comments on tickets, from any channel. Creation is idempotent per external reference, so a
 * channel that sees the same message twice (retries, reconciliation) stores it once.
 */
@Injectable()
export class CommentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly comments: CommentsRepository,
    private readonly tickets: TicketsService,
    private readonly outbox: OutboxService,
  ) {}

  async create(ticketIdOrNumber: string, input: NewCommentInput, ctx: ChangeContext): Promise<{ comment: CommentRecord; created: boolean }> {
    const result = await this.db.transaction(async (m) => {
      // Reading the ticket first resolves a number like TKT-12 and gives the event its snapshot.
      const ticket = await this.tickets.snapshotOf(ticketIdOrNumber, m);
      const comment = await this.comments.insert(m, {
        ticketId: ticket.id,
        authorId: input.authorId,
        externalAuthorName: input.externalAuthor?.name ?? null,
        externalAuthorId: input.externalAuthor?.id ?? null,
        body: input.body,
        visibility: input.visibility ?? 'public',
        source: input.source,
        externalRef: input.externalRef ?? null,
      });
      if (!comment) {
        const existing = (await this.comments.findByExternalRef(input.externalRef!, m))!;
        return { comment: existing, created: false };
      }
      await this.emit(m, 'comment.created', comment, ctx, ticket);
      return { comment, created: true };
    });
    if (result.created) this.outbox.notifyCommitted();
    return result;
  }

  async list(ticketIdOrNumber: string, limit: number, includeDeleted: boolean, cursor?: string): Promise<Page<CommentRecord>> {
    const ticketId = await this.tickets.resolveId(ticketIdOrNumber);
    const after = cursor ? (decodeCursor(cursor, 2) as [string, string]) : undefined;
    if (after && (typeof after[0] !== 'string' || isNaN(Date.parse(after[0])) || typeof after[1] !== 'string')) {
      throw fieldError('cursor', 'cursor is not a valid cursor');
    }
    const rows = await this.comments.list(ticketId, limit + 1, includeDeleted, after);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit ? encodeCursor([last.createdAt, last.id]) : null };
  }

  async get(ticketIdOrNumber: string, commentId: string): Promise<CommentRecord> {
    const ticketId = await this.tickets.resolveId(ticketIdOrNumber);
    const comment = await this.comments.findById(requireUuid(commentId, 'commentId'));
    if (!comment || comment.ticketId !== ticketId) throw notFound('Comment', commentId);
    return comment;
  }

  findByExternalRef(ref: string): Promise<CommentRecord | null> {
    return this.comments.findByExternalRef(ref);
  }

  async update(
    ticketIdOrNumber: string,
    commentId: string,
    change: { body?: string; visibility?: CommentVisibility },
    editor: CommentEditor,
    ctx: ChangeContext,
  ): Promise<CommentRecord> {
    if (change.body === undefined && change.visibility === undefined) throw badRequest('Nothing to change: give body or visibility');
    const target = await this.get(ticketIdOrNumber, commentId);
    return this.updateLocked(target.id, change, editor, ctx);
  }

  /** Edits a comment found by its external reference (an edit made in the source system). */
  async updateByExternalRef(ref: string, body: string, ctx: ChangeContext): Promise<CommentRecord | null> {
    const target = await this.comments.findByExternalRef(ref);
    if (!target || target.deletedAt || target.body === body) return target;
    return this.updateLocked(target.id, { body }, { userId: null, isAdmin: true }, ctx);
  }

  async delete(ticketIdOrNumber: string, commentId: string, editor: CommentEditor, ctx: ChangeContext): Promise<void> {
    const target = await this.get(ticketIdOrNumber, commentId);
    await this.deleteLocked(target.id, editor, ctx);
  }

  async deleteByExternalRef(ref: string, ctx: ChangeContext): Promise<boolean> {
    const target = await this.comments.findByExternalRef(ref);
    if (!target || target.deletedAt) return false;
    await this.deleteLocked(target.id, { userId: null, isAdmin: true }, ctx);
    return true;
  }

  /** Attributes comments stored under an external identity to the account it was linked to. */
  async attributeExternalAuthor(externalAuthorId: string, userId: string): Promise<number> {
    return (await this.comments.attributeExternal(this.db.manager, externalAuthorId, userId)).length;
  }

  private async updateLocked(id: string, change: { body?: string; visibility?: CommentVisibility }, editor: CommentEditor, ctx: ChangeContext) {
    const updated = await this.db.transaction(async (m) => {
      const current = await this.comments.findById(id, m, true);
      if (!current || current.deletedAt) throw notFound('Comment', id);
      this.assertMayEdit(current, editor);
      await this.comments.update(m, id, change.body ?? current.body, change.visibility ?? current.visibility);
      const comment = (await this.comments.findById(id, m))!;
      await this.emit(m, 'comment.updated', comment, ctx);
      return comment;
    });
    this.outbox.notifyCommitted();
    return updated;
  }

  private async deleteLocked(id: string, editor: CommentEditor, ctx: ChangeContext) {
    await this.db.transaction(async (m) => {
      const current = await this.comments.findById(id, m, true);
      if (!current || current.deletedAt) throw notFound('Comment', id);
      this.assertMayEdit(current, editor);
      await this.comments.softDelete(m, id);
      await this.emit(m, 'comment.deleted', (await this.comments.findById(id, m))!, ctx);
    });
    this.outbox.notifyCommitted();
  }

  private assertMayEdit(comment: CommentRecord, editor: CommentEditor) {
    if (editor.isAdmin) return;
    if (!editor.userId || comment.author.id !== editor.userId) throw forbidden('Only the author of a comment or an admin may change it');
  }

  private async emit(
    m: EntityManager,
    type: 'comment.created' | 'comment.updated' | 'comment.deleted',
    comment: CommentRecord,
    ctx: ChangeContext,
    ticketSnapshot?: TicketSnapshot,
  ) {
    const ticket = ticketSnapshot ?? (await this.tickets.snapshot(comment.ticketId, m));
    const { externalRef: _ref, editedAt: _edited, ...snapshot } = comment;
    await this.outbox.append(m, type, comment.ticketId, { ticket, comment: snapshot }, ctx);
  }
}
