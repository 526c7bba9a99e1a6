import { createHash, randomBytes } from 'node:crypto';

/** Tokens are 256 random bits, so a plain SHA-256 is a sufficient (and fast) one-way store. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newTokenSecret = () => `tl_${randomBytes(32).toString('base64url')}`;
export const tokenPrefix = (token: string) => token.slice(0, 10);
