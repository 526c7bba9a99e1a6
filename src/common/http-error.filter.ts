import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { QueryFailedError } from 'typeorm';
import { httpReason } from './errors';

/**
 * Turns every failure into `{ statusCode, error, message, errors? }`. Known client mistakes that
 * surface below the validation layer (malformed JSON, oversized bodies, database constraint
 * violations) become 4xx; only genuinely unexpected errors are 500, and those are logged.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const { httpAdapter } = this.adapterHost;
    const res = host.switchToHttp().getResponse<unknown>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (httpAdapter.isHeadersSent(res)) return;
    httpAdapter.reply(res, body, body.statusCode);
  }

  private toBody(exception: unknown): { statusCode: number; error: string; message: string; [k: string]: unknown } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && 'statusCode' in response && 'error' in response) {
        const r = response as unknown as { message: unknown };
        return { ...(response as object), message: Array.isArray(r.message) ? r.message.join('; ') : String(r.message) } as never;
      }
      const message = typeof response === 'string' ? response : ((response as { message?: string }).message ?? exception.message);
      return { statusCode: status, error: httpReason(status), message: Array.isArray(message) ? message.join('; ') : String(message) };
    }
    // Fastify's own client errors (a body over the limit, a Content-Length that does not match)
    // arrive here already turned into HttpExceptions by Nest; those of http-errors style
    // libraries carry an HTTP `status`.
    const e = exception as { status?: number; message?: string };
    if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return { statusCode: e.status, error: httpReason(e.status), message: e.message ?? 'Bad request' };
    }
    if (exception instanceof QueryFailedError) {
      const code = (exception as unknown as { code?: string }).code;
      if (code === '22P02' || code === '22001' || code === '22003' || code === '22007' || code === '22008') {
        return { statusCode: 400, error: httpReason(400), message: 'Invalid value' };
      }
      if (code === '23505') return { statusCode: 409, error: httpReason(409), message: 'Already exists' };
      if (code === '23503') return { statusCode: 400, error: httpReason(400), message: 'Referenced record does not exist' };
    }
    return { statusCode: 500, error: httpReason(500), message: 'Internal server error' };
  }
}
