import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Pool } from 'pg';

/**
 * The bare baseline for the API benchmark: node:http and `pg`, no framework, no auth, no
 * validation, no outbox, doing the same inserts and selects as the API's hot paths. The ratio of the
 * real service to this shows what the framework and our guarantees cost.
 */
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });

const SELECT = `SELECT t.*, a.name AS a_name, r.name AS r_name, p.key AS p_key
  FROM tickets t LEFT JOIN users a ON a.id = t.assignee_id LEFT JOIN users r ON r.id = t.requester_id
  LEFT JOIN projects p ON p.id = t.project_id`;

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

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean);
    if (req.method === 'POST' && url.pathname === '/tickets') {
      const b = await readJson(req);
      const { rows } = await pool.query(
        `INSERT INTO tickets (title, description, priority, status) VALUES ($1, $2, $3, 'new') RETURNING *`,
        [b.title, b.description ?? '', b.priority],
      );
      return send(res, 201, rows[0]);
    }
    if (req.method === 'GET' && url.pathname === '/tickets') {
      const { rows } = await pool.query(`${SELECT} ORDER BY t.created_at DESC, t.id DESC LIMIT 50`);
      return send(res, 200, { items: rows });
    }
    if (req.method === 'GET' && parts[0] === 'tickets' && parts.length === 2) {
      const { rows } = await pool.query(`${SELECT} WHERE t.number = $1`, [Number(parts[1].replace(/^TKT-/i, ''))]);
      return rows.length ? send(res, 200, rows[0]) : send(res, 404, {});
    }
    if (req.method === 'POST' && parts[0] === 'tickets' && parts[2] === 'comments') {
      const b = await readJson(req);
      const { rows } = await pool.query(
        `INSERT INTO comments (ticket_id, body, visibility, source) SELECT id, $2, 'public', 'api' FROM tickets WHERE number = $1 RETURNING *`,
        [Number(parts[1].replace(/^TKT-/i, '')), b.body],
      );
      return send(res, 201, rows[0]);
    }
    if (url.pathname === '/health') return send(res, 200, { status: 'ok' });
    send(res, 404, {});
  } catch (err) {
    send(res, 500, { message: String(err) });
  }
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
