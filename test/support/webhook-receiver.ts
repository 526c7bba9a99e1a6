import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../src/channels/webhook/webhook-signature';

export interface ReceivedWebhook {
  eventId: string;
  deliveryId: string;
  attempt: number;
  event: string;
  body: Record<string, unknown>;
  rawBody: string;
  signatureValid: boolean;
  receivedAt: number;
  /** True when this request applied the event (the first for its event id); false for a duplicate. */
  applied: boolean;
}

/** What the receiver answers: a status (and headers), or 'hang' to never answer. */
export type Reply = { status: number; headers?: Record<string, string> } | 'hang';

/**
 * A real HTTP webhook receiver on 127.0.0.1 that verifies signatures and, like a well-behaved
 * receiver, applies each event once (deduplicating by X-Threadline-Event-Id).
 */
export class WebhookReceiver {
  readonly requests: ReceivedWebhook[] = [];
  readonly applied = new Map<string, ReceivedWebhook>();
  /** Decides each answer; `n` counts this event id's requests so far, from 1. */
  reply: (req: ReceivedWebhook, n: number) => Reply = () => ({ status: 200 });
  private readonly hanging = new Set<ServerResponse>();
  private server?: Server;

  constructor(private readonly secret: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hook`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const eventId = String(req.headers['x-threadline-event-id'] ?? '');
      const received: ReceivedWebhook = {
        eventId,
        deliveryId: String(req.headers['x-threadline-delivery'] ?? ''),
        attempt: Number(req.headers['x-threadline-attempt'] ?? 0),
        event: String(req.headers['x-threadline-event'] ?? ''),
        body: JSON.parse(rawBody || '{}'),
        rawBody,
        signatureValid: verifyWebhookSignature(req.headers['x-threadline-signature'] as string | undefined, rawBody, this.secret),
        receivedAt: Date.now(),
        applied: false,
      };
      this.requests.push(received);
      const n = this.requests.filter((r) => r.eventId === eventId).length;
      const reply = this.reply(received, n);
      if (reply === 'hang') {
        // Applied, but the answer never comes (a receiver that is slow to acknowledge).
        this.apply(received);
        this.hanging.add(res);
        return;
      }
      if (reply.status >= 200 && reply.status < 300) this.apply(received);
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers }).end('ok');
    });
  }

  private apply(received: ReceivedWebhook): void {
    if (this.applied.has(received.eventId)) return;
    received.applied = true;
    this.applied.set(received.eventId, received);
  }

  requestsFor(eventId: string): ReceivedWebhook[] {
    return this.requests.filter((r) => r.eventId === eventId);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Polls `check` until it returns a truthy value (returned) or the timeout passes (throws, saying what was awaited). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15000, intervalMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
