import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { benchCoreApi } from './core-api.bench';
import { benchNotifications } from './notifications.bench';
import { benchSlaScanner } from './sla-scanner.bench';
import { benchSlackInbound } from './slack-inbound.bench';
import { benchSlackOutbound } from './slack-outbound.bench';

/**
 * `npm run bench`: runs every benchmark against the compiled service and writes docs/benchmarks.md.
 * BENCH_ONLY=core,sla,... runs a subset.
 */
const SUITES: { key: string; title: string; run: () => Promise<string> }[] = [
  { key: 'core', title: 'API hot paths', run: benchCoreApi },
  { key: 'sla', title: 'SLA scanner', run: benchSlaScanner },
  { key: 'notifications', title: 'Notification pipeline', run: benchNotifications },
  { key: 'slack-outbound', title: 'Slack outbound', run: benchSlackOutbound },
  { key: 'slack-inbound', title: 'Slack inbound', run: benchSlackInbound },
];

async function main() {
  const only = process.env.BENCH_ONLY?.split(',');
  const sections: string[] = [];
  for (const suite of SUITES.filter((s) => !only || only.includes(s.key))) {
    process.stdout.write(`== ${suite.title}\n`);
    const started = Date.now();
    try {
      sections.push(await suite.run());
    } catch (err) {
      sections.push(`## ${suite.title}\n\nFailed: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
    process.stdout.write(`   (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${execSync('psql --version').toString().trim()}`;
  // Which Nest HTTP adapter served the runs, so reports from the Express and Fastify builds can be told apart.
  const platform = httpPlatform();
  const doc = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}. HTTP platform: ${platform}. Everything (service, PostgreSQL, Redis, load generator, receivers) shares this machine, so absolute figures are modest; ratios and latency targets are what we track.`,
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  writeFileSync(join(__dirname, '..', '..', 'docs', 'benchmarks.md'), doc);
  process.stdout.write(`wrote docs/benchmarks.md\n`);
}

function httpPlatform(): string {
  for (const name of ['@nestjs/platform-fastify', '@nestjs/platform-express']) {
    try {
      return `${name} ${(require(`${name}/package.json`) as { version: string }).version}`;
    } catch {
      // not installed in this build
    }
  }
  return 'unknown';
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
