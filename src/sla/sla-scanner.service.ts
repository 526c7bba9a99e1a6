import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Bull from 'bull';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { OutboxService } from '../outbox/outbox.service';
import { TicketsService } from '../tickets/tickets.service';
import { CalendarsRepository } from './calendars/calendars.repository';
import { Clock } from './clock';
import { PoliciesRepository } from './policies/policies.repository';
import { SLA_CONTEXT, slaEventPayload } from './sla-clocks.service';
import { ScanKind, SlaStateRepository } from './sla-state.repository';

export interface ScanResult {
  warning: number;
  breached: number;
  overdue: number;
}

const EVENT_OF = { warning: 'sla.warning', breached: 'sla.breached', overdue: 'ticket.overdue' } as const;
/** Breaches first: a clock found past due and past warning in one scan gets its breach, not a stale warning. */
const ORDER: ScanKind[] = ['breached', 'overdue', 'warning'];
export const SCAN_BATCH = 200;
export const SLA_SCAN_QUEUE = 'sla-scan';

/**
 * Finds clocks whose warning or due time has passed and emits `sla.warning`, `sla.breached` and
 * `ticket.overdue` through the outbox. Each claim marks the rows as emitted for their episode and
 * appends the events in one transaction (`UPDATE ... FOR UPDATE SKIP LOCKED ... RETURNING`), so
 * any number of scanners, in any number of processes, emit each event exactly once. Each query
 * walks a partial index holding only clocks still owed that event, so the cost follows what is
 * due, not what is stored.
 *
 * Scheduling (PROCESS_ROLE worker or all, SLA_SCAN_INTERVAL_MS > 0): a Bull repeatable job when
 * REDIS_URL is set (one worker takes each tick), an in-process timer otherwise.
 */
@Injectable()
export class SlaScannerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SlaScanner');
  private timer: NodeJS.Timeout | undefined;
  private queue: Bull.Queue | undefined;
  private inFlight: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly clocks: SlaStateRepository,
    private readonly policies: PoliciesRepository,
    private readonly calendars: CalendarsRepository,
    private readonly tickets: TicketsService,
    private readonly outbox: OutboxService,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.config.SLA_SCAN_INTERVAL_MS;
    if (interval <= 0 || this.config.PROCESS_ROLE === 'api') return;
    if (this.config.queuesEnabled) {
      this.startQueue(interval).catch((err) => this.logger.error(`could not schedule the SLA scan job: ${err}`));
    } else {
      this.timer = setInterval(() => void this.tick(), interval);
      this.timer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // Closing waits for a job in progress; then no scan touches the database after this returns.
    await this.queue?.close().catch(() => undefined);
    await this.inFlight?.catch(() => undefined);
  }

  /** One full scan at the injected clock's now; safe to call concurrently, from any process. */
  async scanOnce(): Promise<ScanResult> {
    const now = this.clock.now();
    const result: ScanResult = { warning: 0, breached: 0, overdue: 0 };
    for (const kind of ORDER) {
      for (;;) {
        const claimed = await this.claimBatch(kind, now);
        result[kind] += claimed.emitted;
        if (claimed.rows < SCAN_BATCH) break;
      }
    }
    if (result.warning + result.breached + result.overdue > 0) this.outbox.notifyCommitted();
    return result;
  }

  private async claimBatch(kind: ScanKind, now: Date): Promise<{ rows: number; emitted: number }> {
    return this.db.transaction(async (m) => {
      const rows = await this.clocks.claim(m, kind, now, SCAN_BATCH);
      if (!rows.length) return { rows: 0, emitted: 0 };
      const policyIds = [...new Set(rows.map((r) => r.policyId).filter((id): id is string => !!id))];
      const names = new Map<string, string>(
        policyIds.length
          ? (await m.query(`SELECT id, name FROM sla_policies WHERE id = ANY($1::uuid[])`, [policyIds])).map((p: { id: string; name: string }) => [p.id, p.name])
          : [],
      );
      const calendarIds = [...new Set(rows.map((r) => r.calendarId).filter((id): id is string => !!id))];
      const calendars = await this.calendars.findByIds(calendarIds, m);
      let emitted = 0;
      for (const row of rows) {
        // A warning found after the due time is moot: the breach says more. It is marked, not sent.
        if (kind === 'warning' && row.dueAt <= now) continue;
        const ticket = await this.tickets.snapshot(row.ticketId, m);
        const calendar = row.calendarId ? (calendars.get(row.calendarId) ?? null) : null;
        const payload = slaEventPayload(row, ticket, row.policyId ? (names.get(row.policyId) ?? null) : null, calendar, now);
        await this.outbox.append(m, EVENT_OF[kind], row.ticketId, payload, SLA_CONTEXT);
        emitted++;
      }
      return { rows: rows.length, emitted };
    });
  }

  /** Timer tick: never overlaps itself, never throws out of the timer. */
  private async tick(): Promise<void> {
    if (this.inFlight || this.stopped) return;
    this.inFlight = this.scanOnce()
      .catch((err) => this.logger.error(`SLA scan failed: ${err instanceof Error ? err.stack : String(err)}`))
      .finally(() => (this.inFlight = undefined));
    await this.inFlight;
  }

  private async startQueue(every: number): Promise<void> {
    const queue = new Bull(SLA_SCAN_QUEUE, this.config.REDIS_URL!, { prefix: this.config.QUEUE_PREFIX });
    this.queue = queue;
    queue.on('error', (err) => this.logger.warn(`SLA scan queue: ${err.message}`));
    void queue.process(1, async () => {
      if (this.stopped) return { skipped: true };
      return this.scanOnce();
    });
    // One schedule per deployment: drop schedules left by an earlier interval, then (idempotently) add ours.
    for (const job of await queue.getRepeatableJobs()) {
      if (Number(job.every) !== every) await queue.removeRepeatableByKey(job.key);
    }
    if (this.stopped) return;
    await queue.add({}, { repeat: { every }, jobId: SLA_SCAN_QUEUE, removeOnComplete: true, removeOnFail: 50 });
  }
}
