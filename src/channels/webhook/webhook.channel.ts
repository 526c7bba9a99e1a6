import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import type { DomainEvent } from '../../events/event-catalogue';
import {
  delivered,
  DeliveryContext,
  DeliveryResult,
  NotificationChannel,
  NotificationChannelProvider,
  permanentFailure,
  retryLater,
} from '../../notifications/notification-channel';
import { AddressPolicy } from './address-policy';
import { toWebhookPayload } from './webhook-payload';
import { sendWebhook, SendOutcome } from './webhook-sender';
import { WebhookSubscriptionsRepository } from './webhook-subscriptions.repository';

/**
 * Signed outgoing webhooks. One channel, many subscriptions: each subscription is a target, so each
 * has its own delivery rows, retries and per-ticket ordering (`webhook:<subscriptionId>` in the
 * operator API), and a subscriber that is down holds back no one else.
 */
@NotificationChannelProvider()
@Injectable()
export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook';
  readonly policy: AddressPolicy;

  constructor(
    config: AppConfig,
    private readonly subscriptions: WebhookSubscriptionsRepository,
  ) {
    this.policy = new AddressPolicy(config.WEBHOOK_ALLOWED_HOSTS);
  }

  /** Every event type may have subscribers; `targets` does the real filtering. */
  wants(): boolean {
    return true;
  }

  targets(event: DomainEvent, tx: EntityManager): Promise<string[]> {
    return this.subscriptions.subscribedTo(tx, event.type);
  }

  async deliver(event: DomainEvent, ctx: DeliveryContext): Promise<DeliveryResult> {
    const subscription = await this.subscriptions.find(ctx.target);
    if (!subscription) return permanentFailure(`webhook subscription ${ctx.target} was deleted`);
    const outcome = await sendWebhook(this.policy, {
      url: subscription.url,
      secret: subscription.secret,
      body: JSON.stringify(toWebhookPayload(event)),
      headers: {
        'X-Threadline-Event': event.type,
        'X-Threadline-Event-Id': event.eventId,
        'X-Threadline-Delivery': ctx.deliveryId,
        'X-Threadline-Attempt': String(ctx.attempt),
      },
      signal: ctx.signal,
    });
    return toResult(outcome);
  }

  /** POST /api/v1/webhooks/{id}/test: a `webhook.test` body sent once, now, outside the pipeline. */
  async sendTest(subscriptionId: string): Promise<SendOutcome | null> {
    const subscription = await this.subscriptions.find(subscriptionId);
    if (!subscription) return null;
    const eventId = randomUUID();
    const body = JSON.stringify({ event: 'webhook.test', event_id: eventId, timestamp: new Date().toISOString(), data: { subscription_id: subscription.id } });
    return sendWebhook(this.policy, {
      url: subscription.url,
      secret: subscription.secret,
      body,
      headers: { 'X-Threadline-Event': 'webhook.test', 'X-Threadline-Event-Id': eventId, 'X-Threadline-Delivery': eventId, 'X-Threadline-Attempt': '1' },
    });
  }
}

function toResult(outcome: SendOutcome): DeliveryResult {
  switch (outcome.kind) {
    case 'ok':
      return delivered();
    case 'transient':
      return retryLater(outcome.reason, outcome.retryAfterMs);
    case 'permanent':
      return permanentFailure(outcome.reason);
  }
}
