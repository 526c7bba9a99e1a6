import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../common/api-docs';
import { ErrorBody } from '../../../common/errors';
import { requireUuid } from '../../../common/uuid';
import { Roles } from '../../../identity/principal';
import { SlackIntegrationService } from '../sync/slack-integration.service';
import {
  CreateSlackRouteDto,
  SlackRouteResponse,
  SlackStatusResponse,
  SlackTestMessageDto,
  SlackTestMessageResponse,
  UpdateSlackRouteDto,
} from './slack-integration.dto';

@ApiTags('slack')
@Roles('admin')
@Controller('api/v1/integrations/slack')
export class SlackIntegrationController {
  constructor(private readonly slack: SlackIntegrationService) {}

  @Get()
  @ApiOperation({
    summary: 'Slack integration status (admin)',
    description: 'Whether Slack is on, each workspace (team, bot user, active, last error), and queued / dead-lettered Slack deliveries.',
  })
  @ApiOkResponse({ type: SlackStatusResponse })
  @ApiErrors(403)
  status(): Promise<SlackStatusResponse> {
    return this.slack.status();
  }

  @Get('routes')
  @ApiOperation({ summary: 'List Slack routes (admin)', description: 'Which channel receives which tickets; tickets no route matches go to SLACK_DEFAULT_CHANNEL.' })
  @ApiOkResponse({ type: [SlackRouteResponse] })
  @ApiErrors(403)
  async list(): Promise<SlackRouteResponse[]> {
    return (await this.slack.list()).map((r) => SlackRouteResponse.of(r, this.slack.channelName(r)));
  }

  @Post('routes')
  @ApiOperation({
    summary: 'Add a Slack route (admin)',
    description:
      'Routes a ticket to a channel by project and/or priority (every matching route receives it; none matching: the default channel). ' +
      '`eventTypes` and `minPriority` control noise; `agentsOnly` channels also receive internal comments.',
  })
  @ApiCreatedResponse({ type: SlackRouteResponse })
  @ApiErrors(400, 403)
  async create(@Body() dto: CreateSlackRouteDto): Promise<SlackRouteResponse> {
    const route = await this.slack.create(dto);
    return SlackRouteResponse.of(route, this.slack.channelName(route));
  }

  @Get('routes/:id')
  @ApiOperation({ summary: 'Get a Slack route (admin)' })
  @ApiOkResponse({ type: SlackRouteResponse })
  @ApiErrors(400, 403, 404)
  async get(@Param('id') id: string): Promise<SlackRouteResponse> {
    const route = await this.slack.get(requireUuid(id));
    return SlackRouteResponse.of(route, this.slack.channelName(route));
  }

  @Patch('routes/:id')
  @ApiOperation({ summary: 'Change a Slack route (admin)', description: 'Absent fields stay; null clears an optional one.' })
  @ApiOkResponse({ type: SlackRouteResponse })
  @ApiErrors(400, 403, 404)
  async update(@Param('id') id: string, @Body() dto: UpdateSlackRouteDto): Promise<SlackRouteResponse> {
    const route = await this.slack.update(requireUuid(id), dto);
    return SlackRouteResponse.of(route, this.slack.channelName(route));
  }

  @Delete('routes/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a Slack route (admin)', description: 'Existing threads stay live (their cards keep updating).' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 403, 404)
  async delete(@Param('id') id: string): Promise<void> {
    await this.slack.delete(requireUuid(id));
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Post a test message to a channel (admin)',
    description: 'Checks the connection now, outside the delivery queue. Slack errors are answered as 422 (Slack refused: `slackError` names its code), 429 (rate limited) or 502 (Slack unreachable).',
  })
  @ApiOkResponse({ type: SlackTestMessageResponse })
  @ApiErrors(400, 403, 409)
  @ApiResponse({ status: 422, description: 'Slack refused the message (`slackError`: channel_not_found, not_in_channel, invalid_auth, ...)', type: ErrorBody })
  @ApiResponse({ status: 502, description: 'Slack could not be reached', type: ErrorBody })
  test(@Body() dto: SlackTestMessageDto): Promise<SlackTestMessageResponse> {
    return this.slack.sendTest(dto.channel, dto.teamId);
  }
}
