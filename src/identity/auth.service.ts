import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Principal } from './principal';
import { hashToken, newTokenSecret, tokenPrefix } from './token-secrets';

interface CacheEntry {
  principal: Principal | null;
  until: number;
}

/**
 * Resolves bearer tokens to principals. A short in-process cache (AUTH_CACHE_SECONDS) saves a
 * database round trip on every request; revoking a token clears it here at once and in other
 * processes within that many seconds.
 */
@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  async authenticate(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.principal;
    const rows: { id: string; user_id: string; name: string; email: string; role: Principal['role'] }[] =
      await this.db.query(
        // Wrapped in a CTE so TypeORM returns the rows (it returns [rows, count] for a bare UPDATE).
        `WITH used AS (
           UPDATE api_tokens t SET last_used_at = now()
             FROM users u
            WHERE t.token_hash = $1 AND u.id = t.user_id AND u.active
              AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
           RETURNING t.id, t.user_id, u.name, u.email, u.role)
         SELECT * FROM used`,
        [hash],
      );
    const row = rows[0];
    const principal = row
      ? { tokenId: row.id, userId: row.user_id, name: row.name, email: row.email, role: row.role }
      : null;
    if (this.config.AUTH_CACHE_SECONDS > 0) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, { principal, until: now + this.config.AUTH_CACHE_SECONDS * 1000 });
    }
    return principal;
  }

  /** Forget cached principals (after a revocation, a role change or a deactivation). */
  invalidate(): void {
    this.cache.clear();
  }

  /**
   * First start: make sure an admin can get in. ADMIN_API_TOKEN, when set, is registered as an admin
   * token. Without it, and with no usable admin token at all, one is created and printed once.
   */
  async onApplicationBootstrap(): Promise<void> {
    const envToken = this.config.ADMIN_API_TOKEN;
    await this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(7240002)');
      const admin = await this.ensureBootstrapAdmin(m);
      if (envToken) {
        await m.query(
          `UPDATE api_tokens SET revoked_at = now() WHERE name = 'ADMIN_API_TOKEN' AND revoked_at IS NULL AND token_hash <> $1`,
          [hashToken(envToken)],
        );
        await m.query(
          `INSERT INTO api_tokens (user_id, name, token_hash, prefix) VALUES ($1, 'ADMIN_API_TOKEN', $2, $3)
           ON CONFLICT (token_hash) DO UPDATE SET revoked_at = NULL`,
          [admin, hashToken(envToken), tokenPrefix(envToken)],
        );
        return;
      }
      const [{ count }] = await m.query(
        `SELECT count(*)::int AS count FROM api_tokens t JOIN users u ON u.id = t.user_id
          WHERE u.role = 'admin' AND u.active AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())`,
      );
      if (count > 0) return;
      const secret = newTokenSecret();
      await m.query(`INSERT INTO api_tokens (user_id, name, token_hash, prefix) VALUES ($1, 'bootstrap', $2, $3)`, [
        admin,
        hashToken(secret),
        tokenPrefix(secret),
      ]);
      // Printed once, to stderr and outside the structured log, which never carries tokens.
      process.stderr.write(
        `\n  Threadline created an admin API token. It is shown only this once:\n\n    ${secret}\n\n` +
          `  Use it as "Authorization: Bearer <token>", or set ADMIN_API_TOKEN to choose your own.\n\n`,
      );
    });
    this.logger.log('admin access ready');
  }

  private async ensureBootstrapAdmin(m: { query: DataSource['query'] }): Promise<string> {
    const existing: { id: string }[] = await m.query(
      `SELECT id FROM users WHERE role = 'admin' AND active ORDER BY created_at LIMIT 1`,
    );
    if (existing.length) return existing[0].id;
    const created: { id: string }[] = await m.query(
      `INSERT INTO users (name, email, role) VALUES ('Administrator', 'admin@threadline.local', 'admin')
       ON CONFLICT (lower(email)) DO UPDATE SET role = 'admin', active = true RETURNING id`,
    );
    return created[0].id;
  }
}
