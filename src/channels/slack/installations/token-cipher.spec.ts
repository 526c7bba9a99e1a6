import { TokenCipher } from './token-cipher';

describe('TokenCipher', () => {
  it('round-trips a token and never stores it in the clear', () => {
    const cipher = new TokenCipher('a-long-enough-secret');
    const stored = cipher.encrypt('xoxb-123-secret');
    expect(stored).not.toContain('xoxb');
    expect(cipher.decrypt(stored)).toBe('xoxb-123-secret');
  });

  it('uses a fresh IV each time', () => {
    const cipher = new TokenCipher('a-long-enough-secret');
    expect(cipher.encrypt('x')).not.toBe(cipher.encrypt('x'));
  });

  it('refuses a token encrypted with another key or tampered with', () => {
    const stored = new TokenCipher('key-number-one!!').encrypt('xoxb-1');
    expect(() => new TokenCipher('key-number-two!!').decrypt(stored)).toThrow();
    const parts = stored.split(':');
    parts[3] = Buffer.from('xoxb-2').toString('base64url');
    expect(() => new TokenCipher('key-number-one!!').decrypt(parts.join(':'))).toThrow();
  });
});
