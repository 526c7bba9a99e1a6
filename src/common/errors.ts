import { HttpException, HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldError {
  @ApiProperty({ example: 'priority' })
  field: string;

  @ApiProperty({ example: 'priority must be one of: critical, high, medium, low' })
  message: string;
}

/** The one error body every failing request gets. */
export class ErrorBody {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request' })
  error: string;

  @ApiProperty({ example: 'Validation failed' })
  message: string;

  @ApiPropertyOptional({ type: [FieldError], description: 'Each offending field (validation errors only)' })
  errors?: FieldError[];
}

const reason = (status: number) =>
  (HttpStatus[status] ?? 'Error')
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');

/** An HTTP error carrying the standard body plus optional machine-readable extras. */
export class ApiError extends HttpException {
  constructor(status: number, message: string, extras: Record<string, unknown> = {}) {
    super({ statusCode: status, error: reason(status), message, ...extras }, status);
  }
}

export const badRequest = (message: string, errors?: FieldError[]) =>
  new ApiError(400, message, errors ? { errors } : {});
export const fieldError = (field: string, message: string) => badRequest('Validation failed', [{ field, message }]);
export const notFound = (what: string, id: string) => new ApiError(404, `${what} ${id} not found`);
export const forbidden = (message = 'You are not allowed to do this') => new ApiError(403, message);
export const conflict = (message: string, extras: Record<string, unknown> = {}) => new ApiError(409, message, extras);
export { reason as httpReason };
