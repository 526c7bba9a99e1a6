import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { CHANNEL_NAME, NotificationChannel, NotificationChannelProvider } from './notification-channel';

/**
 * Every provider marked `@NotificationChannelProvider()`, in any module of the application, found
 * once at bootstrap. A bad or duplicate name stops start-up: it is stored on delivery rows.
 */
@Injectable()
export class ChannelRegistry implements OnApplicationBootstrap {
  private readonly logger = new Logger('Notifications');
  private readonly byName = new Map<string, NotificationChannel>();
  private discovered = false;

  constructor(private readonly discovery: DiscoveryService) {}

  onApplicationBootstrap(): void {
    this.discover();
  }

  discover(): void {
    if (this.discovered) return;
    this.discovered = true;
    for (const wrapper of this.discovery.getProviders({ metadataKey: NotificationChannelProvider.KEY })) {
      const channel = wrapper.instance as NotificationChannel | undefined;
      if (!channel) continue;
      if (typeof channel.deliver !== 'function' || typeof channel.wants !== 'function' || typeof channel.name !== 'string') {
        throw new Error(`${wrapper.name} is marked @NotificationChannelProvider() but does not implement NotificationChannel`);
      }
      if (!CHANNEL_NAME.test(channel.name)) throw new Error(`Notification channel name "${channel.name}" must match ${CHANNEL_NAME}`);
      const existing = this.byName.get(channel.name);
      if (existing && existing !== channel) throw new Error(`Two notification channels are named "${channel.name}"`);
      this.byName.set(channel.name, channel);
    }
    this.logger.log(`notification channels: ${[...this.byName.keys()].join(', ') || '(none)'}`);
  }

  all(): NotificationChannel[] {
    this.discover();
    return [...this.byName.values()];
  }

  get(name: string): NotificationChannel | undefined {
    this.discover();
    return this.byName.get(name);
  }

  names(): string[] {
    return this.all().map((c) => c.name);
  }
}
