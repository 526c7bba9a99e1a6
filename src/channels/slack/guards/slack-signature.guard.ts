import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../../common/errors';
import { SlackSettings } from '../config/slack-settings';
import { verifySlackSignature } from './verify-slack-signature';

/**
 * Verifies `X-Slack-Signature` over the raw request bytes before anything parses them, and refuses
 * timestamps more than five minutes from now (replays). Failures are 401 and logged without the body.
 */
@Injectable()
export class SlackSignatureGuard implements CanActivate {
  private readonly logger = new Logger('SlackSignature');

  constructor(private readonly settings: SlackSettings) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const secret = this.settings.SLACK_SIGNING_SECRET;
    if (!secret) throw new ApiError(503, 'Slack is not configured (SLACK_SIGNING_SECRET is not set)');
    // A Buffer for every route under /slack (src/common/body-parsing.ts); anything else fails the check.
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const result = verifySlackSignature({
      signingSecret: secret,
      signature: header(req, 'x-slack-signature'),
      timestamp: header(req, 'x-slack-request-timestamp'),
      rawBody,
      nowMs: Date.now(),
    });
    if (!result.ok) {
      this.logger.warn({ reason: result.reason, path: req.url.split('?', 1)[0], bytes: rawBody.length }, 'refused a Slack request');
      throw new ApiError(401, `Slack signature check failed: ${result.reason}`, { reason: result.reason });
    }
    return true;
  }
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
