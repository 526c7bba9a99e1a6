import { Controller, HttpCode, Logger, Post, Req, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../../identity/principal';
import { SlackSettings } from '../config/slack-settings';
import { SlackSignatureGuard } from '../guards/slack-signature.guard';
import { InboundEventsService } from '../sync/inbound-events.service';
import { parseEventEnvelope } from '../sync/inbound-payloads';

/**
 * Slack's Events API. The guard has verified the signature over the raw bytes; only then is the
 * body parsed. Answers within milliseconds: the work happens after the acknowledgement.
 */
@ApiExcludeController()
@Public()
@UseGuards(SlackSignatureGuard)
@Controller('slack')
export class SlackEventsController {
  private readonly logger = new Logger('SlackEvents');

  constructor(
    private readonly settings: SlackSettings,
    private readonly events: InboundEventsService,
  ) {}

  @Post('events')
  @HttpCode(200)
  async receive(@Req() req: FastifyRequest): Promise<{ challenge: string } | { ok: true }> {
    const envelope = parseEventEnvelope(req.body, this.settings.SLACK_TRIAGE_EMOJI);
    if (envelope.type === 'url_verification') return { challenge: envelope.challenge };
    if (envelope.type === 'ignored') return { ok: true };
    const outcome = await this.events.accept(envelope);
    if (outcome !== 'queued') {
      const retry = req.headers['x-slack-retry-num'];
      this.logger.debug({ eventId: envelope.eventId, outcome, retry, reason: envelope.ignored }, 'Slack event not acted on');
    }
    return { ok: true };
  }
}
