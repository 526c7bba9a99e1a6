import { Injectable } from '@nestjs/common';
import type { TicketRecord } from './ticket.record';

/**
 * Lets modules that build on tickets (SLA, for one) add a field to every ticket response without
 * the tickets module knowing them: `register('sla', records => Map(id -> value))`.
 */
export type TicketViewDecorator = (tickets: TicketRecord[]) => Promise<Map<string, unknown>>;

@Injectable()
export class TicketExtensions {
  private readonly decorators = new Map<string, TicketViewDecorator>();

  registerViewDecorator(field: string, decorate: TicketViewDecorator): void {
    this.decorators.set(field, decorate);
  }

  async decorate(tickets: TicketRecord[]): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>(tickets.map((t) => [t.id, {}]));
    if (!tickets.length) return out;
    for (const [field, decorate] of this.decorators) {
      const values = await decorate(tickets);
      for (const [id, value] of values) {
        const extra = out.get(id);
        if (extra) extra[field] = value;
      }
    }
    return out;
  }
}
