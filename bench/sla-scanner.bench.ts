import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/config/app-config';
import { bindClock, ManualClock } from '../src/sla/clock';
import { SlaScannerService } from '../src/sla/sla-scanner.service';
import { claimSql } from '../src/sla/sla-state.repository';
import { BENCH_ADMIN_TOKEN, fmt, percentile, scratchDatabase } from './support';

const SIZES = (process.env.BENCH_SLA_SIZES ?? '1000,100000').split(',').map(Number);
const DUE = Number(process.env.BENCH_SLA_DUE ?? 100);
const RUNS = Number(process.env.BENCH_SLA_RUNS ?? 15);
const NOW = new Date('2026-03-02T12:00:00Z');

/**
 * Seeds `openTickets` open tickets with both SLA clocks straight in SQL, shaped like a busy desk:
 * a third already breached and reported (out of the scanner's indexes), the rest due in the future,
 * and none due now. `makeDue` then puts `count` clocks past due and unreported.
 */
async function seed(pg: Client, openTickets: number) {
  await pg.query(`TRUNCATE ticket_sla, outbox, ticket_activity, comments, tickets CASCADE`);
  await pg.query(
    `INSERT INTO tickets (title, priority, status, created_at, updated_at)
     SELECT 'Seeded ' || g, 'high', 'open', $2::timestamptz - g * interval '1 second', $2::timestamptz
       FROM generate_series(1, $1::int) g`,
    [openTickets, NOW],
  );
  const policy = (await pg.query(`SELECT id FROM sla_policies WHERE project_id IS NULL`)).rows[0].id;
  // Due times spread from 3 days ago to 3 days ahead; the past ones are already reported.
  await pg.query(
    `INSERT INTO ticket_sla (ticket_id, target, policy_id, target_minutes, warning_percent, started_at, due_at, warning_at,
                             warning_emitted_episode, breached_emitted_episode, overdue_emitted_episode)
     SELECT t.id, tg.target, $1, 60, 80, d.due - interval '60 minutes', d.due, d.due - interval '12 minutes',
            CASE WHEN d.due - interval '12 minutes' <= $2 THEN 1 ELSE 0 END,
            CASE WHEN d.due <= $2 THEN 1 ELSE 0 END,
            CASE WHEN d.due <= $2 THEN 1 ELSE 0 END
       FROM tickets t
       CROSS JOIN (VALUES ('first_response'), ('resolution')) tg(target)
       CROSS JOIN LATERAL (SELECT $2::timestamptz + ((t.number % 8640) - 4320) * interval '1 minute'
                                  + CASE WHEN tg.target = 'resolution' THEN interval '7 hours' ELSE interval '0' END AS due) d`,
    [policy, NOW],
  );
  await pg.query(`VACUUM ANALYZE ticket_sla`);
  await pg.query(`ANALYZE tickets`);
}

/** Puts `count` resolution clocks 5 minutes past due and unreported (the scanner's work for one run). */
async function makeDue(pg: Client, count: number) {
  await pg.query(
    `UPDATE ticket_sla SET due_at = $2::timestamptz - interval '5 minutes', warning_at = $2::timestamptz - interval '17 minutes',
            warning_emitted_episode = 0, breached_emitted_episode = 0, overdue_emitted_episode = 0
      WHERE target = 'resolution' AND ticket_id IN (SELECT id FROM tickets ORDER BY number LIMIT $1)`,
    [count, NOW],
  );
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * Cost of one SLA scan as stored tickets grow: the same number of due clocks among 1k and 100k open
 * tickets (each with two clocks), on PostgreSQL. Flat is the goal: each claim walks a partial index
 * holding only clocks still owed an event.
 */
export async function benchSlaScanner(): Promise<string> {
  const db = await scratchDatabase('threadline_bench_sla');
  let app: INestApplicationContext | undefined;
  const pg = new Client({ connectionString: db.url });
  try {
    const config = loadConfig({ DATABASE_URL: db.url, ADMIN_API_TOKEN: BENCH_ADMIN_TOKEN, LOG_LEVEL: 'warn', SLA_SCAN_INTERVAL_MS: '0' });
    bindClock(config, new ManualClock(NOW));
    app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
    await app.init();
    const scanner = app.get(SlaScannerService);
    await pg.connect();

    const rows: string[] = [];
    let plan = '';
    for (const size of SIZES) {
      await seed(pg, size);
      const idle: number[] = [];
      const busy: number[] = [];
      for (let i = 0; i < 3; i++) {
        // warm-up (JIT, plans, pool), not timed
        await makeDue(pg, DUE);
        await scanner.scanOnce();
      }
      for (let i = 0; i < RUNS; i++) idle.push(await time(() => scanner.scanOnce()));
      for (let i = 0; i < RUNS; i++) {
        await makeDue(pg, DUE);
        busy.push(
          await time(async () => {
            const r = await scanner.scanOnce();
            if (r.breached !== DUE || r.overdue !== DUE) throw new Error(`expected ${DUE} breaches and overdues, got ${JSON.stringify(r)}`);
          }),
        );
      }
      idle.sort((a, b) => a - b);
      busy.sort((a, b) => a - b);
      const clocks = (await pg.query(`SELECT count(*)::int AS n FROM ticket_sla`)).rows[0].n;
      rows.push(
        `| ${size.toLocaleString('en')} | ${clocks.toLocaleString('en')} | ${fmt(percentile(idle, 50), 2)} | ${fmt(percentile(idle, 95), 2)} | ` +
          `${fmt(percentile(busy, 50))} | ${fmt(percentile(busy, 95))} | ${fmt(percentile(busy, 50) / (DUE * 2), 2)} |`,
      );
      if (size === Math.max(...SIZES)) {
        await makeDue(pg, DUE);
        const sql = claimSql('breached');
        const lines = (r: { rows: Record<string, string>[] }) => r.rows.map((x) => x['QUERY PLAN']).join('\n');
        await pg.query('BEGIN');
        const select = await pg.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql.select}`, [NOW, 200]);
        const due = await pg.query(sql.select, [NOW, 200]);
        const update = await pg.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql.update}`, [
          due.rows.map((d) => d.ticket_id),
          due.rows.map((d) => d.target),
        ]);
        await pg.query('ROLLBACK');
        plan = `-- claim: lock the due rows\n${lines(select)}\n\n-- mark them by primary key\n${lines(update)}`;
      }
    }
    return [
      '## SLA scanner',
      '',
      `\`SlaScannerService.scanOnce()\` on PostgreSQL, in process, median and p95 of ${RUNS} runs. Every stored ticket is open with two clocks; ` +
        `a third were breached earlier (already reported), the rest are due within three days. "idle": nothing is due; ` +
        `"${DUE} due": ${DUE} resolution clocks past due, so one scan emits ${DUE} \`sla.breached\` + ${DUE} \`ticket.overdue\` through the outbox.`,
      '',
      `| open tickets | clocks stored | idle p50 ms | idle p95 ms | ${DUE} due p50 ms | ${DUE} due p95 ms | ms per event |`,
      '|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      `Plan of the breach claim with ${Math.max(...SIZES).toLocaleString('en')} open tickets (\`EXPLAIN ANALYZE\`, rolled back): ` +
        'the partial index `ticket_sla_breach_due_idx` holds only clocks still owed a breach event, so the scan reads the due rows and nothing else.',
      '',
      '```',
      plan,
      '```',
    ].join('\n');
  } finally {
    await pg.end().catch(() => undefined);
    await app?.close();
    await db.drop();
  }
}

if (require.main === module) {
  benchSlaScanner()
    .then((md) => process.stdout.write(`${md}\n`))
    .catch((err) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}
