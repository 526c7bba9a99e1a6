import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_0123456789abcdef';
  const body = '{"event":"ticket.created"}';
  const now = 1_763_900_000_000;
  const t = Math.floor(now / 1000);

  it('is an HMAC-SHA256 of "<t>.<body>" with the timestamp alongside', () => {
    const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhook(secret, t, body)).toBe(`t=${t},v1=${mac}`);
  });

  it('verifies its own signature', () => {
    expect(verifyWebhookSignature(signWebhook(secret, t, body), body, secret, { now })).toBe(true);
  });

  it('rejects a changed body, another secret, a stale timestamp and garbage', () => {
    const header = signWebhook(secret, t, body);
    expect(verifyWebhookSignature(header, body + ' ', secret, { now })).toBe(false);
    expect(verifyWebhookSignature(header, body, 'another-secret-0123', { now })).toBe(false);
    expect(verifyWebhookSignature(header, body, secret, { now: now + 301_000 })).toBe(false);
    expect(verifyWebhookSignature('t=1,v1=zz', body, secret, { now })).toBe(false);
    expect(verifyWebhookSignature(undefined, body, secret, { now })).toBe(false);
  });
});
