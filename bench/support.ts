import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';

/** The PostgreSQL server benchmarks create their scratch databases on. */
export const BENCH_SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

export async function scratchDatabase(prefix = 'threadline_bench'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: BENCH_SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(BENCH_SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: BENCH_SERVER_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface ServiceProcess {
  port: number;
  url: string;
  proc: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a compiled entry point (dist/...) as its own process on a free port and waits until it answers. */
export async function startProcess(script: string, env: Record<string, string>, readyPath = '/health'): Promise<ServiceProcess> {
  const port = await freePort();
  const proc = spawn(process.execPath, [join(__dirname, '..', '..', script)], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line && output.length < 2000) output.push(line);
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const answering = (async () => {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}${readyPath}`);
        if (res.status < 500) return port;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await Promise.race([
    answering,
    new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`${script} did not start:\n${output.slice(-30).join('\n')}`)), 60_000)),
    new Promise<number>((_, reject) => proc.once('exit', (code) => reject(new Error(`${script} exited ${code}:\n${output.slice(-30).join('\n')}`)))),
  ]);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    proc,
    output,
    stop: () => stopProcess(proc),
  };
}

/** SIGTERM (graceful shutdown), then SIGKILL if it has not exited within 15 s. */
export function stopProcess(proc: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), 15_000).unref();
  });
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
