import { fieldError } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);

/** Path parameters are checked here so a malformed id is a 400 naming the parameter, never a DB error. */
export function requireUuid(value: string, field = 'id'): string {
  if (!isUuid(value)) throw fieldError(field, `${field} must be a UUID`);
  return value.toLowerCase();
}
