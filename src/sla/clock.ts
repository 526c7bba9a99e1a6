import { FactoryProvider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/**
 * The current time, as the SLA module sees it. Everything that asks "what time is it" for an SLA
 * (clock starts, pauses, completions, the view, the scanner) injects this instead of calling
 * `new Date()`, so tests can drive time explicitly and never sleep.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that only moves when told to. For tests; production never constructs one. */
export class ManualClock extends Clock {
  private current: number;

  constructor(start: Date | string = '2026-01-05T09:00:00Z') {
    super();
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(at: Date | string): this {
    this.current = new Date(at).getTime();
    return this;
  }

  advance(by: { minutes?: number; hours?: number; days?: number; ms?: number }): this {
    this.current += (by.ms ?? 0) + ((by.minutes ?? 0) + (by.hours ?? 0) * 60 + (by.days ?? 0) * 1440) * 60_000;
    return this;
  }
}

/**
 * Clocks bound to one application's configuration object. Only code can bind one (test helpers do,
 * through `startTestApp({ clock })`); no environment variable or request can, so a production
 * process always runs on the system clock.
 */
const boundClocks = new WeakMap<AppConfig, Clock>();

export function bindClock(config: AppConfig, clock: Clock): void {
  boundClocks.set(config, clock);
}

export const CLOCK_PROVIDER: FactoryProvider<Clock> = {
  provide: Clock,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => boundClocks.get(config) ?? new SystemClock(),
};
