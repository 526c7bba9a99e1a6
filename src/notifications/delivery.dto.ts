import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../common/page-query.dto';
import { DeliveryRecord, DeliveryStatus } from './deliveries.repository';

/** `pending` means not finished yet: waiting for an attempt (first or retry) or being attempted. */
export const DELIVERY_STATUS_FILTERS = ['pending', 'delivering', 'delivered', 'failed'] as const;

export class ListDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: DELIVERY_STATUS_FILTERS,
    description: '`failed` = dead-lettered (retryable); `pending` = not finished yet (includes `delivering`)',
  })
  @IsOptional() @IsIn(DELIVERY_STATUS_FILTERS)
  status?: (typeof DELIVERY_STATUS_FILTERS)[number];

  @ApiPropertyOptional({ example: 'webhook', description: 'Channel name; `webhook:<subscriptionId>` narrows to one target' })
  @IsOptional() @IsString() @MaxLength(300) @Matches(/^[a-z][a-z0-9-]*(:[\w.-]+)?$/, { message: 'channel must be a channel name, optionally followed by :target' })
  channel?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only the deliveries of this event' })
  @IsOptional() @IsUUID()
  eventId?: string;
}

export class DeliveryResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty({ example: 'ticket.created' }) eventType: string;
  @ApiProperty({ example: '42', description: 'Outbox position of the event' }) sequence: string;
  @ApiProperty({ format: 'uuid', description: 'The ticket the event is about' }) aggregateId: string;
  @ApiProperty({ example: 'webhook' }) channel: string;
  @ApiProperty({ example: '3f0c...', description: 'The channel target (e.g. webhook subscription id); empty for single-target channels' }) target: string;
  @ApiProperty({ enum: ['pending', 'delivering', 'delivered', 'failed'] }) status: DeliveryStatus;
  @ApiProperty({ example: 1 }) attempts: number;
  @ApiProperty({ description: 'When the next attempt is due (pending only)' }) nextAttemptAt: string;
  @ApiProperty({ nullable: true, type: String, example: 'attempt 3: HTTP 503' }) lastError: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty({ nullable: true, type: String }) deliveredAt: string | null;

  static of(d: DeliveryRecord): DeliveryResponse {
    return {
      id: d.id,
      eventId: d.eventId,
      eventType: d.eventType,
      sequence: d.outboxId,
      aggregateId: d.aggregateId,
      channel: d.channel,
      target: d.target,
      status: d.status,
      attempts: d.attempts,
      nextAttemptAt: d.nextAttemptAt.toISOString(),
      lastError: d.lastError,
      createdAt: d.createdAt.toISOString(),
      updatedAt: d.updatedAt.toISOString(),
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
    };
  }
}

export class DeliveryPage {
  @ApiProperty({ type: [DeliveryResponse] }) items: DeliveryResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
