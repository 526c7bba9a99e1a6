import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Slack channel's own tables: installations (one per workspace), OAuth states, links between
 * Slack users and accounts, routing rules, and the links that make a ticket and its thread one
 * conversation (root message per ticket and channel, reply per comment), plus inbound event receipts.
 */
export class Slack1763900000300 implements MigrationInterface {
  name = 'Slack1763900000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE slack_installations (
        team_id varchar(32) PRIMARY KEY,
        team_name varchar(200),
        enterprise_id varchar(32),
        app_id varchar(32),
        bot_user_id varchar(32),
        bot_id varchar(32),
        bot_token_encrypted text,
        source varchar(16) NOT NULL CHECK (source IN ('env', 'oauth')),
        scopes text,
        installed_by varchar(32),
        active boolean NOT NULL DEFAULT true,
        last_error text,
        last_error_at timestamptz(3),
        disabled_at timestamptz(3),
        disabled_reason varchar(64),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE slack_oauth_states (
        state varchar(64) PRIMARY KEY,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL,
        used_at timestamptz(3)
      )`);
    await q.query(`
      CREATE TABLE slack_user_links (
        team_id varchar(32) NOT NULL,
        slack_user_id varchar(32) NOT NULL,
        user_id uuid REFERENCES users(id),
        slack_name varchar(200),
        slack_email varchar(320),
        linked_via varchar(16),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, slack_user_id)
      )`);
    await q.query(`CREATE INDEX slack_user_links_user_idx ON slack_user_links (user_id)`);
    await q.query(`
      CREATE TABLE slack_channel_routes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id varchar(32),
        project_key varchar(10),
        priority varchar(16) CHECK (priority IN ('critical', 'high', 'medium', 'low')),
        channel varchar(80) NOT NULL,
        event_types text[],
        min_priority varchar(16) CHECK (min_priority IN ('critical', 'high', 'medium', 'low')),
        agents_only boolean NOT NULL DEFAULT false,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE slack_threads (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES tickets(id),
        team_id varchar(32) NOT NULL,
        channel_id varchar(32) NOT NULL,
        root_ts varchar(32),
        agents_only boolean NOT NULL DEFAULT false,
        last_activity_at timestamptz(3) NOT NULL DEFAULT now(),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (ticket_id, team_id, channel_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX slack_threads_root_key ON slack_threads (team_id, channel_id, root_ts) WHERE root_ts IS NOT NULL`);
    await q.query(`CREATE INDEX slack_threads_activity_idx ON slack_threads (last_activity_at)`);
    await q.query(`
      CREATE TABLE slack_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        comment_id uuid NOT NULL REFERENCES comments(id),
        team_id varchar(32) NOT NULL,
        channel_id varchar(32) NOT NULL,
        ts varchar(32),
        thread_ts varchar(32) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (comment_id, team_id, channel_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX slack_messages_ts_key ON slack_messages (team_id, channel_id, ts) WHERE ts IS NOT NULL`);
    await q.query(`
      CREATE TABLE slack_event_receipts (
        event_id varchar(64) PRIMARY KEY,
        team_id varchar(32),
        received_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX slack_event_receipts_age_idx ON slack_event_receipts (received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['slack_event_receipts', 'slack_messages', 'slack_threads', 'slack_channel_routes', 'slack_user_links', 'slack_oauth_states', 'slack_installations']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
