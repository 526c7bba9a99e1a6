import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Origin } from '../../../events/event-catalogue';
import { OutboxService, PendingEvent } from '../../../outbox/outbox.service';

export interface LinkedThread {
  ticketId: string;
  teamId: string;
  channelId: string;
  rootTs: string;
}

/**
 * The origin of a change typed in Slack. `ts` is set only for things that exist as a Slack message
 * (a thread reply, a reacted-to message): the outbound side must not post those again. `rootTs`
 * on a ticket.created origin asks for that message's thread to become the ticket's thread.
 */
export function slackOrigin(ref: { team: string; channel?: string; ts?: string; threadTs?: string; rootTs?: string; via: string }): Origin {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(ref)) if (typeof v === 'string') clean[k] = v;
  return { channel: 'slack', ref: clean };
}

/**
 * slack_threads / slack_messages as the inbound side reads and writes them.
 *
 * The links are written by a transactional outbox listener, i.e. in the same transaction as the
 * ticket or comment: by the time the outbound Slack channel sees `ticket.created` for a ticket made
 * from a Slack message, its thread link exists (so no second root message is posted), and by the time
 * it sees `comment.created` for a reply typed in Slack, the reply's slack_messages row exists (so it
 * is not echoed back into the thread). There is no window in between.
 */
@Injectable()
export class InboundThreadsRepository implements OnModuleInit {
  /** (team:channel:root_ts) -> ticket id; links never change, so a positive answer is cached. */
  private readonly cache = new Map<string, string>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  onModuleInit(): void {
    this.outbox.registerTransactionalListener((m, event) => this.linkInTransaction(m, event));
  }

  private async linkInTransaction(m: EntityManager, event: PendingEvent): Promise<void> {
    const { origin } = event.context;
    if (origin.channel !== 'slack' || !origin.ref?.team || !origin.ref.channel) return;
    const { team, channel, ts, threadTs, rootTs } = origin.ref;
    if (event.type === 'ticket.created' && rootTs) {
      // No ON CONFLICT: a thread already linked to another ticket aborts this ticket's creation
      // (two people reacting at once on two processes), and the caller reports the existing ticket.
      await m.query(`INSERT INTO slack_threads (ticket_id, team_id, channel_id, root_ts) VALUES ($1, $2, $3, $4)`, [
        event.aggregateId,
        team,
        channel,
        rootTs,
      ]);
    } else if (event.type === 'comment.created' && ts && threadTs) {
      const { comment } = event.payload as PendingEvent<'comment.created'>['payload'];
      await m.query(
        `INSERT INTO slack_messages (comment_id, team_id, channel_id, ts, thread_ts) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [comment.id, team, channel, ts, threadTs],
      );
      await m.query(`UPDATE slack_threads SET last_activity_at = now() WHERE team_id = $1 AND channel_id = $2 AND root_ts = $3`, [team, channel, threadTs]);
    }
  }

  async findTicket(teamId: string, channelId: string, rootTs: string): Promise<string | null> {
    const key = `${teamId}:${channelId}:${rootTs}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const rows = await this.db.query(`SELECT ticket_id FROM slack_threads WHERE team_id = $1 AND channel_id = $2 AND root_ts = $3`, [teamId, channelId, rootTs]);
    const ticketId: string | null = rows[0]?.ticket_id ?? null;
    if (ticketId) {
      if (this.cache.size > 50_000) this.cache.clear();
      this.cache.set(key, ticketId);
    }
    return ticketId;
  }

  /** Linked threads of active workspaces, most recently active first; `since` limits to recent activity. */
  async list(since?: Date, teamId?: string): Promise<LinkedThread[]> {
    const rows = await this.db.query(
      `SELECT t.ticket_id, t.team_id, t.channel_id, t.root_ts
         FROM slack_threads t JOIN slack_installations i ON i.team_id = t.team_id AND i.active
        WHERE t.root_ts IS NOT NULL AND ($1::timestamptz IS NULL OR t.last_activity_at >= $1::timestamptz)
          AND ($2::varchar IS NULL OR t.team_id = $2::varchar)
        ORDER BY t.last_activity_at DESC`,
      [since ?? null, teamId ?? null],
    );
    return rows.map((r: { ticket_id: string; team_id: string; channel_id: string; root_ts: string }) => ({
      ticketId: r.ticket_id,
      teamId: r.team_id,
      channelId: r.channel_id,
      rootTs: r.root_ts,
    }));
  }

  /** Comments that came from Slack replies in a thread (and are not deleted), by message ts. */
  async slackComments(thread: LinkedThread): Promise<Map<string, { commentId: string; body: string }>> {
    const prefix = `slack:${thread.teamId}:${thread.channelId}:`;
    const rows = await this.db.query(
      `SELECT c.id, c.body, c.external_ref FROM comments c
         JOIN slack_messages m ON m.comment_id = c.id
        WHERE m.team_id = $1 AND m.channel_id = $2 AND m.thread_ts = $3
          AND c.source = 'slack' AND c.deleted_at IS NULL AND c.external_ref LIKE $4`,
      [thread.teamId, thread.channelId, thread.rootTs, `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`],
    );
    const out = new Map<string, { commentId: string; body: string }>();
    for (const r of rows as { id: string; body: string; external_ref: string }[]) out.set(r.external_ref.slice(prefix.length), { commentId: r.id, body: r.body });
    return out;
  }

  /** The Slack user id linked to an account in a workspace, if any. */
  async slackUserIdOf(teamId: string, userId: string): Promise<string | null> {
    const rows = await this.db.query(`SELECT slack_user_id FROM slack_user_links WHERE team_id = $1 AND user_id = $2 LIMIT 1`, [teamId, userId]);
    return rows[0]?.slack_user_id ?? null;
  }

  /** Claims an event id; false when it was seen before (the durable half of the deduplication). */
  async claimEvent(eventId: string, teamId: string): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO slack_event_receipts (event_id, team_id) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [eventId, teamId],
    );
    return rows.length === 1;
  }

  async releaseEvent(eventId: string): Promise<void> {
    await this.db.query(`DELETE FROM slack_event_receipts WHERE event_id = $1`, [eventId]);
  }

  async expireReceipts(olderThanMs: number): Promise<number> {
    const rows = await this.db.query(
      `WITH gone AS (DELETE FROM slack_event_receipts WHERE received_at < now() - ($1::bigint * interval '1 millisecond') RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [olderThanMs],
    );
    return rows[0]?.n ?? 0;
  }
}
