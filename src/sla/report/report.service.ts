import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { fieldError } from '../../common/errors';
import { TICKET_PRIORITIES } from '../../events/event-catalogue';
import { ProjectsService } from '../../projects/projects.service';
import { Clock } from '../clock';
import { SlaPriorityReport, SlaReport, SlaReportQuery, SlaTargetReport } from './report.dto';

/**
 * Per priority: tickets whose SLA started in [from, to), how many met and breached each target, and
 * the median time to first response and to resolution (wall-clock, from the ticket's creation).
 */
@Injectable()
export class SlaReportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly projects: ProjectsService,
    private readonly clock: Clock,
  ) {}

  async report(q: SlaReportQuery): Promise<SlaReport> {
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (isNaN(from.getTime())) throw fieldError('from', 'from is not a valid date');
    if (isNaN(to.getTime())) throw fieldError('to', 'to is not a valid date');
    if (to <= from) throw fieldError('to', 'to must be after from');
    const project = q.projectKey ? await this.projects.requireByKey(q.projectKey, 'projectKey') : null;
    const now = this.clock.now();
    const rows: { priority: string; target: string; tickets: number; met: number; breached: number; median_seconds: number | null }[] =
      await this.db.query(
        `WITH opened AS (
           SELECT s.ticket_id, s.started_at AS opened_at, t.priority
             FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id
            WHERE s.target = 'first_response' AND s.started_at >= $1 AND s.started_at < $2
              AND ($3::uuid IS NULL OR t.project_id = $3::uuid))
         SELECT o.priority, s.target, count(*)::int AS tickets,
                count(*) FILTER (WHERE s.completed_at <= s.due_at)::int AS met,
                count(*) FILTER (WHERE s.completed_at > s.due_at
                                    OR (s.completed_at IS NULL AND s.due_at <= LEAST(COALESCE(s.paused_since, $4), $4)))::int AS breached,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.completed_at - o.opened_at))
                  FILTER (WHERE s.completed_at IS NOT NULL) AS median_seconds
           FROM opened o JOIN ticket_sla s ON s.ticket_id = o.ticket_id
          GROUP BY o.priority, s.target`,
        [from, to, project?.id ?? null, now],
      );
    const empty = (): SlaTargetReport => ({ met: 0, breached: 0, open: 0, medianMinutes: null });
    const priorities: SlaPriorityReport[] = TICKET_PRIORITIES.map((priority) => ({ priority, tickets: 0, firstResponse: empty(), resolution: empty() }));
    for (const r of rows) {
      const entry = priorities.find((p) => p.priority === r.priority)!;
      const target = r.target === 'first_response' ? entry.firstResponse : entry.resolution;
      entry.tickets = Math.max(entry.tickets, r.tickets);
      target.met = r.met;
      target.breached = r.breached;
      target.open = r.tickets - r.met - r.breached;
      target.medianMinutes = r.median_seconds === null ? null : Math.round((Number(r.median_seconds) / 60) * 10) / 10;
    }
    return { from: from.toISOString(), to: to.toISOString(), projectKey: project?.key ?? null, asOf: now.toISOString(), priorities };
  }
}
