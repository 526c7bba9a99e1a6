import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { EVENT_TYPES, TICKET_PRIORITIES } from '../../../events/event-catalogue';
import type { SlackRouteRecord } from '../sync/slack-routes.repository';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const CHANNEL_MESSAGE = 'channel must be a Slack channel id (C… or G…) or a channel name such as #support';
/** `C…`/`G…` ids, or `#name` (Slack names: lower-case letters, digits, - and _). */
export const CHANNEL_INPUT = /^([CG][A-Z0-9]{2,30}|#[a-z0-9][a-z0-9_-]{0,79})$/;
const TEAM_ID = /^[TE][A-Z0-9]{2,30}$/;
const PROJECT_KEY_INPUT = /^[A-Z][A-Z0-9]{1,9}$/;
/** Present and null clears a field on PATCH; absent leaves it. */
const nullable = (o: object, key: string) => (o as Record<string, unknown>)[key] !== null && (o as Record<string, unknown>)[key] !== undefined;

export class CreateSlackRouteDto {
  @ApiProperty({ example: '#incidents-critical', description: 'Channel id (C…/G…) or name (#name). A name is resolved to its id when the route is saved (so renaming the channel does not break the route).' })
  @Transform(trim) @IsString() @MaxLength(81) @Matches(CHANNEL_INPUT, { message: CHANNEL_MESSAGE })
  channel: string;

  @ApiPropertyOptional({ example: 'PLAT', nullable: true, type: String, description: 'Only tickets of this project (absent or null: any project)' })
  @ValidateIf((o) => nullable(o, 'projectKey')) @IsString() @Matches(PROJECT_KEY_INPUT, { message: 'projectKey must be a project key such as PLAT' })
  projectKey?: string | null;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES, nullable: true, description: 'Only tickets of exactly this priority' })
  @ValidateIf((o) => nullable(o, 'priority')) @IsIn(TICKET_PRIORITIES, { message: `priority must be one of: ${TICKET_PRIORITIES.join(', ')}` })
  priority?: (typeof TICKET_PRIORITIES)[number] | null;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES, nullable: true, example: 'high', description: 'Only tickets of this priority or more urgent (noise control)' })
  @ValidateIf((o) => nullable(o, 'minPriority')) @IsIn(TICKET_PRIORITIES, { message: `minPriority must be one of: ${TICKET_PRIORITIES.join(', ')}` })
  minPriority?: (typeof TICKET_PRIORITIES)[number] | null;

  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true, nullable: true, example: ['ticket.created', 'comment.created', 'sla.breached'], description: 'Event types posted to this channel (absent or null: all)' })
  @ValidateIf((o) => nullable(o, 'eventTypes'))
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(EVENT_TYPES.length) @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true, message: `each value in eventTypes must be one of: ${EVENT_TYPES.join(', ')}` })
  eventTypes?: string[] | null;

  @ApiPropertyOptional({ default: false, description: 'An agents-only channel: also receives internal comments' })
  @IsOptional() @IsBoolean()
  agentsOnly?: boolean;

  @ApiPropertyOptional({ example: 'T0123ABC', nullable: true, type: String, description: 'Workspace (absent or null: the default one)' })
  @ValidateIf((o) => nullable(o, 'teamId')) @IsString() @Matches(TEAM_ID, { message: 'teamId must be a Slack team id such as T0123ABC' })
  teamId?: string | null;
}

/** Every field optional; null clears an optional one. */
export class UpdateSlackRouteDto {
  @ApiPropertyOptional({ example: '#support' })
  @IsOptional() @Transform(trim) @IsString() @MaxLength(81) @Matches(CHANNEL_INPUT, { message: CHANNEL_MESSAGE })
  channel?: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @ValidateIf((o) => nullable(o, 'projectKey')) @IsString() @Matches(PROJECT_KEY_INPUT, { message: 'projectKey must be a project key such as PLAT' })
  projectKey?: string | null;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES, nullable: true })
  @ValidateIf((o) => nullable(o, 'priority')) @IsIn(TICKET_PRIORITIES, { message: `priority must be one of: ${TICKET_PRIORITIES.join(', ')}` })
  priority?: (typeof TICKET_PRIORITIES)[number] | null;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES, nullable: true })
  @ValidateIf((o) => nullable(o, 'minPriority')) @IsIn(TICKET_PRIORITIES, { message: `minPriority must be one of: ${TICKET_PRIORITIES.join(', ')}` })
  minPriority?: (typeof TICKET_PRIORITIES)[number] | null;

  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true, nullable: true })
  @ValidateIf((o) => nullable(o, 'eventTypes'))
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(EVENT_TYPES.length) @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true, message: `each value in eventTypes must be one of: ${EVENT_TYPES.join(', ')}` })
  eventTypes?: string[] | null;

  @ApiPropertyOptional()
  @IsOptional() @IsBoolean()
  agentsOnly?: boolean;

  @ApiPropertyOptional({ nullable: true, type: String })
  @ValidateIf((o) => nullable(o, 'teamId')) @IsString() @Matches(TEAM_ID, { message: 'teamId must be a Slack team id such as T0123ABC' })
  teamId?: string | null;
}

