import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../../identity/principal';
import { SlackSignatureGuard } from '../guards/slack-signature.guard';
import { InboundInteractionsService } from '../sync/inbound-interactions.service';
import { parseInteraction } from '../sync/inbound-payloads';

/**
 * Slack interactivity: buttons, selects, shortcuts and modal submissions (form field `payload`
 * holding JSON), parsed only after the signature guard. Always 200 for a well-formed payload
 * (Slack shows an error to the person otherwise); the body is empty or a `response_action`.
 */
@ApiExcludeController()
@Public()
@UseGuards(SlackSignatureGuard)
@Controller('slack')
export class SlackInteractionsController {
  constructor(private readonly interactions: InboundInteractionsService) {}

  @Post('interactions')
  @HttpCode(200)
  async receive(@Req() req: FastifyRequest): Promise<Record<string, unknown> | string> {
    const answer = await this.interactions.handle(parseInteraction(req.body));
    return answer ?? '';
  }
}
