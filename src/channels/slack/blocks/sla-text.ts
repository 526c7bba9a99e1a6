import { formatDuration } from '../text/format-duration';
import type { SlaTargetView } from './ticket-view';

function parseInstant(iso: string | null): number | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Short mrkdwn status of one SLA target relative to `now`, e.g. "in 2h 5m", "paused",
 * ":warning: warning (in 15m)", ":rotating_light: breached 12m ago", ":white_check_mark: met".
 */
export function describeSlaTarget(target: SlaTargetView, now: Date): string {
  const due = parseInstant(target.dueAt);
  const delta = due === undefined ? undefined : due - now.getTime();
  switch (target.status) {
    case 'met':
      return ':white_check_mark: met';
    case 'paused':
      return ':double_vertical_bar: paused';
    case 'breached':
      return delta === undefined || delta > 0
        ? ':rotating_light: breached'
        : `:rotating_light: breached ${formatDuration(delta)} ago`;
    case 'warning':
      if (delta === undefined) return ':warning: warning';
      return delta > 0 ? `:warning: warning (in ${formatDuration(delta)})` : `:warning: overdue by ${formatDuration(delta)}`;
    case 'running':
      if (delta === undefined) return 'no due date';
      // The SLA engine may not have flagged the breach yet; say what the clock says.
      return delta > 0 ? `in ${formatDuration(delta)}` : `overdue by ${formatDuration(delta)}`;
  }
}
