import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Pool, PoolClient } from 'pg';
import { CLOCKS_OF_TICKET_JSON, POLICY_TERMS_OF_TICKET } from '../src/sla/sla-view.sql';

/**
 * The bare baseline for the API benchmark: node:http and `pg`, no framework, no auth, no
 * validation, no logging, no error format.
 *
 * BASELINE=same (the default) sends the same statements, in the same order and transactions, as
 * the service does on each hot path (compare a PostgreSQL statement log of both), so the ratio of
 * the service to it is what the framework and the application code cost per request — the measure
 * the targets are set on. BASELINE=minimal sends one statement per request (an insert or a select
 * with no activity, outbox or SLA), a floor shown for reference.
 */
const MODE = process.env.BASELINE === 'minimal' ? 'minimal' : 'same';
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });

const TICKET = `SELECT t.id, t.number, t.title, t.description, t.status, t.priority, t.version, t.created_by_id,
         t.created_at, t.updated_at, t.resolved_at, t.closed_at, t.priority_rank,
         a.id AS a_id, a.name AS a_name, a.email AS a_email,
         r.id AS r_id, r.name AS r_name, r.email AS r_email,
         p.id AS p_id, p.key AS p_key, p.name AS p_name`;
const JOINS = `LEFT JOIN users a ON a.id = t.assignee_id LEFT JOIN users r ON r.id = t.requester_id
    LEFT JOIN projects p ON p.id = t.project_id`;
/** Reads select the ticket with its SLA clocks as one JSON column, as the service does. */
const READ = MODE === 'same' ? `${TICKET}, (${CLOCKS_OF_TICKET_JSON}) AS view_sla FROM tickets t ${JOINS}` : `${TICKET} FROM tickets t ${JOINS}`;
const CLOCK_COLUMNS = `ticket_id, target, policy_id, calendar_id, target_minutes, warning_percent, started_at,
  completed_at, paused_since, pauses, due_at, warning_at, episode, warning_emitted_episode,
  breached_emitted_episode, overdue_emitted_episode`;

function send(res: ServerResponse, status: number, body: unknown) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}

async function readJson(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString() || '{}');
}

async function inTransaction<T>(work: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('START TRANSACTION');
    const result = await work(c);
    await c.query('COMMIT');
    return result;
  } catch (err) {
    await c.query('ROLLBACK');
    throw err;
  } finally {
    c.release();
  }
}

const outbox = (c: PoolClient, type: string, ticketId: string, payload: unknown) =>
  c.query(
    `WITH e AS (
       INSERT INTO outbox (type, schema_version, aggregate_type, aggregate_id, payload, actor, origin)
       VALUES ($1, 1, 'ticket', $2, $3, $4, $5) RETURNING id)
     SELECT pg_notify('threadline_outbox', '') FROM e`,
    [type, ticketId, JSON.stringify(payload), JSON.stringify({ type: 'user', id: null, name: 'Baseline' }), JSON.stringify({ channel: 'api' })],
  );

const number = (ref: string) => Number(ref.replace(/^TKT-/i, ''));

