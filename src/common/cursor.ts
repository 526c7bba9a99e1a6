import { fieldError } from './errors';

/** Opaque keyset cursors: base64url JSON of the last row's sort key and id. */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number, field = 'cursor'): unknown[] {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('charset');
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(values) || values.length !== arity) throw new Error('shape');
    return values;
  } catch {
    throw fieldError(field, `${field} is not a valid cursor`);
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
