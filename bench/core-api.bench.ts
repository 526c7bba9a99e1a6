import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { BENCH_ADMIN_TOKEN, fmt, scratchDatabase, ServiceProcess, startProcess } from './support';

/** Seconds per measured run; each server is measured ROUNDS times, taking turns with the others. */
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SEED = Number(process.env.BENCH_TICKETS ?? 100_000);

interface Scenario {
  name: string;
  target: number;
  project: autocannon.Options;
  /** The path on the baseline servers (same method, body and headers minus auth). */
  baseline: (serverUrl: string) => autocannon.Options;
}

/**
 * CPU time (user + system, µs) a process has used so far, from /proc (Linux; NaN elsewhere).
 * Per request, it is the server's own cost, much steadier than req/s on a shared machine.
 */
function cpuMicros(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpuPerRequest: number;
}

async function runOnce(server: ServiceProcess, opts: autocannon.Options) {
  const cpuBefore = cpuMicros(server.proc.pid);
  const r = await autocannon({ ...opts, duration: DURATION, connections: CONNECTIONS });
  return { r, cpu: cpuMicros(server.proc.pid) - cpuBefore };
}

/**
 * Measures the servers in turns (A, B, C, A, B, C, ...) so that a slow spell of the shared machine
 * falls on all of them rather than on whichever ran then. Per server: req/s over all its rounds,
 * the median p50 and the worst p99 of its rounds, CPU per request over all its rounds.
 */
async function measureInTurns(targets: { server: ServiceProcess; opts: autocannon.Options }[]): Promise<Measured[]> {
  for (const t of targets) await autocannon({ ...t.opts, duration: 2, connections: CONNECTIONS }); // warm-up
  const runs = targets.map(() => [] as { r: autocannon.Result; cpu: number }[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, t] of targets.entries()) runs[i].push(await runOnce(t.server, t.opts));
  }
  return runs.map((rs) => {
    const total = rs.reduce((n, x) => n + x.r.requests.total, 0);
    const p50s = rs.map((x) => x.r.latency.p50).sort((a, b) => a - b);
    return {
      rps: rs.reduce((n, x) => n + x.r['2xx'], 0) / (DURATION * rs.length),
      p50: p50s[Math.floor(p50s.length / 2)],
      p99: Math.max(...rs.map((x) => x.r.latency.p99)),
      errors: rs.reduce((n, x) => n + x.r.non2xx + x.r.errors, 0),
      cpuPerRequest: rs.reduce((n, x) => n + x.cpu, 0) / total,
    };
  });
}

/**
 * Requests per second and latency of the API's hot paths on PostgreSQL with 100k tickets stored,
 * against bare node:http + pg servers (same statements, and a one-statement floor). All run as their own processes.
 */
