import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { WebClient } from '@slack/web-api';
import { DataSource } from 'typeorm';
import { SlackSettings } from '../config/slack-settings';
import { SlackClientFactory } from '../slack-client/slack-client.factory';
import { classifySlackError } from '../slack-client/slack-errors';
import { TokenCipher } from './token-cipher';

export interface SlackInstallation {
  teamId: string;
  teamName: string | null;
  botUserId: string | null;
  botId: string | null;
  appId: string | null;
  source: 'env' | 'oauth';
  active: boolean;
  lastError: string | null;
  lastErrorAt: Date | null;
  disabledReason: string | null;
}

interface Row {
  team_id: string;
  team_name: string | null;
  bot_user_id: string | null;
  bot_id: string | null;
  app_id: string | null;
  source: 'env' | 'oauth';
  active: boolean;
  last_error: string | null;
  last_error_at: Date | null;
  disabled_reason: string | null;
  bot_token_encrypted: string | null;
}

const toInstallation = (r: Row): SlackInstallation => ({
  teamId: r.team_id,
  teamName: r.team_name,
  botUserId: r.bot_user_id,
  botId: r.bot_id,
  appId: r.app_id,
  source: r.source,
  active: r.active,
  lastError: r.last_error,
  lastErrorAt: r.last_error_at,
  disabledReason: r.disabled_reason,
});

/**
 * Workspaces the app is installed in: the one from SLACK_BOT_TOKEN (identified with auth.test) and
 * any installed through OAuth (tokens encrypted at rest). Hands out one WebClient per workspace.
 */
@Injectable()
export class SlackInstallationsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('SlackInstallations');
  private readonly cipher?: TokenCipher;
  private envTeam?: Promise<string>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly settings: SlackSettings,
    private readonly clients: SlackClientFactory,
  ) {
    if (settings.ENCRYPTION_KEY) this.cipher = new TokenCipher(settings.ENCRYPTION_KEY);
  }

  /** Identify the env workspace at start, without blocking start-up when Slack is unreachable. */
  onApplicationBootstrap(): void {
    if (this.settings.enabled && this.settings.SLACK_BOT_TOKEN) {
      this.envTeamId().catch((err) => this.logger.warn(`could not identify the Slack workspace yet: ${classifySlackError(err).message}`));
    }
  }

  /** Team id of the SLACK_BOT_TOKEN workspace (auth.test, remembered once it succeeds). */
  envTeamId(): Promise<string> {
    if (!this.settings.SLACK_BOT_TOKEN) return Promise.reject(new Error('SLACK_BOT_TOKEN is not set'));
    if (!this.envTeam) {
      this.envTeam = this.identifyEnvWorkspace().catch((err) => {
        this.envTeam = undefined;
        throw err;
      });
    }
    return this.envTeam;
  }

  private async identifyEnvWorkspace(): Promise<string> {
    const auth = await this.clients.forToken(this.settings.SLACK_BOT_TOKEN!).auth.test();
    const teamId = auth.team_id!;
    await this.db.query(
      `INSERT INTO slack_installations (team_id, team_name, bot_user_id, bot_id, source, active)
       VALUES ($1, $2, $3, $4, 'env', true)
       ON CONFLICT (team_id) DO UPDATE SET team_name = EXCLUDED.team_name, bot_user_id = EXCLUDED.bot_user_id,
         bot_id = EXCLUDED.bot_id, source = 'env', active = true, disabled_at = NULL, disabled_reason = NULL, updated_at = now()`,
      [teamId, auth.team ?? null, auth.user_id ?? null, auth.bot_id ?? null],
    );
    return teamId;
  }

  /** The workspace used when a route names none: the env one, else the only OAuth installation. */
  async defaultTeamId(): Promise<string | null> {
    if (this.settings.SLACK_BOT_TOKEN) return this.envTeamId();
    const rows: { team_id: string }[] = await this.db.query(`SELECT team_id FROM slack_installations WHERE active ORDER BY created_at LIMIT 2`);
    return rows.length === 1 ? rows[0].team_id : null;
  }

  async get(teamId: string): Promise<SlackInstallation | null> {
    const rows: Row[] = await this.db.query(`SELECT * FROM slack_installations WHERE team_id = $1`, [teamId]);
    return rows.length ? toInstallation(rows[0]) : null;
  }

  async list(): Promise<SlackInstallation[]> {
    const rows: Row[] = await this.db.query(`SELECT * FROM slack_installations ORDER BY created_at`);
    return rows.map(toInstallation);
  }

  /** A client for an active workspace, or null when it is unknown or disabled. */
  async client(teamId: string): Promise<{ client: WebClient; installation: SlackInstallation } | null> {
    const rows: Row[] = await this.db.query(`SELECT * FROM slack_installations WHERE team_id = $1 AND active`, [teamId]);
    if (!rows.length) return null;
    const row = rows[0];
    const token = row.source === 'env' ? this.settings.SLACK_BOT_TOKEN : row.bot_token_encrypted && this.cipher?.decrypt(row.bot_token_encrypted);
    if (!token) return null;
    return { client: this.clients.forToken(token), installation: toInstallation(row) };
  }

  async saveOAuthInstallation(i: {
    teamId: string;
    teamName: string | null;
    enterpriseId: string | null;
    appId: string | null;
    botUserId: string | null;
    botId: string | null;
    botToken: string;
    scopes: string | null;
    installedBy: string | null;
  }): Promise<void> {
    if (!this.cipher) throw new Error('ENCRYPTION_KEY is required to store OAuth installations');
    await this.db.query(
      `INSERT INTO slack_installations (team_id, team_name, enterprise_id, app_id, bot_user_id, bot_id, bot_token_encrypted, source, scopes, installed_by, active)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'oauth', $8, $9, true)
       ON CONFLICT (team_id) DO UPDATE SET team_name = EXCLUDED.team_name, enterprise_id = EXCLUDED.enterprise_id,
         app_id = EXCLUDED.app_id, bot_user_id = EXCLUDED.bot_user_id, bot_id = EXCLUDED.bot_id,
         bot_token_encrypted = EXCLUDED.bot_token_encrypted, source = 'oauth', scopes = EXCLUDED.scopes,
         installed_by = EXCLUDED.installed_by, active = true, disabled_at = NULL, disabled_reason = NULL,
         last_error = NULL, last_error_at = NULL, updated_at = now()`,
      [i.teamId, i.teamName, i.enterpriseId, i.appId, i.botUserId, i.botId, this.cipher.encrypt(i.botToken), i.scopes, i.installedBy],
    );
  }

  /** Stops using a workspace (uninstalled, tokens revoked, or its token no longer works). */
  async disable(teamId: string, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE slack_installations SET active = false, disabled_at = now(), disabled_reason = $2, updated_at = now() WHERE team_id = $1`,
      [teamId, reason],
    );
  }

  async recordError(teamId: string, message: string): Promise<void> {
    await this.db.query(`UPDATE slack_installations SET last_error = $2, last_error_at = now() WHERE team_id = $1`, [teamId, message.slice(0, 1000)]);
  }
}
