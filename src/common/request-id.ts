import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * The id of a request: the caller's X-Request-Id when it is a plain token (so a trace can cross
 * services), otherwise a fresh UUID. It is the `req.id` of every log line about the request and is
 * echoed in the response's X-Request-Id.
 */
export function requestIdFor(given: string | string[] | undefined): string {
  return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
}
