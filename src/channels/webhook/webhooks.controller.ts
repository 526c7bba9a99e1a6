import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-docs';
import { notFound } from '../../common/errors';
import { requireUuid } from '../../common/uuid';
import { CurrentPrincipal, Principal, Roles } from '../../identity/principal';
import { WebhookChannel } from './webhook.channel';
import { CreateWebhookDto, WebhookResponse, WebhookTestResponse } from './webhook.dto';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service';

@ApiTags('webhooks')
@Roles('admin')
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly subscriptions: WebhookSubscriptionsService,
    private readonly channel: WebhookChannel,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Subscribe a URL to events (admin)',
    description:
      'Each event is POSTed as JSON with `X-Threadline-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, ' +
      '`X-Threadline-Event-Id` (dedupe on it: delivery is at least once) and `X-Threadline-Delivery`. ' +
      '2xx acknowledges; 5xx, 408, 429 (Retry-After honoured) and timeouts (5 s) are retried with backoff; other 4xx dead-letter.',
  })
  @ApiCreatedResponse({ type: WebhookResponse })
  @ApiErrors(400, 403)
  async create(@Body() dto: CreateWebhookDto, @CurrentPrincipal() caller: Principal): Promise<WebhookResponse> {
    return WebhookResponse.of(await this.subscriptions.create(dto, caller.userId));
  }

  @Get()
  @ApiOperation({ summary: 'List webhook subscriptions, without secrets (admin)' })
  @ApiOkResponse({ type: [WebhookResponse] })
  @ApiErrors(403)
  async list(): Promise<WebhookResponse[]> {
    return (await this.subscriptions.list()).map(WebhookResponse.of);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one webhook subscription (admin)' })
  @ApiOkResponse({ type: WebhookResponse })
  @ApiErrors(400, 403, 404)
  async get(@Param('id') id: string): Promise<WebhookResponse> {
    return WebhookResponse.of(await this.subscriptions.get(requireUuid(id)));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook subscription (admin); its undelivered events are dead-lettered' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 403, 404)
  async remove(@Param('id') id: string): Promise<void> {
    await this.subscriptions.remove(requireUuid(id));
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a signed `webhook.test` event to the URL now, once, and report how it went (admin)' })
  @ApiOkResponse({ type: WebhookTestResponse })
  @ApiErrors(400, 403, 404)
  async test(@Param('id') id: string): Promise<WebhookTestResponse> {
    const started = Date.now();
    const outcome = await this.channel.sendTest(requireUuid(id));
    if (!outcome) throw notFound('Webhook', id);
    return {
      delivered: outcome.kind === 'ok',
      status: outcome.status ?? null,
      error: outcome.kind === 'ok' ? null : outcome.reason,
      durationMs: Date.now() - started,
    };
  }
}
