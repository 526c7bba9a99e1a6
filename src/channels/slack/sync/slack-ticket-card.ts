import type { TicketRecord } from '../../../tickets/ticket.record';
import { formatTicketNumber } from '../../../tickets/ticket.record';
import type { SlaTargetView, TicketView } from '../blocks/ticket-view';

/** The SLA part of a ticket response, as the SLA module's view decorator adds it (`sla`). */
interface SlaDecoration {
  firstResponse?: { dueAt: string; completedAt: string | null; status: SlaTargetView['status'] } | null;
  resolution?: { dueAt: string; completedAt: string | null; status: SlaTargetView['status'] } | null;
}

export function ticketUrl(appBaseUrl: string, number: string): string {
  return `${appBaseUrl.replace(/\/$/, '')}/tickets/${encodeURIComponent(number)}`;
}

const slaTarget = (s: SlaDecoration['firstResponse']): SlaTargetView | undefined =>
  s ? { dueAt: s.dueAt ?? null, completedAt: s.completedAt ?? null, status: s.status } : undefined;

/** Maps the current ticket (and its `sla` decoration) to the view the Block Kit builders render. */
export function toTicketView(
  t: TicketRecord,
  extras: Record<string, unknown> | undefined,
  people: { assignee?: string | null; requester?: string | null },
  appBaseUrl: string,
): TicketView {
  const number = formatTicketNumber(t.number);
  const sla = extras?.sla as SlaDecoration | null | undefined;
  const view: TicketView = {
    id: t.id,
    number,
    title: t.title,
    description: t.description,
    status: t.status,
    priority: t.priority,
    url: ticketUrl(appBaseUrl, number),
  };
  if (t.requester) view.requester = { name: t.requester.name, slackUserId: people.requester ?? undefined };
  if (t.assignee) view.assignee = { name: t.assignee.name, slackUserId: people.assignee ?? undefined };
  if (t.project) view.project = { key: t.project.key, name: t.project.name };
  if (sla && (sla.firstResponse || sla.resolution)) view.sla = { firstResponse: slaTarget(sla.firstResponse), resolution: slaTarget(sla.resolution) };
  return view;
}

/**
 * What the card shows, minus the clock: two renders with the same key look the same (but for
 * relative times such as "in 2h"). The ticket version covers every ticket field; the SLA states
 * change without a new version (warning, breach, pause), so they are part of the key.
 */
export function cardKey(view: TicketView, version: number): string {
  const sla = (s?: SlaTargetView) => (s ? `${s.status}@${s.dueAt ?? ''}/${s.completedAt ?? ''}` : '-');
  return [version, sla(view.sla?.firstResponse), sla(view.sla?.resolution), view.assignee?.slackUserId ?? '', view.requester?.slackUserId ?? ''].join('|');
}
