import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseQueryString } from 'node:querystring';
import secureJson from 'secure-json-parse';
import { badRequest, fieldError } from './errors';

/**
 * Request bodies on Fastify, parsed as the service parsed them on Express (body-parser):
 * - `application/json`: JSON whose top level is an object or an array (body-parser's `strict`);
 * - `application/x-www-form-urlencoded`: flat form fields (body-parser's `extended: false`);
 * - any other type: read (so the size limit applies) but not parsed, `body` stays undefined;
 * - routes under RAW_BODY_PREFIX: the raw bytes as a Buffer, whatever the type, so the Slack
 *   signature guard can verify exactly what was sent before anything parses it.
 * Every body is limited by Fastify's `bodyLimit` (413). Parse failures are ApiErrors, so the
 * exception filter answers them in the standard error format.
 */
export const RAW_BODY_PREFIX = '/slack';

/** `512kb` → 524288, with the units of BODY_LIMIT (`b`, `kb`, `mb`; 1 kb = 1024 bytes as on Express). */
export function bodyLimitBytes(limit: string): number {
  const match = /^\s*(\d+)\s*(b|kb|mb)\s*$/i.exec(limit);
  if (!match) throw new Error(`Not a body size: ${limit}`);
  const factor = { b: 1, kb: 1024, mb: 1024 * 1024 }[match[2].toLowerCase() as 'b' | 'kb' | 'mb'];
  return Number(match[1]) * factor;
}

/** Whether a request URL (path and query) falls under RAW_BODY_PREFIX; case-insensitive, like the router. */
export function wantsRawBody(url: string): boolean {
  const end = RAW_BODY_PREFIX.length;
  if (url.slice(0, end).toLowerCase() !== RAW_BODY_PREFIX) return false;
  const next = url.charAt(end);
  return next === '' || next === '/' || next === '?';
}

/** JSON as body-parser read it: empty is no body; the top level must be an object or array. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  // body-parser's `strict`: a bare string, number or null is refused, not passed on.
  if (!/^[\s\uFEFF]*[[{]/.test(text)) throw badRequest('Malformed JSON body');
  try {
    // Keys that reach object prototypes (`__proto__`, `constructor.prototype`) are refused, as
    // secure-json-parse does for Fastify's own parser; JSON.parse would let them through silently.
    return secureJson.parse(text.replace(/^\uFEFF/, ''), undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    if (/forbidden (prototype|constructor) property/.test(String((err as Error)?.message))) {
      // secure-json-parse says "prototype" for `constructor.prototype` too: name the key sent.
      const key = /"__proto__"\s*:/.test(text) ? '__proto__' : 'constructor';
      throw fieldError(key, `property ${key} is not allowed`);
    }
    throw badRequest('Malformed JSON body');
  }
}

/** Form fields as body-parser's `extended: false` read them (a repeated field becomes an array). */
export function parseFormBody(body: Buffer): Record<string, string | string[]> | undefined {
  if (body.length === 0) return undefined;
  // node:querystring returns an object without a prototype; a plain one is what DTOs expect.
  return { ...parseQueryString(body.toString('utf8')) } as Record<string, string | string[]>;
}

type Parse = (body: Buffer) => unknown;

/**
 * Replaces Fastify's own parsers (text/plain as a string, 415 for other types) with the ones
 * described above. Call before the app is initialised.
 */
export function registerBodyParsers(fastify: FastifyInstance): void {
  const parser = (parse: Parse) => (req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
    if (wantsRawBody(req.url)) return done(null, body);
    let parsed: unknown;
    try {
      parsed = parse(body);
    } catch (err) {
      return done(err as Error);
    }
    done(null, parsed);
  };
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, parser(parseJsonBody));
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, parser(parseFormBody));
  // Everything else, including requests that send a body without a Content-Type.
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, parser(() => undefined));
}
