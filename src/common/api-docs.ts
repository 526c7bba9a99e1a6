import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { ErrorBody } from './errors';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: `errors` names each offending field',
  401: 'Missing, malformed, expired or revoked API token',
  403: 'Your role does not allow this',
  404: 'No such record',
  409: 'Conflict: stale version, invalid status transition or duplicate',
  413: 'Request body too large',
};

const EXAMPLES: Record<number, object> = {
  400: { statusCode: 400, error: 'Bad Request', message: 'Validation failed', errors: [{ field: 'priority', message: 'priority must be one of the following values: critical, high, medium, low' }] },
  401: { statusCode: 401, error: 'Unauthorized', message: 'Invalid, expired or revoked API token' },
  403: { statusCode: 403, error: 'Forbidden', message: 'This requires the admin role' },
  404: { statusCode: 404, error: 'Not Found', message: 'Ticket TKT-42 not found' },
  409: { statusCode: 409, error: 'Conflict', message: 'Ticket was changed by someone else', currentVersion: 4 },
  413: { statusCode: 413, error: 'Payload Too Large', message: 'Request body is too large' },
};

/** Documents the standard error responses of an authenticated route (401 and 413 always apply). */
export function ApiErrors(...statuses: number[]) {
  const all = [...new Set([...statuses, 401, 413])].sort();
  return applyDecorators(
    ApiBearerAuth(),
    ...all.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorBody, example: EXAMPLES[status] }),
    ),
  );
}
