import { Controller, Get, Logger, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { Public } from '../../../identity/principal';
import { SlackSettings } from '../config/slack-settings';
import { SlackInstallationsService } from '../installations/slack-installations.service';
import { SlackClientFactory } from '../slack-client/slack-client.factory';
import { classifySlackError } from '../slack-client/slack-errors';

const STATE_TTL_MS = 10 * 60 * 1000;

/**
 * OAuth v2 install flow for many workspaces. The `state` is a random single-use value kept in the
 * database (not a cookie), so any API process can finish a flow another one started, and a state
 * can never be replayed. (@slack/oauth's InstallProvider keeps state in a signed cookie and stores
 * installations through its own store interface; with our own table, encryption and
 * single-use state it added more adapter code than it saved.)
 */
@ApiExcludeController()
@Public()
@Controller('slack/oauth')
export class SlackOAuthController {
  private readonly logger = new Logger('SlackOAuth');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly settings: SlackSettings,
    private readonly config: AppConfig,
    private readonly installations: SlackInstallationsService,
    private readonly clients: SlackClientFactory,
  ) {}

  private get redirectUri() {
    return `${this.config.APP_BASE_URL.replace(/\/$/, '')}/slack/oauth/callback`;
  }

  @Get('install')
  async install(@Res() res: FastifyReply) {
    if (!this.settings.oauthEnabled) {
      return res.status(404).send({ statusCode: 404, error: 'Not Found', message: 'Slack OAuth is not configured (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, ENCRYPTION_KEY)' });
    }
    const state = randomBytes(24).toString('base64url');
    await this.db.query(`DELETE FROM slack_oauth_states WHERE expires_at < now()`);
    await this.db.query(`INSERT INTO slack_oauth_states (state, expires_at) VALUES ($1, $2)`, [state, new Date(Date.now() + STATE_TTL_MS)]);
    const url = new URL(this.settings.SLACK_OAUTH_AUTHORIZE_URL);
    url.searchParams.set('client_id', this.settings.SLACK_CLIENT_ID!);
    url.searchParams.set('scope', this.settings.SLACK_BOT_SCOPES);
    url.searchParams.set('state', state);
    url.searchParams.set('redirect_uri', this.redirectUri);
    return res.redirect(url.toString(), 302);
  }

  @Get('callback')
  async callback(@Query() query: Record<string, unknown>, @Res() res: FastifyReply) {
    const page = (status: number, title: string, detail: string) =>
      res.status(status).type('text/html; charset=utf-8').send(`<!doctype html><title>${title}</title><h1>${title}</h1><p>${detail}</p>`);
    if (!this.settings.oauthEnabled) return page(404, 'Slack OAuth is not configured', 'Ask an administrator to set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and ENCRYPTION_KEY.');
    const code = typeof query.code === 'string' ? query.code : undefined;
    const state = typeof query.state === 'string' ? query.state : undefined;
    if (typeof query.error === 'string') return page(400, 'Installation cancelled', 'Slack reported that the installation was not approved.');
    if (!code || !state || code.length > 500 || state.length > 64) return page(400, 'Invalid installation link', 'The link is missing its code or state. Start again from the install page.');
    // Single use: the state is consumed atomically, so a replayed or forged callback fails here.
    const consumed = await this.db.query(
      `WITH used AS (UPDATE slack_oauth_states SET used_at = now() WHERE state = $1 AND used_at IS NULL AND expires_at > now() RETURNING state)
       SELECT state FROM used`,
      [state],
    );
    if (!consumed.length) return page(400, 'Installation link expired', 'This installation link was already used or has expired. Start again from the install page.');
    try {
      const access = await this.clients.anonymous().oauth.v2.access({
        client_id: this.settings.SLACK_CLIENT_ID!,
        client_secret: this.settings.SLACK_CLIENT_SECRET!,
        code,
        redirect_uri: this.redirectUri,
      });
      if (!access.access_token || !access.team?.id) return page(502, 'Installation failed', 'Slack did not return a bot token.');
      await this.installations.saveOAuthInstallation({
        teamId: access.team.id,
        teamName: access.team.name ?? null,
        enterpriseId: access.enterprise?.id ?? null,
        appId: access.app_id ?? null,
        botUserId: access.bot_user_id ?? null,
        botId: null,
        botToken: access.access_token,
        scopes: access.scope ?? null,
        installedBy: access.authed_user?.id ?? null,
      });
      this.logger.log({ teamId: access.team.id }, 'Slack workspace installed');
      return page(200, 'Threadline is installed', `Threadline is now installed in ${escapeHtml(access.team.name ?? access.team.id)}. You can close this page.`);
    } catch (err) {
      const c = classifySlackError(err);
      this.logger.warn({ code: c.code }, 'Slack OAuth exchange failed');
      return page(c.code === 'invalid_code' ? 400 : 502, 'Installation failed', `Slack refused the installation (${escapeHtml(c.code)}). Start again from the install page.`);
    }
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
