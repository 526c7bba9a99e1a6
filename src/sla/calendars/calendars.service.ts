import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { badRequest, conflict, notFound } from '../../common/errors';
import { requireUuid } from '../../common/uuid';
import { BusinessCalendar, validateCalendar, WorkingInterval } from '../engine/business-calendar';
import { SlaClocksService } from '../sla-clocks.service';
import { PolicyTargets } from '../policies/policy.dto';
import { MAX_TARGET_WEEKS, targetsBeyondCalendar } from '../policies/target-limits';
import { CalendarRecord, CalendarsRepository } from './calendars.repository';
import { CreateCalendarDto, UpdateCalendarDto } from './calendar.dto';

/** Field paths of the engine's validator are rooted at `calendar`; in this API the body is the calendar. */
function assertValid(calendar: BusinessCalendar) {
  const errors = validateCalendar(calendar).map((e) => ({ field: e.field.replace(/^calendar\.?/, '') || 'calendar', message: e.message }));
  if (errors.length) throw badRequest('Validation failed', errors);
}

/** Only the known keys of each interval are stored, in a stable shape. */
const normaliseHours = (hours: WorkingInterval[]) => hours.map((h) => ({ day: h.day, start: h.start, end: h.end }));

@Injectable()
export class CalendarsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly calendars: CalendarsRepository,
    private readonly clocks: SlaClocksService,
  ) {}

  list(): Promise<CalendarRecord[]> {
    return this.calendars.list();
  }

  async get(id: string): Promise<CalendarRecord> {
    const calendar = await this.calendars.findById(requireUuid(id));
    if (!calendar) throw notFound('Calendar', id);
    return calendar;
  }

  async create(dto: CreateCalendarDto): Promise<CalendarRecord> {
    const calendar = { timeZone: dto.timeZone, workingHours: dto.workingHours, holidays: dto.holidays ?? [] };
    assertValid(calendar);
    if (await this.calendars.nameTaken(dto.name, null)) throw conflict(`A calendar named ${dto.name} already exists`, { field: 'name' });
    const id = await this.calendars.insert({ name: dto.name, ...calendar, workingHours: normaliseHours(calendar.workingHours) });
    return (await this.calendars.findById(id))!;
  }

  /** Changes apply to running clocks at once: their due times are recomputed in the same transaction. */
  async update(id: string, dto: UpdateCalendarDto): Promise<CalendarRecord> {
    const current = await this.get(id);
    const next = {
      id: current.id,
      name: dto.name ?? current.name,
      timeZone: dto.timeZone ?? current.timeZone,
      workingHours: dto.workingHours ?? current.workingHours,
      holidays: dto.holidays ?? current.holidays,
    };
    assertValid(next);
    await this.assertPoliciesFit(current.id, next);
    if (dto.name && (await this.calendars.nameTaken(dto.name, current.id))) throw conflict(`A calendar named ${dto.name} already exists`, { field: 'name' });
    await this.db.transaction(async (m) => {
      await this.calendars.findById(current.id, m, true);
      await this.calendars.update(m, { ...next, workingHours: normaliseHours(next.workingHours) });
      await this.clocks.recomputeForCalendar(m, current.id, next);
    });
    return (await this.calendars.findById(current.id))!;
  }

  /** Less working time must still leave every policy on this calendar a sane span (see target-limits). */
  private async assertPoliciesFit(calendarId: string, calendar: BusinessCalendar) {
    const policies: { targets: PolicyTargets }[] = await this.db.query(`SELECT targets FROM sla_policies WHERE calendar_id = $1`, [calendarId]);
    if (policies.some((p) => targetsBeyondCalendar(p.targets, calendar).length)) {
      throw badRequest('Validation failed', [{ field: 'workingHours', message: `too little working time for the targets of the policies using this calendar (at most ${MAX_TARGET_WEEKS} weeks each)` }]);
    }
  }

  async delete(id: string): Promise<void> {
    const current = await this.get(id);
    await this.db.transaction(async (m) => {
      await this.calendars.findById(current.id, m, true);
      const usage = await this.calendars.usage(m, current.id);
      if (usage.policies || usage.clocks) {
        throw conflict(`Calendar ${current.name} is in use by ${usage.policies} polic${usage.policies === 1 ? 'y' : 'ies'} and ${usage.clocks} ticket clock(s)`, usage);
      }
      await this.calendars.delete(m, current.id);
    });
  }
}
