import { Module } from '@nestjs/common';
import { WebhookChannel } from './webhook.channel';
import { WebhookSubscriptionsRepository } from './webhook-subscriptions.repository';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service';
import { WebhooksController } from './webhooks.controller';

/**
 * Signed outgoing webhooks: the second notification channel, and the worked example of
 * docs/adding-a-channel.md. Importing this module into AppModule is all it takes to install it.
 */
@Module({
  controllers: [WebhooksController],
  providers: [WebhookChannel, WebhookSubscriptionsRepository, WebhookSubscriptionsService],
})
export class WebhookModule {}