async function createTicket(b: Record<string, string>) {
  if (MODE === 'minimal') {
    const { rows } = await pool.query(`INSERT INTO tickets (title, description, priority, status) VALUES ($1, $2, $3, 'new') RETURNING *`, [
      b.title,
      b.description ?? '',
      b.priority,
    ]);
    return rows[0];
  }
  const ticket = await inTransaction(async (c) => {
    const { rows } = await c.query(
      `WITH t AS (
         INSERT INTO tickets (title, description, priority, status, assignee_id, requester_id, project_id, created_by_id)
         VALUES ($1, $2, $3, 'new', NULL, NULL, NULL, NULL) RETURNING *),
       created AS (
         INSERT INTO ticket_activity (ticket_id, actor_id, actor_name, origin, action, to_value)
         SELECT t.id, NULL, 'Baseline', 'api', 'created', 'TKT-' || t.number FROM t)
       ${TICKET} FROM t ${JOINS}`,
      [b.title, b.description ?? '', b.priority],
    );
    const t = rows[0];
    await outbox(c, 'ticket.created', t.id, { ticket: t });
    const terms = await c.query(POLICY_TERMS_OF_TICKET, [t.id]);
    const policy = terms.rows[0];
    if (policy) {
      // Around the clock, no calendar: the due times are plain additions.
      const minutes = policy.targets[t.priority];
      const now = Date.now();
      const row = (target: string, m: number) => [t.id, target, policy.id, null, m, policy.warning_percent, new Date(now), null, null, '[]',
        new Date(now + m * 60_000), new Date(now + (m * 60_000 * policy.warning_percent) / 100), 1, 0, 0, 0];
      const params = [...row('first_response', minutes.firstResponseMinutes), ...row('resolution', minutes.resolutionMinutes)];
      await c.query(
        `INSERT INTO ticket_sla (${CLOCK_COLUMNS}) VALUES (${params.slice(0, 16).map((_, i) => `$${i + 1}`).join(', ')}),
           (${params.slice(16).map((_, i) => `$${i + 17}`).join(', ')})
         ON CONFLICT (ticket_id, target) DO UPDATE SET due_at = EXCLUDED.due_at, updated_at = now()`,
        params,
      );
    }
    return t;
  });
  const sla = await pool.query(
    `SELECT ${CLOCK_COLUMNS.split(',').map((c) => `s.${c.trim()}`).join(', ')}, p.name AS policy_name, c.time_zone, c.working_hours, c.holidays
       FROM ticket_sla s LEFT JOIN sla_policies p ON p.id = s.policy_id LEFT JOIN sla_calendars c ON c.id = s.calendar_id
      WHERE s.ticket_id = ANY($1::uuid[])`,
    [[ticket.id]],
  );
  return { ...ticket, sla: sla.rows };
}

async function createComment(ref: string, b: Record<string, string>) {
  if (MODE === 'minimal') {
    const { rows } = await pool.query(
      `INSERT INTO comments (ticket_id, body, visibility, source) SELECT id, $2, 'public', 'api' FROM tickets WHERE number = $1 RETURNING *`,
      [number(ref), b.body],
    );
    return rows[0];
  }
  return inTransaction(async (c) => {
    const ticket = (await c.query(`${TICKET} FROM tickets t ${JOINS} WHERE t.number = $1`, [number(ref)])).rows[0];
    if (!ticket) return undefined;
    const { rows } = await c.query(
      `WITH c AS (
         INSERT INTO comments (ticket_id, author_id, external_author_name, external_author_id, body, visibility, source, external_ref)
         VALUES ($1, NULL, NULL, NULL, $2, 'public', 'api', NULL) ON CONFLICT (external_ref) DO NOTHING RETURNING *)
       SELECT c.id, c.ticket_id, c.body, c.visibility, c.source, c.external_ref, c.created_at, c.updated_at,
              c.edited_at, c.deleted_at, c.author_id, c.external_author_name, u.name AS u_name, u.email AS u_email
         FROM c LEFT JOIN users u ON u.id = c.author_id`,
      [ticket.id, b.body],
    );
    await outbox(c, 'comment.created', ticket.id, { ticket, comment: rows[0] });
    // The first-response check: lock the ticket's clocks (the benchmark's seeded tickets have none).
    await c.query(`SELECT ${CLOCK_COLUMNS} FROM ticket_sla WHERE ticket_id = $1 ORDER BY target FOR UPDATE`, [ticket.id]);
    return rows[0];
  });
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean);
    if (req.method === 'POST' && url.pathname === '/tickets') return send(res, 201, await createTicket(await readJson(req)));
    if (req.method === 'GET' && url.pathname === '/tickets') {
      const { rows } = await pool.query(`${READ} ORDER BY t.created_at DESC, t.id DESC LIMIT 51`);
      return send(res, 200, { items: rows.slice(0, 50) });
    }
    if (req.method === 'GET' && parts[0] === 'tickets' && parts.length === 2) {
      const { rows } = await pool.query(`${READ} WHERE t.number = $1`, [number(parts[1])]);
      return rows.length ? send(res, 200, rows[0]) : send(res, 404, {});
    }
    if (req.method === 'POST' && parts[0] === 'tickets' && parts[2] === 'comments') {
      const comment = await createComment(parts[1], await readJson(req));
      return comment ? send(res, 201, comment) : send(res, 404, {});
    }
    if (url.pathname === '/health') return send(res, 200, { status: 'ok' });
    send(res, 404, {});
  } catch (err) {
    send(res, 500, { message: String(err) });
  }
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
