import http from 'node:http';
import https from 'node:https';
import { AddressPolicy, TargetRefused, TargetUnresolvable } from './address-policy';
import { signWebhook } from './webhook-signature';

export const WEBHOOK_TIMEOUT_MS = 5000;
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface WebhookRequest {
  url: string;
  secret: string;
  body: string;
  headers: Record<string, string>;
  signal?: AbortSignal;
}

/** How a POST went, classified for the retry policy. */
export type SendOutcome =
  | { kind: 'ok'; status: number }
  | { kind: 'transient'; status?: number; reason: string; retryAfterMs?: number }
  | { kind: 'permanent'; status?: number; reason: string };

/**
 * POSTs one signed JSON body. The host is resolved and checked by the AddressPolicy and the socket
 * goes to that very address (TLS still verifies the host name). No redirects are followed.
 * 2xx ok; 408, 425, 429 and 5xx, timeouts and network errors transient; other statuses permanent.
 */
export async function sendWebhook(policy: AddressPolicy, req: WebhookRequest, timeoutMs = WEBHOOK_TIMEOUT_MS): Promise<SendOutcome> {
  const url = new URL(req.url);
  let address: { address: string; family: 4 | 6 };
  try {
    [address] = await policy.resolve(url.hostname);
  } catch (err) {
    if (err instanceof TargetRefused) return { kind: 'permanent', reason: err.message };
    if (err instanceof TargetUnresolvable) return { kind: 'transient', reason: err.message };
    throw err;
  }
  const timestamp = Math.floor(Date.now() / 1000);
  const signal = req.signal ? AbortSignal.any([req.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
  const secure = url.protocol === 'https:';
  return new Promise<SendOutcome>((resolve) => {
    const request = (secure ? https : http).request(
      {
        method: 'POST',
        host: address.address,
        family: address.family,
        port: url.port || (secure ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        servername: secure ? url.hostname.replace(/^\[|\]$/g, '') : undefined,
        headers: {
          Host: url.host,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(req.body),
          'User-Agent': 'Threadline-Webhooks/1',
          'X-Threadline-Signature': signWebhook(req.secret, timestamp, req.body),
          ...req.headers,
        },
        signal,
        agent: false,
      },
      (res) => {
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) res.destroy();
        });
        const done = () => resolve(classify(res.statusCode ?? 0, res.headers['retry-after']));
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    request.on('error', (err: NodeJS.ErrnoException) => {
      const reason = signal.aborted ? `no response within ${timeoutMs} ms` : `${err.code ?? 'error'}: ${err.message}`;
      resolve({ kind: 'transient', reason });
    });
    request.end(req.body);
  });
}

function classify(status: number, retryAfter: string | string[] | undefined): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'ok', status };
  const reason = `HTTP ${status}`;
  if (status === 408 || status === 425 || status === 429 || status >= 500) {
    return { kind: 'transient', status, reason, retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) };
  }
  if (status >= 300 && status < 400) return { kind: 'permanent', status, reason: `${reason}: redirects are not followed; register the final URL` };
  return { kind: 'permanent', status, reason };
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
