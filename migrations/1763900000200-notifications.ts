import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notification pipeline's durable state: one delivery row per (event, channel, target), created
 * when the dispatcher claims the event from the outbox; and the webhook channel's subscriptions.
 */
export class Notifications1763900000200 implements MigrationInterface {
  name = 'Notifications1763900000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL,
        outbox_id bigint NOT NULL REFERENCES outbox(id),
        event_type varchar(64) NOT NULL,
        aggregate_id uuid NOT NULL,
        channel varchar(64) NOT NULL,
        target varchar(200) NOT NULL DEFAULT '',
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivering', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz(3) NOT NULL DEFAULT now(),
        locked_until timestamptz(3),
        last_error text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        delivered_at timestamptz(3),
        CONSTRAINT notification_deliveries_event_channel_key UNIQUE (event_id, channel, target)
      )`);
    // Per-aggregate ordering: "is an earlier delivery of this chain still open?" and "what is next?"
    await q.query(`
      CREATE INDEX notification_deliveries_chain_idx ON notification_deliveries (aggregate_id, channel, target, outbox_id)
      WHERE status IN ('pending', 'delivering')`);
    // The sweeper: open deliveries that are due (or whose lease ran out).
    await q.query(`
      CREATE INDEX notification_deliveries_open_idx ON notification_deliveries (next_attempt_at)
      WHERE status IN ('pending', 'delivering')`);
    // The operator list: newest first, by status and channel.
    await q.query(`CREATE INDEX notification_deliveries_status_idx ON notification_deliveries (status, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX notification_deliveries_channel_idx ON notification_deliveries (channel, status)`);

    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url varchar(2048) NOT NULL,
        events text[] NOT NULL,
        secret varchar(256) NOT NULL,
        secret_prefix varchar(16) NOT NULL,
        description varchar(200) NOT NULL DEFAULT '',
        created_by_id uuid REFERENCES users(id),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        deleted_at timestamptz(3)
      )`);
    await q.query(`CREATE INDEX webhook_subscriptions_events_idx ON webhook_subscriptions USING gin (events) WHERE deleted_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS webhook_subscriptions`);
    await q.query(`DROP TABLE IF EXISTS notification_deliveries`);
  }
}