export async function benchCoreApi(): Promise<string> {
  const db = await scratchDatabase();
  const app = await startProcess('dist/src/main.js', { DATABASE_URL: db.url, ADMIN_API_TOKEN: BENCH_ADMIN_TOKEN, PROCESS_ROLE: 'api', SLA_SCAN_INTERVAL_MS: '0' });
  const baseline = await startProcess('dist/bench/baseline-server.js', { DATABASE_URL: db.url, BASELINE: 'same' });
  const minimal = await startProcess('dist/bench/baseline-server.js', { DATABASE_URL: db.url, BASELINE: 'minimal' });
  try {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    await pg.query(
      `INSERT INTO tickets (title, description, priority, status, created_at, updated_at)
       SELECT 'Seeded ticket ' || g, 'Seeded for the benchmark', (ARRAY['critical','high','medium','low'])[1 + g % 4],
              (ARRAY['new','open','in_progress','pending'])[1 + g % 4], now() - g * interval '1 second', now() - g * interval '1 second'
         FROM generate_series(1, $1::int) g`,
      [SEED],
    );
    await pg.query('ANALYZE');
    await pg.end();
    const auth = { Authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'Content-Type': 'application/json' };
    const json = { 'Content-Type': 'application/json' };
    const mid = `TKT-${Math.floor(SEED / 2)}`;
    const ticketBody = JSON.stringify({ title: 'Benchmark ticket', description: 'Created by the benchmark', priority: 'medium' });
    const commentBody = JSON.stringify({ body: 'A benchmark comment with **Markdown**' });
    const scenarios: Scenario[] = [
      { name: 'create ticket', target: 0.5, project: { url: `${app.url}/api/v1/tickets`, method: 'POST', headers: auth, body: ticketBody }, baseline: (u) => ({ url: `${u}/tickets`, method: 'POST', headers: json, body: ticketBody }) },
      { name: 'get ticket', target: 0.6, project: { url: `${app.url}/api/v1/tickets/${mid}`, headers: auth }, baseline: (u) => ({ url: `${u}/tickets/${mid}` }) },
      { name: `list tickets (50 of ${SEED / 1000}k)`, target: 0.6, project: { url: `${app.url}/api/v1/tickets?limit=50`, headers: auth }, baseline: (u) => ({ url: `${u}/tickets` }) },
      { name: 'create comment', target: 0.5, project: { url: `${app.url}/api/v1/tickets/${mid}/comments`, method: 'POST', headers: auth, body: commentBody }, baseline: (u) => ({ url: `${u}/tickets/${mid}/comments`, method: 'POST', headers: json, body: commentBody }) },
    ];
    const rows: string[] = [];
    let listP99 = NaN;
    for (const s of scenarios) {
      const [p, b, f] = await measureInTurns([
        { server: app, opts: s.project },
        { server: baseline, opts: s.baseline(baseline.url) },
        { server: minimal, opts: s.baseline(minimal.url) },
      ]);
      const ratio = p.rps / b.rps;
      if (s.name.startsWith('list')) listP99 = p.p99;
      rows.push(
        `| ${s.name} | ${fmt(p.rps, 0)} | ${fmt(p.p50)} | ${fmt(p.p99)} | ${fmt(b.rps, 0)} | ${fmt(b.p50)} | ${fmt(b.p99)} | ${fmt(ratio, 2)} | ≥ ${s.target} ${ratio >= s.target ? '✅' : '❌'} | ${fmt(p.cpuPerRequest, 0)} | ${fmt(b.cpuPerRequest, 0)} | ${fmt(f.rps, 0)} | ${p.errors + b.errors + f.errors} |`,
      );
      process.stdout.write(`  ${s.name}: ${fmt(p.rps, 0)} req/s vs baseline ${fmt(b.rps, 0)} (ratio ${fmt(ratio, 2)}); one-statement floor ${fmt(f.rps, 0)}\n`);
    }
    return [
      `## API hot paths (PostgreSQL, ${SEED.toLocaleString('en')} tickets stored)`,
      '',
      `autocannon, ${CONNECTIONS} connections. Per path, after a 2 s warm-up of each server, the three servers take turns: ${ROUNDS} rounds of ${DURATION} s each, ` +
        'so a slow spell of the shared machine falls on all of them; req/s is over all rounds, p50 the median and p99 the worst of the rounds. ' +
        'The service (`PROCESS_ROLE=api`) and two bare node:http + pg servers (no framework, auth, validation, logging or error format) each run as their own process against the same database. ' +
        'The **baseline** sends the same statements as the service on each path, in the same transactions (ticket and SLA clocks in one select; ' +
        'create ticket: BEGIN, insert with its activity row, outbox row with its NOTIFY, policy lookup, SLA clocks, COMMIT, then the SLA view; ' +
        'create comment: BEGIN, ticket, comment, outbox, SLA clock lock, COMMIT), so the ratio is what the framework and application code cost per request. ' +
        'The **one-statement floor** sends a single insert or select with no activity, outbox or SLA work: what a server without those guarantees would reach. ' +
        '"CPU µs/req" is the CPU time (user + system, from /proc) the server process itself used per request during its measured rounds: PostgreSQL and the load generator share the two cores, ' +
        'so req/s moves with whatever else runs, while this shows the service\'s own cost beside the baseline\'s. Latencies in ms.',
      '',
      '| scenario | req/s | p50 | p99 | baseline req/s | baseline p50 | baseline p99 | ratio | target | CPU µs/req | baseline CPU µs/req | one-statement floor req/s | non-2xx |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      `List p99 with ${SEED.toLocaleString('en')} tickets: ${fmt(listP99)} ms (target < 50 ms ${listP99 < 50 ? '✅' : '❌'}).`,
    ].join('\n');
  } finally {
    await app.stop();
    await baseline.stop();
    await minimal.stop();
    await db.drop();
  }
}
