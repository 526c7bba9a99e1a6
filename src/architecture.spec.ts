import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The module boundaries of docs/architecture.md as a failing check: domain modules never import a
 * channel or the notification pipeline, and channels never import each other.
 */
const SRC = __dirname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|require\(['"]([^'"]+)['"]\)/g)];
  return found
    .map((m) => m[1] ?? m[2])
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(SRC, join(file, '..', spec)));
}

const DOMAIN = ['identity', 'projects', 'tickets', 'comments', 'sla', 'events', 'outbox'];

describe('module boundaries', () => {
  const all = files(SRC).map((f) => ({ file: relative(SRC, f), imports: importsOf(f) }));

  it('finds the source files it checks', () => {
    expect(all.filter((f) => f.file.startsWith('tickets/')).length).toBeGreaterThan(3);
    expect(all.filter((f) => f.file.startsWith('channels/slack/')).length).toBeGreaterThan(3);
  });

  it('domain modules import no channel and not the notification pipeline', () => {
    const offending = all
      .filter((f) => DOMAIN.some((d) => f.file.startsWith(`${d}/`)))
      .flatMap((f) => f.imports.filter((i) => i.startsWith('channels/') || i.startsWith('notifications/')).map((i) => `${f.file} -> ${i}`));
    expect(offending).toEqual([]);
  });

  it('only bootstrap.ts depends on the HTTP platform; elsewhere Fastify contributes types only', () => {
    // Keeps the platform one file's decision (docs/decisions/0001): the rest compiles to the same code on any adapter.
    const offending = files(SRC)
      .filter((f) => relative(SRC, f) !== 'bootstrap.ts')
      .flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/^import\s+(type\s+)?[^;]*?from\s+['"]([^'"]+)['"]/gm)]
          .filter(([, typeOnly, spec]) => /^@nestjs\/platform-|^express$/.test(spec) || (/^fastify$|^@fastify\//.test(spec) && !typeOnly))
          .map(([, , spec]) => `${relative(SRC, f)} -> ${spec}`),
      );
    expect(offending).toEqual([]);
  });

  it('channels do not import each other', () => {
    const offending = all
      .filter((f) => f.file.startsWith('channels/'))
      .flatMap((f) => {
        const own = f.file.split('/')[1];
        return f.imports.filter((i) => i.startsWith('channels/') && i.split('/')[1] !== own).map((i) => `${f.file} -> ${i}`);
      });
    expect(offending).toEqual([]);
  });
});
