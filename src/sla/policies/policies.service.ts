import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { badRequest, conflict, fieldError, notFound } from '../../common/errors';
import { requireUuid } from '../../common/uuid';
import { TICKET_PRIORITIES } from '../../events/event-catalogue';
import { ProjectsService } from '../../projects/projects.service';
import { CalendarsRepository } from '../calendars/calendars.repository';
import { PoliciesRepository, PolicyRecord } from './policies.repository';
import { CreatePolicyDto, PolicyTargets, UpdatePolicyDto } from './policy.dto';
import { targetsBeyondCalendar } from './target-limits';

/**
 * SLA policies: one global (seeded by the migration), at most one per project. Edits apply to clocks
 * started afterwards and to clocks recomputed by a priority or project change; running clocks keep
 * the terms they started with (see docs/decisions/0003-sla-clocks.md).
 */
@Injectable()
export class PoliciesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly policies: PoliciesRepository,
    private readonly calendars: CalendarsRepository,
    private readonly projects: ProjectsService,
  ) {}

  list(): Promise<PolicyRecord[]> {
    return this.policies.list();
  }

  async get(id: string): Promise<PolicyRecord> {
    const policy = await this.policies.findById(requireUuid(id));
    if (!policy) throw notFound('Policy', id);
    return policy;
  }

  async create(dto: CreatePolicyDto): Promise<PolicyRecord> {
    const project = dto.projectKey ? await this.projects.requireByKey(dto.projectKey, 'projectKey') : null;
    const targets = pickTargets(dto.targets as PolicyTargets);
    await this.requireCalendar(dto.calendarId, targets);
    if (await this.policies.findForScope(project?.id ?? null)) {
      throw conflict(project ? `Project ${project.key} already has a policy; change it instead` : 'A global policy already exists; change it instead', {
        field: 'projectKey',
      });
    }
    const id = await this.policies.insert({
      name: dto.name,
      projectId: project?.id ?? null,
      calendarId: dto.calendarId ?? null,
      warningPercent: dto.warningPercent ?? 80,
      targets,
    });
    return (await this.policies.findById(id))!;
  }

  async update(id: string, dto: UpdatePolicyDto): Promise<PolicyRecord> {
    const current = await this.get(id);
    const targets = { ...current.targets, ...pickTargets((dto.targets ?? {}) as Partial<PolicyTargets>) };
    await this.requireCalendar(dto.calendarId === undefined ? current.calendarId : dto.calendarId, targets);
    await this.policies.update({
      id: current.id,
      name: dto.name ?? current.name,
      calendarId: dto.calendarId === undefined ? current.calendarId : dto.calendarId,
      warningPercent: dto.warningPercent ?? current.warningPercent,
      targets,
    });
    return (await this.policies.findById(current.id))!;
  }

  /** The global policy is the fallback of every ticket and cannot go; a policy with running clocks neither. */
  async delete(id: string): Promise<void> {
    const current = await this.get(id);
    if (!current.projectId) throw conflict('The global policy cannot be deleted; change it instead');
    await this.db.transaction(async (m) => {
      await m.query(`SELECT 1 FROM sla_policies WHERE id = $1 FOR UPDATE`, [current.id]);
      const running = await this.policies.openClocks(m, current.id);
      if (running) throw conflict(`Policy ${current.name} is in use by ${running} running ticket clock(s)`, { runningClocks: running });
      await this.policies.delete(m, current.id);
    });
  }

  /** The calendar must exist, and the targets must fit in a sane span of its working time. */
  private async requireCalendar(calendarId: string | null | undefined, targets: PolicyTargets) {
    if (!calendarId) return;
    const calendar = await this.calendars.findById(calendarId.toLowerCase());
    if (!calendar) throw fieldError('calendarId', `calendarId ${calendarId} does not name a calendar`);
    const errors = targetsBeyondCalendar(targets, calendar);
    if (errors.length) throw badRequest('Validation failed', errors);
  }
}

/** Only the known keys, in a stable shape (the DTO instances carry no extras, but be explicit). */
function pickTargets<T extends Partial<PolicyTargets>>(targets: T): T {
  const out: Partial<PolicyTargets> = {};
  for (const p of TICKET_PRIORITIES) {
    const t = targets[p];
    if (t) out[p] = { firstResponseMinutes: t.firstResponseMinutes, resolutionMinutes: t.resolutionMinutes };
  }
  return out as T;
}