export class SlackRouteResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'C0INCIDENTS', description: 'Channel id (or the name as given, when it could not be resolved yet)' }) channel: string;
  @ApiProperty({ nullable: true, type: String, example: 'incidents-critical' }) channelName: string | null;
  @ApiProperty({ nullable: true, type: String }) teamId: string | null;
  @ApiProperty({ nullable: true, type: String }) projectKey: string | null;
  @ApiProperty({ enum: TICKET_PRIORITIES, nullable: true }) priority: string | null;
  @ApiProperty({ enum: TICKET_PRIORITIES, nullable: true }) minPriority: string | null;
  @ApiProperty({ enum: EVENT_TYPES, isArray: true, nullable: true }) eventTypes: string[] | null;
  @ApiProperty() agentsOnly: boolean;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static of(r: SlackRouteRecord, channelName: string | null): SlackRouteResponse {
    return {
      id: r.id,
      channel: r.channel,
      channelName,
      teamId: r.teamId,
      projectKey: r.projectKey,
      priority: r.priority,
      minPriority: r.minPriority,
      eventTypes: r.eventTypes,
      agentsOnly: r.agentsOnly,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  }
}

export class SlackTestMessageDto {
  @ApiPropertyOptional({ example: '#support', description: 'Channel id or #name (default: SLACK_DEFAULT_CHANNEL)' })
  @IsOptional() @Transform(trim) @IsString() @MaxLength(81) @Matches(CHANNEL_INPUT, { message: CHANNEL_MESSAGE })
  channel?: string;

  @ApiPropertyOptional({ example: 'T0123ABC', description: 'Workspace (default: the default one)' })
  @IsOptional() @IsString() @Matches(TEAM_ID, { message: 'teamId must be a Slack team id such as T0123ABC' })
  teamId?: string;
}

export class SlackTestMessageResponse {
  @ApiProperty() ok: boolean;
  @ApiProperty({ example: 'T0123ABC' }) teamId: string;
  @ApiProperty({ example: 'C0SUPPORT' }) channel: string;
  @ApiProperty({ example: '1700000000.000100' }) ts: string;
}

export class SlackInstallationResponse {
  @ApiProperty({ example: 'T0123ABC' }) teamId: string;
  @ApiProperty({ nullable: true, type: String }) teamName: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'U0BOT' }) botUserId: string | null;
  @ApiProperty({ enum: ['env', 'oauth'] }) source: string;
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: String, example: 'channel_not_found' }) lastError: string | null;
  @ApiProperty({ nullable: true, type: String }) lastErrorAt: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'invalid_auth' }) disabledReason: string | null;
}

export class SlackFailureResponse {
  @ApiProperty({ format: 'uuid' }) deliveryId: string;
  @ApiProperty({ example: 'ticket.created' }) eventType: string;
  @ApiProperty({ example: 'T0123ABC.C0SUPPORT' }) target: string;
  @ApiProperty({ nullable: true, type: String, example: 'attempt 1: Slack error: channel_not_found' }) error: string | null;
  @ApiProperty() at: string;
}

export class SlackDeliveryCounts {
  @ApiProperty({ description: 'Waiting or in flight' }) queued: number;
  @ApiProperty({ description: 'Dead-lettered (retry them with POST /api/v1/notifications/deliveries/{id}/retry)' }) failed: number;
  @ApiProperty({ type: [SlackFailureResponse], description: 'The latest dead-lettered Slack deliveries' }) recentFailures: SlackFailureResponse[];
}

export class SlackStatusResponse {
  @ApiProperty({ description: 'false without SLACK_BOT_TOKEN (or OAuth credentials)' }) enabled: boolean;
  @ApiProperty() oauthEnabled: boolean;
  @ApiProperty({ nullable: true, type: String, example: '#support' }) defaultChannel: string | null;
  @ApiProperty({ example: 1, description: 'Messages per second per channel (SLACK_CHANNEL_RATE_PER_SEC)' }) channelRatePerSecond: number;
  @ApiProperty({ type: [SlackInstallationResponse] }) installations: SlackInstallationResponse[];
  @ApiProperty({ type: SlackDeliveryCounts }) deliveries: SlackDeliveryCounts;
}
