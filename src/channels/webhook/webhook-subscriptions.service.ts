import { Injectable } from '@nestjs/common';
import { fieldError, notFound } from '../../common/errors';
import { TargetRefused, TargetUnresolvable } from './address-policy';
import { WebhookChannel } from './webhook.channel';
import { CreateWebhookDto } from './webhook.dto';
import { WebhookSubscription, WebhookSubscriptionsRepository } from './webhook-subscriptions.repository';

@Injectable()
export class WebhookSubscriptionsService {
  constructor(
    private readonly repo: WebhookSubscriptionsRepository,
    private readonly channel: WebhookChannel,
  ) {}

  async create(dto: CreateWebhookDto, createdById: string | null): Promise<WebhookSubscription> {
    const url = new URL(dto.url);
    if (url.username || url.password) throw fieldError('url', 'url must not contain credentials; use the signature secret');
    try {
      await this.channel.policy.resolve(url.hostname);
    } catch (err) {
      if (err instanceof TargetRefused || err instanceof TargetUnresolvable) throw fieldError('url', `url is not allowed: ${err.message}`);
      throw err;
    }
    return this.repo.insert({
      url: url.toString(),
      events: dto.events,
      secret: dto.secret,
      secretPrefix: dto.secret.slice(0, 6),
      description: dto.description ?? '',
      createdById,
    });
  }

  async get(id: string): Promise<WebhookSubscription> {
    const found = await this.repo.find(id);
    if (!found) throw notFound('Webhook', id);
    return found;
  }

  list(): Promise<WebhookSubscription[]> {
    return this.repo.list();
  }

  async remove(id: string): Promise<void> {
    if (!(await this.repo.softDelete(id))) throw notFound('Webhook', id);
  }
}
