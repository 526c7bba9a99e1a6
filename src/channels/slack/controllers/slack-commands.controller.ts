import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../../identity/principal';
import { SlackSignatureGuard } from '../guards/slack-signature.guard';
import { CommandResponse, InboundCommandsService } from '../sync/inbound-commands.service';
import { parseSlashCommand } from '../sync/inbound-payloads';

/** The `/ticket` slash command (form-encoded), parsed only after the signature guard. */
@ApiExcludeController()
@Public()
@UseGuards(SlackSignatureGuard)
@Controller('slack')
export class SlackCommandsController {
  constructor(private readonly commands: InboundCommandsService) {}

  @Post('commands')
  @HttpCode(200)
  receive(@Req() req: FastifyRequest): Promise<CommandResponse> {
    return this.commands.handle(parseSlashCommand(req.body));
  }
}
