import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ChannelRegistry } from './channel-registry';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryRunner } from './delivery-runner';
import { NotificationDispatcher } from './notification-dispatcher';
import { NotificationMetrics } from './notification-metrics';
import { NotificationPipeline } from './notification-pipeline';
import { NotificationsController } from './notifications.controller';

/**
 * The notification pipeline: outbox -> deliveries -> channels. Channels are not listed here: any
 * module's provider marked `@NotificationChannelProvider()` is discovered (docs/adding-a-channel.md).
 */
@Module({
  imports: [DiscoveryModule, TerminusModule],
  controllers: [NotificationsController],
  providers: [ChannelRegistry, DeliveriesRepository, DeliveryRunner, NotificationDispatcher, NotificationMetrics, NotificationPipeline],
  exports: [ChannelRegistry],
})
export class NotificationsModule {}
