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
    exceptionFactory: (errors) => badRequest('Validation failed', flatten(errors)),
  });
}

export { flatten as flattenValidationErrors };
