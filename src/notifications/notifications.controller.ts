import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { conflict, fieldError, notFound } from '../common/errors';
import { requireUuid } from '../common/uuid';
import { Roles } from '../identity/principal';
import { DeliveriesRepository, DeliveryFilter } from './deliveries.repository';
import { DeliveryPage, DeliveryResponse, ListDeliveriesQuery } from './delivery.dto';
import { NotificationPipeline } from './notification-pipeline';

@ApiTags('notifications')
@Roles('admin')
@Controller('api/v1/notifications/deliveries')
export class NotificationsController {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly pipeline: NotificationPipeline,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List notification deliveries, newest first (admin)' })
  @ApiOkResponse({ type: DeliveryPage })
  @ApiErrors(400, 403)
  async list(@Query() q: ListDeliveriesQuery): Promise<DeliveryPage> {
    const filter: DeliveryFilter = { eventId: q.eventId };
    if (q.status) filter.statuses = q.status === 'pending' ? ['pending', 'delivering'] : [q.status];
    if (q.channel) {
      const [channel, ...target] = q.channel.split(':');
      filter.channel = channel;
      if (target.length) filter.target = target.join(':');
    }
    let after: [string, string] | undefined;
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor, 2);
      if (typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(at))) throw fieldError('cursor', 'cursor is not a valid cursor');
      after = [at, requireUuid(id, 'cursor')];
    }
    const rows = await this.deliveries.list(filter, q.limit + 1, after);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(DeliveryResponse.of),
      nextCursor: rows.length > q.limit ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one delivery (admin)' })
  @ApiOkResponse({ type: DeliveryResponse })
  @ApiErrors(400, 403, 404)
  async get(@Param('id') id: string): Promise<DeliveryResponse> {
    const delivery = await this.deliveries.get(requireUuid(id));
    if (!delivery) throw notFound('Delivery', id);
    return DeliveryResponse.of(delivery);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Retry a dead-lettered delivery (admin)',
    description: 'Puts a `failed` delivery back in line with a fresh budget of attempts. 409 unless it is `failed`.',
  })
  @ApiAcceptedResponse({ type: DeliveryResponse })
  @ApiErrors(400, 403, 404, 409)
  async retry(@Param('id') id: string): Promise<DeliveryResponse> {
    const again = await this.deliveries.requeue(requireUuid(id));
    if (!again) {
      const current = await this.deliveries.get(id.toLowerCase());
      if (!current) throw notFound('Delivery', id);
      throw conflict(`Only a failed delivery can be retried; this one is ${current.status}`, { status: current.status });
    }
    await this.pipeline.kick(again);
    return DeliveryResponse.of(again);
  }
}
