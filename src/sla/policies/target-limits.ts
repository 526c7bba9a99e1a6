import { TICKET_PRIORITIES } from '../../events/event-catalogue';
import { BusinessCalendar, parseTimeOfDay } from '../engine/business-calendar';
import type { PolicyTargets } from './policy.dto';

/** How many weeks of a calendar's working time a target may span: beyond, it is a typo, and costly to compute. */
export const MAX_TARGET_WEEKS = 104;

export function weeklyWorkingMinutes(calendar: BusinessCalendar): number {
  return calendar.workingHours.reduce((sum, h) => sum + ((parseTimeOfDay(h.end) ?? 0) - (parseTimeOfDay(h.start) ?? 0)), 0);
}

/** Targets longer than MAX_TARGET_WEEKS of the calendar's working time, as field errors. */
export function targetsBeyondCalendar(targets: PolicyTargets, calendar: BusinessCalendar | null, prefix = 'targets') {
  if (!calendar) return [];
  const limit = weeklyWorkingMinutes(calendar) * MAX_TARGET_WEEKS;
  const errors: { field: string; message: string }[] = [];
  for (const p of TICKET_PRIORITIES) {
    for (const key of ['firstResponseMinutes', 'resolutionMinutes'] as const) {
      if (targets[p][key] > limit) {
        errors.push({ field: `${prefix}.${p}.${key}`, message: `${key} must be at most ${limit} (${MAX_TARGET_WEEKS} weeks of the calendar's working time)` });
      }
    }
  }
  return errors;
}
