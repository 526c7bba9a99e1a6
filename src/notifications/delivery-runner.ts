import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import type { DomainEvent } from '../events/event-catalogue';
import { ChannelRegistry } from './channel-registry';
import { DeliveriesRepository, DeliveryRecord, DeliveryRef } from './deliveries.repository';
import { NotificationMetrics } from './notification-metrics';
import { DeliveryResult } from './notification-channel';
import { canRetry, retryDelayMs, RetryPolicy } from './retry-policy';

/** What the scheduler (Bull job or in-process timer) does next with a delivery. */
export type AttemptOutcome =
  /** Finished (delivered or dead-lettered); `next` is the chain's next delivery, to schedule now. */
  | { kind: 'done'; next: DeliveryRef | null }
  /** Run this delivery again after `delayMs` (a retry, or not due / still leased). */
  | { kind: 'again'; delayMs: number }
  /** Nothing to do: already finished, taken over by someone else, or waiting behind an earlier delivery. */
  | { kind: 'skip'; why: string };

/**
 * One delivery attempt, the same in both modes: claim the row (due, first in its chain, not leased),
 * call the channel with a deadline inside the lease, record the outcome under the retry policy.
 * No transaction and no connection is held while the channel works.
 */
@Injectable()
export class DeliveryRunner {
  private readonly logger = new Logger('Notifications');
  readonly policy: RetryPolicy;

  constructor(
    private readonly config: AppConfig,
    private readonly deliveries: DeliveriesRepository,
    private readonly channels: ChannelRegistry,
    private readonly metrics: NotificationMetrics,
  ) {
    this.policy = { maxAttempts: config.NOTIFY_MAX_ATTEMPTS, baseMs: config.NOTIFY_BACKOFF_BASE_MS, maxMs: config.NOTIFY_BACKOFF_MAX_MS };
  }

  async attempt(deliveryId: string): Promise<AttemptOutcome> {
    const claim = await this.deliveries.claim(deliveryId, this.config.NOTIFY_LEASE_MS);
    if (!claim.claimed) {
      if (claim.reason === 'not-due' || claim.reason === 'leased') return { kind: 'again', delayMs: claim.retryInMs };
      return { kind: 'skip', why: claim.reason };
    }
    const { delivery, event } = claim;
    const result = await this.callChannel(delivery, event);
    return this.record(delivery, event, result);
  }

  private async callChannel(delivery: DeliveryRecord, event: DomainEvent): Promise<DeliveryResult> {
    const channel = this.channels.get(delivery.channel);
    if (!channel) return { status: 'retry', reason: `channel "${delivery.channel}" is not installed in this process` };
    // The attempt must end well inside its lease, or a second worker could take the delivery over.
    const deadlineMs = Math.floor(this.config.NOTIFY_LEASE_MS * 0.8);
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<DeliveryResult>((resolve) => {
      timer = setTimeout(() => {
        abort.abort(new Error(`attempt timed out after ${deadlineMs} ms`));
        resolve({ status: 'retry', reason: `attempt timed out after ${deadlineMs} ms` });
      }, deadlineMs);
    });
    try {
      const work = channel
        .deliver(event, { deliveryId: delivery.id, attempt: delivery.attempts, target: delivery.target, signal: abort.signal })
        .catch((err: unknown): DeliveryResult => ({ status: 'retry', reason: err instanceof Error ? err.message : String(err) }));
      const result = await Promise.race([work, timeout]);
      return isResult(result) ? result : { status: 'retry', reason: `channel "${channel.name}" returned no DeliveryResult` };
    } finally {
      clearTimeout(timer);
    }
  }

  private async record(delivery: DeliveryRecord, event: DomainEvent, result: DeliveryResult): Promise<AttemptOutcome> {
    const { id, attempts, channel } = delivery;
    if (result.status === 'delivered') {
      const finished = await this.deliveries.finish(id, attempts, { status: 'delivered' });
      if (!finished) return { kind: 'skip', why: 'fenced' };
      this.metrics.delivered(channel, Date.now() - Date.parse(event.occurredAt));
      return { kind: 'done', next: finished.next };
    }
    this.metrics.failedAttempt(channel);
    if (result.status === 'retry' && canRetry(this.policy, attempts)) {
      const delayMs = retryDelayMs(this.policy, attempts, result.retryAfterMs);
      const error = `attempt ${attempts}: ${result.reason}`;
      if (!(await this.deliveries.finish(id, attempts, { status: 'pending', error, delayMs }))) return { kind: 'skip', why: 'fenced' };
      this.metrics.retried(channel);
      this.logger.warn(`delivery ${id} (${channel} ${event.type} ${event.eventId}) will be retried in ${delayMs} ms: ${result.reason}`);
      return { kind: 'again', delayMs };
    }
    const error =
      result.status === 'failed' ? `attempt ${attempts}: ${result.reason}` : `gave up after ${attempts} attempts: ${result.reason}`;
    const finished = await this.deliveries.finish(id, attempts, { status: 'failed', error });
    if (!finished) return { kind: 'skip', why: 'fenced' };
    this.metrics.deadLettered(channel);
    this.logger.error(`delivery ${id} (${channel} ${event.type} ${event.eventId}) dead-lettered: ${error}`);
    return { kind: 'done', next: finished.next };
  }
}

function isResult(value: unknown): value is DeliveryResult {
  const status = (value as DeliveryResult | undefined)?.status;
  return status === 'delivered' || status === 'retry' || status === 'failed';
}
