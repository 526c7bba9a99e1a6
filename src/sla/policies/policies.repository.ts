import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PolicyTargets } from './policy.dto';

type Queryable = Pick<EntityManager, 'query'>;

export interface PolicyRecord {
  id: string;
  name: string;
  projectId: string | null;
  projectKey: string | null;
  calendarId: string | null;
  warningPercent: number;
  targets: PolicyTargets;
  createdAt: Date;
  updatedAt: Date;
}

const SELECT = `SELECT p.id, p.name, p.project_id, pr.key AS project_key, p.calendar_id, p.warning_percent, p.targets,
                       p.created_at, p.updated_at
                  FROM sla_policies p LEFT JOIN projects pr ON pr.id = p.project_id`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toPolicy(r: any): PolicyRecord {
  return {
    id: r.id,
    name: r.name,
    projectId: r.project_id,
    projectKey: r.project_key,
    calendarId: r.calendar_id,
    warningPercent: r.warning_percent,
    targets: r.targets,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

@Injectable()
export class PoliciesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(): Promise<PolicyRecord[]> {
    return (await this.db.query(`${SELECT} ORDER BY pr.key NULLS FIRST, p.id`)).map(toPolicy);
  }

  async findById(id: string, q: Queryable = this.db): Promise<PolicyRecord | null> {
    const rows = await q.query(`${SELECT} WHERE p.id = $1`, [id]);
    return rows.length ? toPolicy(rows[0]) : null;
  }

  async findForScope(projectId: string | null, q: Queryable = this.db): Promise<PolicyRecord | null> {
    const rows = await q.query(`${SELECT} WHERE p.project_id IS NOT DISTINCT FROM $1::uuid`, [projectId]);
    return rows.length ? toPolicy(rows[0]) : null;
  }

  /** The policy that governs a ticket of this project: the project's own, else the global one. */
  async applicable(q: Queryable, projectId: string | null): Promise<PolicyRecord | null> {
    const rows = await q.query(
      `${SELECT} WHERE p.project_id = $1::uuid OR p.project_id IS NULL ORDER BY p.project_id NULLS LAST LIMIT 1`,
      [projectId],
    );
    return rows.length ? toPolicy(rows[0]) : null;
  }

  async insert(p: { name: string; projectId: string | null; calendarId: string | null; warningPercent: number; targets: PolicyTargets }): Promise<string> {
    const rows = await this.db.query(
      `INSERT INTO sla_policies (name, project_id, calendar_id, warning_percent, targets) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [p.name, p.projectId, p.calendarId, p.warningPercent, JSON.stringify(p.targets)],
    );
    return rows[0].id;
  }

  async update(p: { id: string; name: string; calendarId: string | null; warningPercent: number; targets: PolicyTargets }): Promise<void> {
    await this.db.query(
      `UPDATE sla_policies SET name = $2, calendar_id = $3, warning_percent = $4, targets = $5, updated_at = now() WHERE id = $1`,
      [p.id, p.name, p.calendarId, p.warningPercent, JSON.stringify(p.targets)],
    );
  }

  async openClocks(q: Queryable, id: string): Promise<number> {
    const rows = await q.query(`SELECT count(*)::int AS n FROM ticket_sla WHERE policy_id = $1 AND completed_at IS NULL`, [id]);
    return rows[0].n;
  }

  async delete(q: Queryable, id: string): Promise<void> {
    await q.query(`DELETE FROM sla_policies WHERE id = $1`, [id]);
  }
}
