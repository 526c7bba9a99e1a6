import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, badRequest } from './errors';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? (/^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : `${prefix}.${e.property}`) : e.property;
    for (const message of Object.values(e.constraints ?? {})) {
      out.push({ field, message: message.replace(/^property (\S+) should not exist$/, '$1 is not a known field') });
    }
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/** One entry per field, its messages joined, in the order the fields were first seen. */
function mergeByField(errors: FieldError[]): FieldError[] {
  const merged = new Map<string, string[]>();
  for (const e of errors) merged.set(e.field, [...(merged.get(e.field) ?? []), e.message]);
  return [...merged].map(([field, messages]) => ({ field, message: messages.join('; ') }));
}

/**
 * Strict input: unknown fields, wrong types and bad values are 400 with one entry per field.
 * Query strings are converted explicitly by each DTO (`@Type`), not implicitly.
 */
export function createValidationPipe() {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => badRequest('Validation failed', mergeByField(flatten(errors))),
  });
}

export { flatten as flattenValidationErrors };
