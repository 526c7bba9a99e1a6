import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { WebClient } from '@slack/web-api';
import { DataSource } from 'typeorm';
import { ApiError, fieldError, notFound } from '../../../common/errors';
import type { EventType } from '../../../events/event-catalogue';
import { HEALTH_INDICATORS, HealthIndicatorRegistry } from '../../../health/health.controller';
import { ProjectsService } from '../../../projects/projects.service';
import { buildTestMessage } from '../blocks/thread-reply.blocks';
import { SlackSettings } from '../config/slack-settings';
import type { CreateSlackRouteDto, SlackStatusResponse, UpdateSlackRouteDto } from '../controllers/slack-integration.dto';
import { SlackInstallationsService } from '../installations/slack-installations.service';
import { classifySlackError } from '../slack-client/slack-errors';
import { SlackChannelResolver } from './slack-channel-resolver';
import { RouteFields, SlackRouteRecord, SlackRoutesRepository } from './slack-routes.repository';

/**
 * The admin side of the outbound Slack channel: status, routes and the test message, plus the
 * `slack` entry of /health. Slack errors become clear 4xx/502 answers naming Slack's error code.
 */
@Injectable()
export class SlackIntegrationService implements OnModuleInit {
  private readonly logger = new Logger('SlackIntegration');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly settings: SlackSettings,
    private readonly installations: SlackInstallationsService,
    private readonly routes: SlackRoutesRepository,
    private readonly resolver: SlackChannelResolver,
    private readonly projects: ProjectsService,
    @Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicatorRegistry,
  ) {}

  onModuleInit(): void {
    this.indicators.indicators.push(() => this.health());
  }

  /** Up either way (a Slack outage must not take the service out of rotation); the detail says how Slack is. */
  async health() {
    if (!this.settings.enabled) return { slack: { status: 'up' as const, state: 'disabled', message: 'Slack is off: SLACK_BOT_TOKEN (or OAuth credentials) not set' } };
    try {
      const all = await this.installations.list();
      const active = all.filter((i) => i.active);
      return {
        slack: {
          status: 'up' as const,
          state: 'enabled',
          installations: all.length,
          activeInstallations: active.length,
          teams: all.map((i) => ({ teamId: i.teamId, active: i.active, lastError: i.lastError })),
        },
      };
    } catch (err) {
      return { slack: { status: 'up' as const, state: 'unknown', message: err instanceof Error ? err.message : String(err) } };
    }
  }

  async status(): Promise<SlackStatusResponse> {
    const installations = await this.installations.list();
    const counts = await this.db.query(
      `SELECT count(*) FILTER (WHERE status IN ('pending', 'delivering'))::int AS queued,
              count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM notification_deliveries WHERE channel = 'slack' AND status IN ('pending', 'delivering', 'failed')`,
    );
    const failures = await this.db.query(
      `SELECT id, event_type, target, last_error, updated_at FROM notification_deliveries
        WHERE channel = 'slack' AND status = 'failed' ORDER BY updated_at DESC, id DESC LIMIT 10`,
    );
    return {
      enabled: this.settings.enabled,
      oauthEnabled: this.settings.oauthEnabled,
      defaultChannel: this.settings.SLACK_DEFAULT_CHANNEL ?? null,
      channelRatePerSecond: this.settings.SLACK_CHANNEL_RATE_PER_SEC,
      installations: installations.map((i) => ({
        teamId: i.teamId,
        teamName: i.teamName,
        botUserId: i.botUserId,
        source: i.source,
        active: i.active,
        lastError: i.lastError,
        lastErrorAt: i.lastErrorAt ? new Date(i.lastErrorAt).toISOString() : null,
        disabledReason: i.disabledReason,
      })),
      deliveries: {
        queued: Number(counts[0]?.queued ?? 0),
        failed: Number(counts[0]?.failed ?? 0),
        recentFailures: failures.map((f: { id: string; event_type: string; target: string; last_error: string | null; updated_at: Date }) => ({
          deliveryId: f.id,
          eventType: f.event_type,
          target: f.target,
          error: f.last_error,
          at: new Date(f.updated_at).toISOString(),
        })),
      },
    };
  }

  // ---------------------------------------------------------------------------
  // routes
  // ---------------------------------------------------------------------------

  list(): Promise<SlackRouteRecord[]> {
    return this.routes.list();
  }

  async get(id: string): Promise<SlackRouteRecord> {
    const route = await this.routes.get(id);
    if (!route) throw notFound('Slack route', id);
    return route;
  }

  async create(dto: CreateSlackRouteDto): Promise<SlackRouteRecord> {
    const fields = await this.validate({
      teamId: dto.teamId ?? null,
      projectKey: dto.projectKey ?? null,
      priority: dto.priority ?? null,
      channel: dto.channel,
      eventTypes: (dto.eventTypes as EventType[] | null | undefined) ?? null,
      minPriority: dto.minPriority ?? null,
      agentsOnly: dto.agentsOnly ?? false,
    });
    return this.routes.insert(fields);
  }

  async update(id: string, dto: UpdateSlackRouteDto): Promise<SlackRouteRecord> {
    const current = await this.get(id);
    const pick = <K extends keyof UpdateSlackRouteDto>(k: K, fallback: unknown) => (dto[k] === undefined ? fallback : dto[k]);
    const fields = await this.validate(
      {
        teamId: pick('teamId', current.teamId) as string | null,
        projectKey: pick('projectKey', current.projectKey) as string | null,
        priority: pick('priority', current.priority) as RouteFields['priority'],
        channel: (dto.channel ?? current.channel) as string,
        eventTypes: pick('eventTypes', current.eventTypes) as EventType[] | null,
        minPriority: pick('minPriority', current.minPriority) as RouteFields['minPriority'],
        agentsOnly: dto.agentsOnly ?? current.agentsOnly,
      },
      dto.channel !== undefined,
    );
    const updated = await this.routes.update(id, fields);
    if (!updated) throw notFound('Slack route', id);
    return updated;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.routes.delete(id))) throw notFound('Slack route', id);
  }

  /** The channel name of a route, when known (for display). */
  channelName(route: SlackRouteRecord): string | null {
    if (route.channel.startsWith('#')) return route.channel.slice(1);
    const team = route.teamId ?? this.knownDefaultTeam;
    return (team && this.resolver.nameOf(team, route.channel)) ?? null;
  }

  private knownDefaultTeam: string | null = null;

  private async validate(f: RouteFields, resolveChannel = true): Promise<RouteFields> {
    if (f.projectKey) await this.projects.requireByKey(f.projectKey, 'projectKey');
    if (f.teamId) {
      const installation = await this.installations.get(f.teamId);
      if (!installation) throw fieldError('teamId', `teamId ${f.teamId} is not an installed Slack workspace`);
    }
    if (f.priority && f.minPriority) throw fieldError('minPriority', 'give either priority or minPriority, not both');
    if (resolveChannel && f.channel.startsWith('#') && this.settings.enabled) f.channel = await this.resolveName(f.teamId, f.channel);
    return f;
  }

  /**
   * Routes store channel ids: a name is looked up now. Unknown to Slack: 400 naming `channel`.
   * Slack unreachable: the name is kept and resolved when a message is posted.
   */
  private async resolveName(teamId: string | null, name: string): Promise<string> {
    let team: string | null;
    let client: WebClient;
    try {
      team = teamId ?? (await this.installations.defaultTeamId());
      const installed = team ? await this.installations.client(team) : null;
      if (!team || !installed) return name;
      this.knownDefaultTeam = teamId ? this.knownDefaultTeam : team;
      client = installed.client;
      await this.resolver.load(team, client);
    } catch (err) {
      this.logger.warn(`could not resolve ${name} now (${classifySlackError(err).message}); it is resolved when a message is posted`);
      return name;
    }
    const id = this.resolver.known(team, name);
    if (!id) throw fieldError('channel', `channel ${name} is not a channel the Slack app can see in workspace ${team} (invite the app, or give the channel id)`);
    return id;
  }

  // ---------------------------------------------------------------------------
  // test message
  // ---------------------------------------------------------------------------

  async sendTest(channel: string | undefined, teamId: string | undefined): Promise<{ ok: true; teamId: string; channel: string; ts: string }> {
    if (!this.settings.enabled) throw new ApiError(409, 'Slack is not configured: set SLACK_BOT_TOKEN (or install the app through OAuth)');
    const target = channel ?? this.settings.SLACK_DEFAULT_CHANNEL;
    if (!target) throw fieldError('channel', 'channel is required when SLACK_DEFAULT_CHANNEL is not set');
    let team: string | null = teamId ?? null;
    try {
      team ??= await this.installations.defaultTeamId();
      if (!team) throw fieldError('teamId', 'teamId is required when several workspaces are installed');
      if (teamId && !(await this.installations.get(teamId))) throw fieldError('teamId', `teamId ${teamId} is not an installed Slack workspace`);
      const installed = await this.installations.client(team);
      if (!installed) throw new ApiError(409, `Slack workspace ${team} is disabled`, { teamId: team });
      const channelId = await this.resolver.resolve(team, target, installed.client);
      const message = buildTestMessage();
      const res = await installed.client.chat.postMessage({ channel: channelId, text: message.text, blocks: message.blocks });
      return { ok: true, teamId: team, channel: channelId, ts: res.ts! };
    } catch (err) {
      if (err instanceof ApiError || (err as { getStatus?: unknown }).getStatus) throw err;
      const c = classifySlackError(err);
      if (team && c.permanent) await this.installations.recordError(team, c.code).catch(() => undefined);
      if (c.code === 'ratelimited') throw new ApiError(429, 'Slack is rate limiting this channel; try again shortly', { slackError: c.code, retryAfterSeconds: Math.ceil((c.retryAfterMs ?? 1000) / 1000) });
      if (c.code.startsWith('http_') || c.code === 'request_error') throw new ApiError(502, `Slack could not be reached: ${c.message}`, { slackError: c.code });
      throw new ApiError(422, `Slack refused the message: ${c.code}`, { slackError: c.code });
    }
  }
}
