import { MigrationInterface, QueryRunner } from 'typeorm';

/** Identity, projects, tickets with their activity log, comments, and the transactional outbox. */
export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(200) NOT NULL,
        email varchar(320) NOT NULL,
        role varchar(16) NOT NULL CHECK (role IN ('admin', 'agent')),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        name varchar(200) NOT NULL,
        token_hash char(64) NOT NULL UNIQUE,
        prefix varchar(16) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        last_used_at timestamptz(3),
        expires_at timestamptz(3),
        revoked_at timestamptz(3)
      )`);
    await q.query(`CREATE INDEX api_tokens_user_idx ON api_tokens (user_id)`);
    await q.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key varchar(10) NOT NULL UNIQUE,
        name varchar(200) NOT NULL,
        description text NOT NULL DEFAULT '',
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE SEQUENCE ticket_number_seq`);
    await q.query(`
      CREATE TABLE tickets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number integer NOT NULL UNIQUE DEFAULT nextval('ticket_number_seq'),
        title varchar(200) NOT NULL,
        description text NOT NULL DEFAULT '',
        status varchar(16) NOT NULL CHECK (status IN ('new', 'open', 'in_progress', 'pending', 'resolved', 'closed')),
        priority varchar(16) NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
        priority_rank smallint GENERATED ALWAYS AS (
          CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END
        ) STORED,
        requester_id uuid REFERENCES users(id),
        assignee_id uuid REFERENCES users(id),
        project_id uuid REFERENCES projects(id),
        created_by_id uuid REFERENCES users(id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        resolved_at timestamptz(3),
        closed_at timestamptz(3)
      )`);
    await q.query(`ALTER SEQUENCE ticket_number_seq OWNED BY tickets.number`);
    // Keyset pagination: every sort key is paired with id so that the (key, id) cursor is unique.
    await q.query(`CREATE INDEX tickets_created_idx ON tickets (created_at, id)`);
    await q.query(`CREATE INDEX tickets_updated_idx ON tickets (updated_at, id)`);
    await q.query(`CREATE INDEX tickets_priority_idx ON tickets (priority_rank, created_at, id)`);
    await q.query(`CREATE INDEX tickets_status_idx ON tickets (status, created_at, id)`);
    await q.query(`CREATE INDEX tickets_assignee_idx ON tickets (assignee_id, created_at, id)`);
    await q.query(`CREATE INDEX tickets_requester_idx ON tickets (requester_id, created_at, id)`);
    await q.query(`CREATE INDEX tickets_project_idx ON tickets (project_id, created_at, id)`);
    await q.query(`
      CREATE TABLE ticket_activity (
        id bigserial PRIMARY KEY,
        ticket_id uuid NOT NULL REFERENCES tickets(id),
        actor_id uuid REFERENCES users(id),
        actor_name varchar(200) NOT NULL,
        action varchar(40) NOT NULL,
        field varchar(40),
        from_value text,
        to_value text,
        origin varchar(32) NOT NULL DEFAULT 'api',
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ticket_activity_ticket_idx ON ticket_activity (ticket_id, id)`);
    await q.query(`
      CREATE TABLE comments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES tickets(id),
        author_id uuid REFERENCES users(id),
        external_author_name varchar(200),
        external_author_id varchar(255),
        body text NOT NULL,
        visibility varchar(16) NOT NULL CHECK (visibility IN ('public', 'internal')),
        source varchar(32) NOT NULL,
        external_ref varchar(255) UNIQUE,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        edited_at timestamptz(3),
        deleted_at timestamptz(3)
      )`);
    await q.query(`CREATE INDEX comments_ticket_idx ON comments (ticket_id, created_at, id)`);
    await q.query(`CREATE INDEX comments_external_author_idx ON comments (external_author_id) WHERE author_id IS NULL`);
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        type varchar(64) NOT NULL,
        schema_version smallint NOT NULL,
        aggregate_type varchar(32) NOT NULL,
        aggregate_id uuid NOT NULL,
        payload jsonb NOT NULL,
        actor jsonb NOT NULL,
        origin jsonb NOT NULL,
        occurred_at timestamptz(3) NOT NULL DEFAULT now(),
        published_at timestamptz(3)
      )`);
    await q.query(`CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL`);
    await q.query(`CREATE INDEX outbox_aggregate_idx ON outbox (aggregate_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['outbox', 'comments', 'ticket_activity', 'tickets', 'projects', 'api_tokens', 'users']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP SEQUENCE IF EXISTS ticket_number_seq`);
  }
}
