import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { WebClient } from '@slack/web-api';
import { DataSource } from 'typeorm';
import { UsersService } from '../../../identity/users.service';
import { classifySlackError, slackErrorCode } from '../slack-client/slack-errors';

export interface SlackPerson {
  slackUserId: string;
  /** The linked account, when there is one. */
  userId: string | null;
  userName: string | null;
  role: 'admin' | 'agent' | null;
  /** The name Slack shows for them. */
  slackName: string;
  slackEmail: string | null;
}

/**
 * Who is who between Slack and Threadline, per workspace. A Slack user is linked to an account
 * explicitly (`/ticket link`, an admin) or by a matching email from their Slack profile; links are
 * remembered in slack_user_links so Slack is asked once per person, not once per message.
 */
@Injectable()
export class SlackUserDirectory {
  private readonly logger = new Logger('SlackUsers');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly users: UsersService,
  ) {}

  /** Resolves a Slack user to a person, linking by email on first sight (users.info). */
  async resolve(teamId: string, slackUserId: string, client: WebClient): Promise<SlackPerson> {
    const known = await this.findLink(teamId, slackUserId);
    if (known && (known.userId || known.slackName)) return known;
    let slackName = slackUserId;
    let slackEmail: string | null = null;
    try {
      const info = await client.users.info({ user: slackUserId });
      slackName = info.user?.profile?.display_name || info.user?.real_name || info.user?.name || slackUserId;
      slackEmail = info.user?.profile?.email ?? null;
    } catch (err) {
      this.logger.warn(`users.info failed for ${slackUserId}: ${classifySlackError(err).message}`);
      if (known) return known;
    }
    const account = slackEmail ? await this.users.findByEmail(slackEmail) : null;
    const userId = account?.active ? account.id : null;
    await this.db.query(
      `INSERT INTO slack_user_links (team_id, slack_user_id, user_id, slack_name, slack_email, linked_via)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (team_id, slack_user_id) DO UPDATE SET
         user_id = COALESCE(slack_user_links.user_id, EXCLUDED.user_id),
         linked_via = COALESCE(slack_user_links.linked_via, EXCLUDED.linked_via),
         slack_name = EXCLUDED.slack_name, slack_email = EXCLUDED.slack_email, updated_at = now()`,
      [teamId, slackUserId, userId, slackName, slackEmail, userId ? 'email' : null],
    );
    return (await this.findLink(teamId, slackUserId))!;
  }

  async findLink(teamId: string, slackUserId: string): Promise<SlackPerson | null> {
    const rows = await this.db.query(
      `SELECT l.slack_user_id, l.user_id, l.slack_name, l.slack_email, u.name AS user_name, u.role, u.active
         FROM slack_user_links l LEFT JOIN users u ON u.id = l.user_id
        WHERE l.team_id = $1 AND l.slack_user_id = $2`,
      [teamId, slackUserId],
    );
    if (!rows.length) return null;
    const r = rows[0];
    const linked = r.user_id && r.active;
    return {
      slackUserId: r.slack_user_id,
      userId: linked ? r.user_id : null,
      userName: linked ? r.user_name : null,
      role: linked ? r.role : null,
      slackName: r.slack_name ?? r.slack_user_id,
      slackEmail: r.slack_email,
    };
  }

  /** Links a Slack user to an account (explicitly, by the user or an admin). */
  async link(teamId: string, slackUserId: string, userId: string, via: 'command' | 'admin' | 'email'): Promise<void> {
    await this.db.query(
      `INSERT INTO slack_user_links (team_id, slack_user_id, user_id, linked_via) VALUES ($1, $2, $3, $4)
       ON CONFLICT (team_id, slack_user_id) DO UPDATE SET user_id = EXCLUDED.user_id, linked_via = EXCLUDED.linked_via, updated_at = now()`,
      [teamId, slackUserId, userId, via],
    );
  }

  /**
   * The Slack user id of an account in a workspace: from a link, else by email
   * (users.lookupByEmail), remembered once found. Null when they are not in that workspace.
   */
  async slackUserIdFor(teamId: string, user: { id: string; email: string }, client: WebClient): Promise<string | null> {
    const rows = await this.db.query(`SELECT slack_user_id FROM slack_user_links WHERE team_id = $1 AND user_id = $2 LIMIT 1`, [teamId, user.id]);
    if (rows.length) return rows[0].slack_user_id;
    try {
      const found = await client.users.lookupByEmail({ email: user.email });
      const slackUserId = found.user?.id;
      if (!slackUserId) return null;
      await this.db.query(
        `INSERT INTO slack_user_links (team_id, slack_user_id, user_id, slack_name, slack_email, linked_via)
         VALUES ($1, $2, $3, $4, $5, 'email')
         ON CONFLICT (team_id, slack_user_id) DO UPDATE SET user_id = COALESCE(slack_user_links.user_id, EXCLUDED.user_id), updated_at = now()`,
        [teamId, slackUserId, user.id, found.user?.real_name ?? found.user?.name ?? null, user.email],
      );
      return slackUserId;
    } catch (err) {
      if (slackErrorCode(err) === 'users_not_found') return null;
      throw err;
    }
  }
}
