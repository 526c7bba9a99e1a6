import type { DeliveryRef } from './deliveries.repository';

export type ScheduledDelivery = Pick<DeliveryRef, 'id' | 'eventId' | 'channel' | 'target'>;

/**
 * Runs delivery attempts at the right time: Bull jobs in services mode, timers in embedded mode.
 * The deliveries table is the truth; a scheduler only holds "attempt delivery X at time T", so
 * losing it (a crash, Redis down) loses nothing: the dispatcher's sweeper schedules again.
 */
export interface DeliveryScheduler {
  readonly mode: 'bull' | 'in-process';
  /** How long a due delivery may wait for its job before the sweeper assumes the job is gone. */
  readonly sweepGraceMs: number;
  /** Begins running attempts (processes with PROCESS_ROLE worker or all). */
  start(): void;
  /** Idempotent per delivery. Resolves false when it could not be scheduled now (left to the sweeper). */
  schedule(delivery: ScheduledDelivery, delayMs: number): Promise<boolean>;
  /** Stops taking work and waits for attempts in flight. */
  close(): Promise<void>;
}

/** `${channel}:${eventId}`, or `${channel}:${target}:${eventId}` for a channel with targets. */
export const jobIdOf = (d: ScheduledDelivery) => (d.target ? `${d.channel}:${d.target}:${d.eventId}` : `${d.channel}:${d.eventId}`);
