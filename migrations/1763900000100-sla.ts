import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SLA: business calendars, policies (one global, at most one per project), and one clock row per
 * ticket and target. Due and warning times are denormalised onto the clock row and indexed only
 * while the corresponding event is still owed, so the scanner's cost follows the number of clocks
 * that are due, not the number stored. See docs/decisions/0003-sla-clocks.md.
 */
export class Sla1763900000100 implements MigrationInterface {
  name = 'Sla1763900000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sla_calendars (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(200) NOT NULL UNIQUE,
        time_zone varchar(64) NOT NULL,
        working_hours jsonb NOT NULL,
        holidays jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE sla_policies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(200) NOT NULL,
        project_id uuid UNIQUE REFERENCES projects(id),
        calendar_id uuid REFERENCES sla_calendars(id),
        warning_percent smallint NOT NULL DEFAULT 80 CHECK (warning_percent BETWEEN 1 AND 99),
        targets jsonb NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    // At most one global policy (project_id NULL); project_id UNIQUE covers the project ones.
    await q.query(`CREATE UNIQUE INDEX sla_policies_global_key ON sla_policies ((true)) WHERE project_id IS NULL`);
    await q.query(`CREATE INDEX sla_policies_calendar_idx ON sla_policies (calendar_id) WHERE calendar_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE ticket_sla (
        ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        target varchar(16) NOT NULL CHECK (target IN ('first_response', 'resolution')),
        policy_id uuid REFERENCES sla_policies(id) ON DELETE SET NULL,
        calendar_id uuid REFERENCES sla_calendars(id),
        target_minutes integer NOT NULL CHECK (target_minutes > 0),
        warning_percent smallint NOT NULL CHECK (warning_percent BETWEEN 1 AND 99),
        started_at timestamptz(3) NOT NULL,
        completed_at timestamptz(3),
        paused_since timestamptz(3),
        pauses jsonb NOT NULL DEFAULT '[]',
        due_at timestamptz(3) NOT NULL,
        warning_at timestamptz(3) NOT NULL,
        episode integer NOT NULL DEFAULT 1,
        warning_emitted_episode integer NOT NULL DEFAULT 0,
        breached_emitted_episode integer NOT NULL DEFAULT 0,
        overdue_emitted_episode integer NOT NULL DEFAULT 0,
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (ticket_id, target)
      )`);
    // The scanner's three queues. A row leaves an index as soon as its event is emitted, its clock
    // completes or pauses; the predicates are repeated verbatim in the scanner's queries.
    await q.query(`
      CREATE INDEX ticket_sla_warning_due_idx ON ticket_sla (warning_at)
       WHERE completed_at IS NULL AND paused_since IS NULL AND warning_emitted_episode < episode`);
    await q.query(`
      CREATE INDEX ticket_sla_breach_due_idx ON ticket_sla (due_at)
       WHERE completed_at IS NULL AND paused_since IS NULL AND breached_emitted_episode < episode`);
    await q.query(`
      CREATE INDEX ticket_sla_overdue_due_idx ON ticket_sla (due_at)
       WHERE target = 'resolution' AND completed_at IS NULL AND paused_since IS NULL AND overdue_emitted_episode < episode`);
    // The report selects tickets by when their clocks started; deletes of calendars check use.
    await q.query(`CREATE INDEX ticket_sla_started_idx ON ticket_sla (started_at) WHERE target = 'first_response'`);
    await q.query(`CREATE INDEX ticket_sla_calendar_idx ON ticket_sla (calendar_id) WHERE calendar_id IS NOT NULL`);
    await q.query(`CREATE INDEX ticket_sla_policy_open_idx ON ticket_sla (policy_id) WHERE completed_at IS NULL`);

    const minutes = (firstResponseMinutes: number, resolutionMinutes: number) => ({ firstResponseMinutes, resolutionMinutes });
    const defaults = {
      critical: minutes(15, 4 * 60),
      high: minutes(60, 8 * 60),
      medium: minutes(4 * 60, 24 * 60),
      low: minutes(8 * 60, 72 * 60),
    };
    await q.query(`INSERT INTO sla_policies (name, project_id, calendar_id, warning_percent, targets) VALUES ($1, NULL, NULL, 80, $2)`, [
      'Default',
      JSON.stringify(defaults),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['ticket_sla', 'sla_policies', 'sla_calendars']) await q.query(`DROP TABLE IF EXISTS ${table}`);
  }
}
