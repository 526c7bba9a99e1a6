import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface ThreadRow {
  id: string;
  ticketId: string;
  teamId: string;
  channelId: string;
  /** null while the root message is being posted (the claim), or after a crash mid-post. */
  rootTs: string | null;
  agentsOnly: boolean;
  /** How long ago the row was claimed. */
  claimAgeMs: number;
}

export interface MessageRow {
  id: string;
  commentId: string;
  teamId: string;
  channelId: string;
  ts: string | null;
  threadTs: string;
  claimAgeMs: number;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const toThread = (r: any): ThreadRow => ({
  id: r.id,
  ticketId: r.ticket_id,
  teamId: r.team_id,
  channelId: r.channel_id,
  rootTs: r.root_ts,
  agentsOnly: r.agents_only,
  claimAgeMs: Number(r.claim_age_ms),
});
const toMessage = (r: any): MessageRow => ({
  id: r.id,
  commentId: r.comment_id,
  teamId: r.team_id,
  channelId: r.channel_id,
  ts: r.ts,
  threadTs: r.thread_ts,
  claimAgeMs: Number(r.claim_age_ms),
});
/* eslint-enable @typescript-eslint/no-explicit-any */

const AGE = `GREATEST(0, EXTRACT(EPOCH FROM (now() - created_at)) * 1000)::bigint AS claim_age_ms`;

/**
 * The outbound side's links between tickets and Slack: one root message per (ticket, workspace,
 * channel) and one reply per (comment, workspace, channel). Each is claimed with
 * `INSERT ... ON CONFLICT DO NOTHING` before posting, so concurrent deliveries cannot both post;
 * the ts is filled in after Slack answers. Single statements, no transaction held across a call.
 */
@Injectable()
export class SlackThreadsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async findThread(ticketId: string, teamId: string, channelId: string): Promise<ThreadRow | null> {
    const rows = await this.db.query(`SELECT *, ${AGE} FROM slack_threads WHERE ticket_id = $1 AND team_id = $2 AND channel_id = $3`, [ticketId, teamId, channelId]);
    return rows.length ? toThread(rows[0]) : null;
  }

  /** Claims the (ticket, team, channel) root; `claimed` is true only for the caller that inserted the row. */
  async claimThread(ticketId: string, teamId: string, channelId: string, agentsOnly: boolean): Promise<{ row: ThreadRow; claimed: boolean }> {
    const rows = await this.db.query(
      `WITH ins AS (
         INSERT INTO slack_threads (ticket_id, team_id, channel_id, agents_only) VALUES ($1, $2, $3, $4)
         ON CONFLICT (ticket_id, team_id, channel_id) DO NOTHING RETURNING *
       )
       SELECT *, true AS claimed, 0::bigint AS claim_age_ms FROM ins
       UNION ALL
       SELECT *, false, ${AGE} FROM slack_threads WHERE ticket_id = $1 AND team_id = $2 AND channel_id = $3`,
      [ticketId, teamId, channelId, agentsOnly],
    );
    // Within one statement the CTE's insert is invisible to the plain SELECT: one row either way
    // (none when a concurrent claim committed after this statement's snapshot: read it again).
    const row = rows.find((r: { claimed: boolean }) => r.claimed) ?? rows[0];
    if (!row) return { row: (await this.findThread(ticketId, teamId, channelId))!, claimed: false };
    return { row: toThread(row), claimed: !!row.claimed };
  }

  /** Takes over a stale claim (its poster crashed or timed out); false when someone else did first. */
  async reclaimThread(id: string, olderThanMs: number): Promise<boolean> {
    const rows = await this.db.query(
      `WITH re AS (UPDATE slack_threads SET created_at = now()
                    WHERE id = $1 AND root_ts IS NULL AND created_at <= now() - $2::int * interval '1 millisecond' RETURNING id)
       SELECT id FROM re`,
      [id, Math.round(olderThanMs)],
    );
    return rows.length > 0;
  }

  /** Gives up a claim whose post certainly failed, so the next attempt claims afresh. */
  async releaseThread(id: string): Promise<void> {
    await this.db.query(`DELETE FROM slack_threads WHERE id = $1 AND root_ts IS NULL`, [id]);
  }

  async setRootTs(id: string, ts: string): Promise<void> {
    await this.db.query(`UPDATE slack_threads SET root_ts = $2, last_activity_at = now() WHERE id = $1 AND root_ts IS NULL`, [id, ts]);
  }

  /** Marks a thread active (the inbound reconciler looks at recently active threads). */
  async touch(teamId: string, channelId: string, rootTs: string): Promise<void> {
    await this.db.query(`UPDATE slack_threads SET last_activity_at = now() WHERE team_id = $1 AND channel_id = $2 AND root_ts = $3`, [teamId, channelId, rootTs]);
  }

  async findMessage(commentId: string, teamId: string, channelId: string): Promise<MessageRow | null> {
    const rows = await this.db.query(`SELECT *, ${AGE} FROM slack_messages WHERE comment_id = $1 AND team_id = $2 AND channel_id = $3`, [commentId, teamId, channelId]);
    return rows.length ? toMessage(rows[0]) : null;
  }

  async claimMessage(commentId: string, teamId: string, channelId: string, threadTs: string): Promise<{ row: MessageRow; claimed: boolean }> {
    const rows = await this.db.query(
      `WITH ins AS (
         INSERT INTO slack_messages (comment_id, team_id, channel_id, thread_ts) VALUES ($1, $2, $3, $4)
         ON CONFLICT (comment_id, team_id, channel_id) DO NOTHING RETURNING *
       )
       SELECT *, true AS claimed, 0::bigint AS claim_age_ms FROM ins
       UNION ALL
       SELECT *, false, ${AGE} FROM slack_messages WHERE comment_id = $1 AND team_id = $2 AND channel_id = $3`,
      [commentId, teamId, channelId, threadTs],
    );
    const row = rows.find((r: { claimed: boolean }) => r.claimed) ?? rows[0];
    if (!row) return { row: (await this.findMessage(commentId, teamId, channelId))!, claimed: false };
    return { row: toMessage(row), claimed: !!row.claimed };
  }

  async reclaimMessage(id: string, olderThanMs: number): Promise<boolean> {
    const rows = await this.db.query(
      `WITH re AS (UPDATE slack_messages SET created_at = now()
                    WHERE id = $1 AND ts IS NULL AND created_at <= now() - $2::int * interval '1 millisecond' RETURNING id)
       SELECT id FROM re`,
      [id, Math.round(olderThanMs)],
    );
    return rows.length > 0;
  }

  async releaseMessage(id: string): Promise<void> {
    await this.db.query(`DELETE FROM slack_messages WHERE id = $1 AND ts IS NULL`, [id]);
  }

  /** Records a posted reply's ts and marks its thread active, in one statement. */
  async setMessageTs(id: string, ts: string): Promise<void> {
    await this.db.query(
      `WITH m AS (UPDATE slack_messages SET ts = $2 WHERE id = $1 AND ts IS NULL RETURNING team_id, channel_id, thread_ts)
       UPDATE slack_threads t SET last_activity_at = now() FROM m
        WHERE t.team_id = m.team_id AND t.channel_id = m.channel_id AND t.root_ts = m.thread_ts`,
      [id, ts],
    );
  }

  async deleteMessage(id: string): Promise<void> {
    await this.db.query(`DELETE FROM slack_messages WHERE id = $1`, [id]);
  }
}
