import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { CommentsService } from '../../../comments/comments.service';
import { ApiErrors } from '../../../common/api-docs';
import { UsersService } from '../../../identity/users.service';
import { Roles } from '../../../identity/principal';
import { SlackUserDirectory } from '../users/slack-user-directory.service';
import { SLACK_ID } from '../sync/inbound-payloads';
import { slackAuthorId } from '../sync/inbound-thread-sync.service';
import { SlackReconciler } from '../sync/slack-reconciler.service';

export class LinkSlackUserDto {
  @ApiProperty({ example: 'T0123ABCD', description: 'Slack workspace (team) id' })
  @IsString() @Matches(SLACK_ID.team, { message: 'teamId must be a Slack team id such as T0123ABCD' })
  teamId: string;

  @ApiProperty({ example: 'U0123ABCD', description: 'Slack user id' })
  @IsString() @Matches(SLACK_ID.user, { message: 'slackUserId must be a Slack user id such as U0123ABCD' })
  slackUserId: string;

  @ApiProperty({ format: 'uuid', description: 'The Threadline account' })
  @IsUUID()
  userId: string;
}

export class SlackUserLinkResponse {
  @ApiProperty() teamId: string;
  @ApiProperty() slackUserId: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ description: 'Comments written from Slack before the link, now attributed to the account' }) attributedComments: number;
}

export class ReconcileDto {
  @ApiPropertyOptional({ example: 'T0123ABCD', description: 'Only this workspace' })
  @IsOptional() @IsString() @Matches(SLACK_ID.team, { message: 'teamId must be a Slack team id such as T0123ABCD' })
  teamId?: string;

  @ApiPropertyOptional({ example: '2025-01-01T00:00:00Z', description: 'Only threads active since then (default: all linked threads)' })
  @IsOptional() @IsISO8601()
  since?: string;
}

export class ReconcileResponse {
  @ApiProperty({ description: 'Threads read back from Slack' }) threads: number;
  @ApiProperty({ description: 'Replies that were missing and are now comments' }) created: number;
  @ApiProperty({ description: 'Comments updated to an edit made in Slack' }) updated: number;
  @ApiProperty({ description: 'Comments deleted because their reply is gone from Slack' }) deleted: number;
  @ApiProperty({ description: 'Threads that could not be read' }) failed: number;
  @ApiProperty() durationMs: number;
}

/** Admin operations of the inbound Slack side. */
@ApiTags('integrations')
@Roles('admin')
@Controller('api/v1/integrations/slack')
export class InboundSlackAdminController {
  constructor(
    private readonly directory: SlackUserDirectory,
    private readonly users: UsersService,
    private readonly comments: CommentsService,
    private readonly reconciler: SlackReconciler,
  ) {}

  @Post('user-links')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Link a Slack user to an account',
    description: 'For people whose Slack email does not match their account. Their earlier comments from Slack are attributed to the account.',
  })
  @ApiOkResponse({ type: SlackUserLinkResponse })
  @ApiErrors(400, 401, 403)
  async link(@Body() dto: LinkSlackUserDto): Promise<SlackUserLinkResponse> {
    await this.users.requireActive(dto.userId, 'userId');
    await this.directory.link(dto.teamId, dto.slackUserId, dto.userId, 'admin');
    const attributedComments = await this.comments.attributeExternalAuthor(slackAuthorId(dto.teamId, dto.slackUserId), dto.userId);
    return { teamId: dto.teamId, slackUserId: dto.slackUserId, userId: dto.userId, attributedComments };
  }

  @Post('reconcile')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Read linked Slack threads back and apply what was missed',
    description: 'Creates comments for replies that never arrived as events, applies edits and deletions. Safe to run any number of times.',
  })
  @ApiOkResponse({ type: ReconcileResponse })
  @ApiErrors(400, 401, 403)
  reconcile(@Body() dto: ReconcileDto): Promise<ReconcileResponse> {
    return this.reconciler.reconcile({ teamId: dto.teamId, since: dto.since ? new Date(dto.since) : undefined });
  }
}
