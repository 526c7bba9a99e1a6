import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase, dropScratchDatabase } from './support/test-app';

/**
 * Starts the service as `npm start` does (a real process, real stdout), to check what only a whole
 * process shows: the first-start admin token, structured logs with request ids, no secrets in logs.
 */
interface Running {
  proc: ChildProcess;
  out: string[];
  port: number;
  stop(): Promise<void>;
}

async function startService(env: Record<string, string>): Promise<Running> {
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: join(__dirname, '..'),
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const collect = (chunk: Buffer) => out.push(...chunk.toString().split('\n').filter(Boolean));
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${out.join('\n')}`)), 45_000);
    const check = () => {
      const line = out.find((l) => l.includes('listening on'));
      if (line) {
        clearTimeout(timer);
        resolve(Number(/:(\d+)/.exec(line.slice(line.indexOf('listening on')))![1]));
      } else if (proc.exitCode !== null) {
        clearTimeout(timer);
        reject(new Error(`service exited ${proc.exitCode}:\n${out.join('\n')}`));
      } else setTimeout(check, 50);
    };
    check();
  });
  return {
    proc,
    out,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

describe('the service as a process', () => {
  jest.setTimeout(120_000);
  let dataDir: string;
  let databaseUrl: string | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-'));
    if (process.env.DATABASE_URL) databaseUrl = await createScratchDatabase(process.env.DATABASE_URL);
  });
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    if (databaseUrl) await dropScratchDatabase(process.env.DATABASE_URL!, databaseUrl);
  });
  const dbEnv = (): Record<string, string> => (databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: dataDir });

  it('prints an admin token once on first start; it works, survives a restart and is never logged', async () => {
    const first = await startService(dbEnv());
    let token: string;
    try {
      const tokenLine = first.out.find((l) => /^\s+tl_[\w-]{40,}\s*$/.test(l));
      expect(tokenLine).toBeDefined();
      token = tokenLine!.trim();
      const res = await fetch(`http://127.0.0.1:${first.port}/api/v1/tickets`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Request-Id': 'req-from-test-1' },
        body: JSON.stringify({ title: 'From a real process', priority: 'low' }),
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-request-id')).toBe('req-from-test-1');
    } finally {
      await first.stop();
    }
    const requestLog = first.out.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((j) => j.req?.url === '/api/v1/tickets');
    expect(requestLog).toMatchObject({ req: { id: 'req-from-test-1', method: 'POST', headers: { authorization: '[redacted]' } }, res: { statusCode: 201 } });
    const logLines = first.out.filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(3);
    expect(logLines.join('\n')).not.toContain(token!);

    const second = await startService(dbEnv());
    try {
      expect(second.out.some((l) => /^\s+tl_[\w-]{40,}\s*$/.test(l))).toBe(false);
      const res = await fetch(`http://127.0.0.1:${second.port}/api/v1/tickets?q=real`, { headers: { Authorization: `Bearer ${token!}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  const exitOf = async (env: Record<string, string>) => {
    const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: join(__dirname, '..'),
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    proc.stderr.on('data', (c) => (err += c));
    const code = await new Promise((resolve) => proc.on('exit', resolve));
    return { code, err };
  };

  it('refuses to start with a bad setting, naming it', async () => {
    const { code, err } = await exitOf({ PORT: 'eighty', DATABASE_URL: 'mysql://nope' });
    expect(code).toBe(2);
    expect(err).toMatch(/PORT/);
    expect(err).toMatch(/DATABASE_URL/);
  });

  it('refuses to start with a bad channel setting, naming it', async () => {
    const { code, err } = await exitOf({ DATA_DIR: 'memory://', PORT: '0', SLACK_BOT_TOKEN: 'not-a-token' });
    expect(code).toBe(2);
    expect(err).toMatch(/SLACK_BOT_TOKEN must be a Slack token/);
  });
});
