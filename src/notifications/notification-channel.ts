import { DiscoveryService } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '../events/event-catalogue';

/**
 * The outcome of one delivery attempt.
 * - `delivered`: done; never attempted again.
 * - `retry`: a transient failure (timeout, 5xx, rate limit); attempted again after the policy's
 *   backoff, or after `retryAfterMs` when that is longer. After the last attempt: dead-lettered.
 * - `failed`: a permanent failure (bad request, target gone); dead-lettered at once.
 * Throwing from `deliver` counts as `retry` with the error's message as the reason.
 */
export type DeliveryResult =
  | { status: 'delivered' }
  | { status: 'retry'; reason: string; retryAfterMs?: number }
  | { status: 'failed'; reason: string };

export interface DeliveryContext {
  /** The delivery's id (stable across attempts): good as an idempotency key towards the target. */
  deliveryId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Which of the channel's targets this delivery is for ('' when the channel has no targets). */
  target: string;
  /** Aborted when the attempt's time is up (the delivery lease is about to run out); stop then. */
  signal: AbortSignal;
}

/**
 * A notification channel: receives every domain event it `wants`, at least once per (event, target),
 * in event order per ticket. Implement it in a Nest provider marked `@NotificationChannelProvider()`
 * inside your own module, import that module into AppModule, done: the dispatcher discovers it.
 * See docs/adding-a-channel.md.
 *
 * Delivery is at-least-once: an attempt cut short by a crash is attempted again, so make the
 * receiving side idempotent by `event.eventId` (or `ctx.deliveryId`).
 */
export interface NotificationChannel {
  /** Stable, unique name: stored on every delivery row and used as a metrics label. `[a-z][a-z0-9-]*`. */
  readonly name: string;

  /** Whether this channel wants the event at all. Cheap and synchronous; no I/O. */
  wants(event: DomainEvent): boolean;

  /**
   * Optional fan-out: the targets (subscriptions, workspaces...) this event goes to. Each target
   * becomes its own delivery with its own retries and ordering, so one failing target does not hold
   * back the others. Runs inside the dispatcher's transaction: query through `tx` only, keep it to
   * one indexed statement, never call the network. Omit it for a single implicit target ('').
   */
  targets?(event: DomainEvent, tx: EntityManager): Promise<string[]>;

  /** Delivers the event. Must not throw for expected failures; return `retry` or `failed`. */
  deliver(event: DomainEvent, ctx: DeliveryContext): Promise<DeliveryResult>;
}

/**
 * Marks a provider class as a notification channel so that the dispatcher discovers it:
 * `@NotificationChannelProvider() @Injectable() export class TeamsChannel implements NotificationChannel`.
 */
export const NotificationChannelProvider = DiscoveryService.createDecorator<void>();

export const CHANNEL_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/** Helpers for channel implementations. */
export const delivered = (): DeliveryResult => ({ status: 'delivered' });
export const retryLater = (reason: string, retryAfterMs?: number): DeliveryResult => ({ status: 'retry', reason, retryAfterMs });
export const permanentFailure = (reason: string): DeliveryResult => ({ status: 'failed', reason });
