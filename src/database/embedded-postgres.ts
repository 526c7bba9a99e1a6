import { mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** A postgres:// URL that `pg` connects to, served on loopback by the socket server. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite behind a PostgreSQL wire-protocol socket on 127.0.0.1, so that the embedded mode
 * uses exactly the same `pg` + TypeORM code path as an external server. PGlite is single-connection
 * (concurrent connections are undefined behaviour), so callers must use a pool of one.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  let location = dataDir;
  if (!dataDir.startsWith('memory://')) {
    location = resolve(dataDir, 'pg');
    mkdirSync(location, { recursive: true });
  }
  const db = await PGlite.create(location);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  // The server object does not expose the bound port through a public getter when port 0 is used.
  const address = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}
