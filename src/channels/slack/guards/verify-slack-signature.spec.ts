import { MAX_REQUEST_AGE_SECONDS, signSlackRequest, verifySlackSignature } from './verify-slack-signature';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW_MS = 1_700_000_000_000;
const NOW_SEC = String(NOW_MS / 1000);
const BODY = 'token=xyz&team_id=T1&command=%2Fticket&text=TKT-12';

function request(overrides: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) {
  return {
    signingSecret: SECRET,
    timestamp: NOW_SEC,
    signature: signSlackRequest(SECRET, NOW_SEC, BODY),
    rawBody: BODY,
    nowMs: NOW_MS,
    ...overrides,
  };
}

describe('signSlackRequest', () => {
  it("matches Slack's documented example signature", () => {
    // Example from https://docs.slack.dev/authentication/verifying-requests-from-slack
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest(SECRET, 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('signs Buffers and strings identically', () => {
    expect(signSlackRequest(SECRET, 1, Buffer.from(BODY))).toBe(signSlackRequest(SECRET, 1, BODY));
  });
});

describe('verifySlackSignature', () => {
  it('accepts a correctly signed, fresh request', () => {
    expect(verifySlackSignature(request())).toEqual({ ok: true });
  });

  it('accepts a Buffer body', () => {
    expect(verifySlackSignature(request({ rawBody: Buffer.from(BODY) }))).toEqual({ ok: true });
  });

  it.each([undefined, null, ''])('reports a missing signature (%p)', (signature) => {
    expect(verifySlackSignature(request({ signature }))).toEqual({ ok: false, reason: 'missing_signature' });
  });

  it.each([undefined, null, ''])('reports a missing timestamp (%p)', (timestamp) => {
    expect(verifySlackSignature(request({ timestamp }))).toEqual({ ok: false, reason: 'missing_timestamp' });
  });

  it.each(['abc', '1e9', ' 1700000000', '-1700000000', '1700000000.5', '0x10'])(
    'reports a malformed timestamp %j',
    (timestamp) => {
      expect(verifySlackSignature(request({ timestamp }))).toEqual({ ok: false, reason: 'malformed_timestamp' });
    },
  );

  it.each(['v1=' + 'a'.repeat(64), 'v0=', 'v0=abc', 'v0=' + 'A'.repeat(64), 'a'.repeat(67), 'v0=' + 'g'.repeat(64)])(
    'reports a malformed signature %j',
    (signature) => {
      expect(verifySlackSignature(request({ signature }))).toEqual({ ok: false, reason: 'malformed_signature' });
    },
  );

  it('rejects a signature with extra characters without throwing on the length difference', () => {
    const signature = signSlackRequest(SECRET, NOW_SEC, BODY) + '00';
    expect(verifySlackSignature(request({ signature }))).toEqual({ ok: false, reason: 'malformed_signature' });
  });

  it.each([
    ['just inside the past window', -MAX_REQUEST_AGE_SECONDS, true],
    ['just outside the past window', -MAX_REQUEST_AGE_SECONDS - 1, false],
    ['just inside the future window', MAX_REQUEST_AGE_SECONDS, true],
    ['just outside the future window', MAX_REQUEST_AGE_SECONDS + 1, false],
  ])('handles a timestamp %s', (_, offsetSec, ok) => {
    const timestamp = String(NOW_MS / 1000 + offsetSec);
    const result = verifySlackSignature(
      request({ timestamp, signature: signSlackRequest(SECRET, timestamp, BODY) }),
    );
    expect(result).toEqual(ok ? { ok: true } : { ok: false, reason: 'stale_timestamp' });
  });

  it('checks staleness against the injected clock', () => {
    const later = request({ nowMs: NOW_MS + 301_000 });
    expect(verifySlackSignature(later)).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('rejects a tampered body', () => {
    expect(verifySlackSignature(request({ rawBody: BODY + '&x=1' }))).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a signature made with another secret', () => {
    const signature = signSlackRequest('other-secret', NOW_SEC, BODY);
    expect(verifySlackSignature(request({ signature }))).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature replayed with a different timestamp', () => {
    const timestamp = String(NOW_MS / 1000 - 10);
    expect(verifySlackSignature(request({ timestamp }))).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('verifies bodies containing multi-byte characters', () => {
    const rawBody = '{"text":"héllo 😀"}';
    const signature = signSlackRequest(SECRET, NOW_SEC, rawBody);
    expect(verifySlackSignature(request({ rawBody, signature }))).toEqual({ ok: true });
  });
});
