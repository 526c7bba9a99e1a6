import { ApiError, badRequest, fieldError } from './errors';
import { bodyLimitBytes, parseFormBody, parseJsonBody, wantsRawBody } from './body-parsing';

const buf = (s: string) => Buffer.from(s, 'utf8');

describe('bodyLimitBytes', () => {
  it('reads BODY_LIMIT units as body-parser did (1 kb = 1024 bytes)', () => {
    expect(bodyLimitBytes('512kb')).toBe(512 * 1024);
    expect(bodyLimitBytes('2MB')).toBe(2 * 1024 * 1024);
    expect(bodyLimitBytes('100b')).toBe(100);
    expect(() => bodyLimitBytes('lots')).toThrow();
  });
});

describe('wantsRawBody', () => {
  it.each(['/slack', '/slack/events', '/slack/commands?x=1', '/SLACK/Interactions', '/slack?x'])('%s: raw', (url) => {
    expect(wantsRawBody(url)).toBe(true);
  });
  it.each(['/slacker', '/api/v1/slack/routes', '/', '/api/v1/tickets', '/slac'])('%s: parsed', (url) => {
    expect(wantsRawBody(url)).toBe(false);
  });
});

describe('parseJsonBody', () => {
  it('parses objects and arrays; an empty body is no body', () => {
    expect(parseJsonBody(buf(' {"a":[1,2]}'))).toEqual({ a: [1, 2] });
    expect(parseJsonBody(buf('[1]'))).toEqual([1]);
    expect(parseJsonBody(buf('\uFEFF{"a":1}'))).toEqual({ a: 1 });
    expect(parseJsonBody(Buffer.alloc(0))).toBeUndefined();
  });

  it.each(['{"title": "x", ', '"text"', 'null', '42', 'not json', '{"a":1}}'])('refuses %s with a 400', (text) => {
    expect(() => parseJsonBody(buf(text))).toThrow(badRequest('Malformed JSON body'));
  });
});

describe('parseJsonBody and prototype keys', () => {
  it.each([
    ['{"__proto__":{"x":1}}', '__proto__'],
    ['{"a":{"b":{"__proto__":{"x":1}}}}', '__proto__'],
    ['{"constructor":{"prototype":{"x":1}}}', 'constructor'],
  ])('refuses %s with a 400 naming %s', (text, field) => {
    let thrown: unknown;
    try {
      parseJsonBody(buf(text));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    expect((thrown as ApiError).getResponse()).toEqual((fieldError(field, `property ${field} is not allowed`) as ApiError).getResponse());
  });

  it('still accepts a plain "constructor" value that is not an object with a prototype', () => {
    expect(parseJsonBody(buf('{"constructor":"text"}'))).toEqual({ constructor: 'text' });
  });
});

describe('parseFormBody', () => {
  it('reads flat fields, repeated ones as arrays, into a plain object', () => {
    const form = parseFormBody(buf('title=VPN+down&priority=low&tag=a&tag=b&x=%E2%9C%93'));
    expect(form).toEqual({ title: 'VPN down', priority: 'low', tag: ['a', 'b'], x: '✓' });
    expect(Object.getPrototypeOf(form)).toBe(Object.prototype);
    expect(parseFormBody(Buffer.alloc(0))).toBeUndefined();
  });
});
