import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { PageQuery } from '../../common/page-query.dto';
import { TICKET_PRIORITIES, TICKET_STATUSES, TicketPriority, TicketStatus } from '../../events/event-catalogue';
import { PROJECT_KEY } from '../../projects/project.dto';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const MAX_DESCRIPTION = 65536;

export class CreateTicketDto {
  @ApiProperty({ example: 'VPN drops every 10 minutes', maxLength: 200 })
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  title: string;

  @ApiPropertyOptional({ example: 'Since this morning the VPN disconnects every ~10 minutes on macOS.', maxLength: MAX_DESCRIPTION, description: 'Markdown' })
  @IsOptional() @IsString() @MaxLength(MAX_DESCRIPTION)
  description?: string;

  @ApiProperty({ enum: TICKET_PRIORITIES, example: 'high' })
  @IsIn(TICKET_PRIORITIES)
  priority: TicketPriority;

  @ApiPropertyOptional({ format: 'uuid', description: 'Agent or admin who works the ticket' })
  @IsOptional() @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Who asked for help (default: nobody recorded)' })
  @IsOptional() @IsUUID()
  requesterId?: string;

  @ApiPropertyOptional({ example: 'PLAT' })
  @IsOptional() @IsString() @Matches(PROJECT_KEY, { message: 'projectKey must be a project key such as PLAT' })
  projectKey?: string;
}

export class UpdateTicketDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional() @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ maxLength: MAX_DESCRIPTION })
  @IsOptional() @IsString() @MaxLength(MAX_DESCRIPTION)
  description?: string;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES })
  @IsOptional() @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  @ApiPropertyOptional({ enum: TICKET_STATUSES, description: 'Must be an allowed next state of the current one (409 otherwise)' })
  @IsOptional() @IsIn(TICKET_STATUSES)
  status?: TicketStatus;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'null unassigns' })
  @ValidateIf((o) => o.assigneeId !== null && o.assigneeId !== undefined) @IsUUID()
  assigneeId?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @ValidateIf((o) => o.requesterId !== null && o.requesterId !== undefined) @IsUUID()
  requesterId?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'PLAT' })
  @ValidateIf((o) => o.projectKey !== null && o.projectKey !== undefined)
  @IsString() @Matches(PROJECT_KEY, { message: 'projectKey must be a project key such as PLAT' })
  projectKey?: string | null;

  @ApiPropertyOptional({ example: 3, description: 'The version you read; if the ticket changed since, 409 and nothing changes' })
  @IsOptional() @IsInt() @Min(1)
  version?: number;
}

const csv = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;

export const TICKET_SORTS = ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'priority', '-priority', 'number', '-number'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

export class ListTicketsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'One or more statuses, comma-separated', example: 'open,in_progress' })
  @IsOptional() @Transform(csv) @ArrayMaxSize(6) @IsIn(TICKET_STATUSES, { each: true })
  status?: TicketStatus[];

  @ApiPropertyOptional({ description: 'One or more priorities, comma-separated', example: 'critical,high' })
  @IsOptional() @Transform(csv) @ArrayMaxSize(4) @IsIn(TICKET_PRIORITIES, { each: true })
  priority?: TicketPriority[];

  @ApiPropertyOptional({ description: 'A user id, `me`, or `none` for unassigned' })
  @IsOptional() @IsString() @Matches(/^(me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/, { message: 'assigneeId must be a UUID, me or none' })
  assigneeId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional() @IsUUID()
  requesterId?: string;

  @ApiPropertyOptional({ example: 'PLAT' })
  @IsOptional() @IsString() @Matches(PROJECT_KEY, { message: 'projectKey must be a project key such as PLAT' })
  projectKey?: string;

  @ApiPropertyOptional({ description: 'Text the title contains (case-insensitive)', maxLength: 200 })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: TICKET_SORTS, default: '-createdAt', description: 'Leading `-` sorts descending' })
  @IsOptional() @IsIn(TICKET_SORTS)
  sort: TicketSort = '-createdAt';
}

export class ActivityQuery extends PageQuery {}

export class UserRefResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Jane Doe' }) name: string;
  @ApiProperty({ example: 'jane@example.com' }) email: string;
}

export class ProjectRefResponse {
  @ApiProperty({ example: 'PLAT' }) key: string;
  @ApiProperty({ example: 'Platform' }) name: string;
}

export class TicketResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'TKT-42' }) number: string;
  @ApiProperty({ example: 'VPN drops every 10 minutes' }) title: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: TICKET_STATUSES }) status: TicketStatus;
  @ApiProperty({ enum: TICKET_PRIORITIES }) priority: TicketPriority;
  @ApiProperty({ type: UserRefResponse, nullable: true }) assignee: UserRefResponse | null;
  @ApiProperty({ type: UserRefResponse, nullable: true }) requester: UserRefResponse | null;
  @ApiProperty({ type: ProjectRefResponse, nullable: true }) project: ProjectRefResponse | null;
  @ApiProperty({ example: 1, description: 'Send it back in PATCH for optimistic locking' }) version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty({ nullable: true, type: String }) resolvedAt: string | null;
  @ApiPropertyOptional({ description: 'SLA state, when the SLA module is active', type: Object })
  sla?: unknown;
}

export class TicketPage {
  @ApiProperty({ type: [TicketResponse] }) items: TicketResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ActivityResponse {
  @ApiProperty() id: string;
  @ApiProperty({ type: Object, example: { id: '3f2c…', name: 'Jane Doe' } }) actor: { id: string | null; name: string };
  @ApiProperty({ example: 'status_changed' }) action: string;
  @ApiProperty({ nullable: true, type: String, example: 'status' }) field: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'open' }) from: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'in_progress' }) to: string | null;
  @ApiProperty({ example: 'api' }) origin: string;
  @ApiProperty() at: string;
}

export class ActivityPage {
  @ApiProperty({ type: [ActivityResponse] }) items: ActivityResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

