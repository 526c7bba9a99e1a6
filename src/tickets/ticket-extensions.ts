import { Injectable } from '@nestjs/common';
import type { TicketRecord } from './ticket.record';

/**
 * Lets modules that build on tickets (SLA, for one) add a field to every ticket response without
 * the tickets module knowing them: `register('sla', records => Map(id -> value))`.
 */
export type TicketViewDecorator = (tickets: TicketRecord[]) => Promise<Map<string, unknown>>;

/**
 * A field that can also be read in the same statement as the tickets: `sql` is a scalar SQL
 * expression over the ticket row aliased `t` (typically a correlated subquery returning JSON), and
 * `decode` turns its value into the field. Reads that select tickets (get, list) then need no second
 * round trip; records that come from elsewhere (an insert, an update) still go through the decorator.
 */
export interface TicketViewColumn {
  sql: string;
  decode(value: unknown, ticket: TicketRecord): unknown;
}

@Injectable()
export class TicketExtensions {
  private readonly decorators = new Map<string, TicketViewDecorator>();
  private readonly columns = new Map<string, TicketViewColumn>();

  registerViewDecorator(field: string, decorate: TicketViewDecorator, column?: TicketViewColumn): void {
    this.decorators.set(field, decorate);
    if (column) this.columns.set(field, column);
    else this.columns.delete(field);
  }

  /** The registered column expressions, as `[field, sql]`, for the ticket reads to select. */
  viewColumns(): [string, string][] {
    return [...this.columns].map(([field, c]) => [field, c.sql]);
  }

  async decorate(tickets: TicketRecord[]): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>(tickets.map((t) => [t.id, {}]));
    if (!tickets.length) return out;
    for (const [field, decorate] of this.decorators) {
      const column = this.columns.get(field);
      if (column && tickets.every((t) => t.viewColumns && field in t.viewColumns)) {
        for (const t of tickets) out.get(t.id)![field] = column.decode(t.viewColumns![field], t);
        continue;
      }
      const values = await decorate(tickets);
      for (const [id, value] of values) {
        const extra = out.get(id);
        if (extra) extra[field] = value;
      }
    }
    return out;
  }
}
