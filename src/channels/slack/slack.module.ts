import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { SlackSettings } from './config/slack-settings';
import { SlackOAuthController } from './controllers/slack-oauth.controller';
import { SlackSignatureGuard } from './guards/slack-signature.guard';
import { SlackInstallationsService } from './installations/slack-installations.service';
import { SlackClientFactory } from './slack-client/slack-client.factory';
import { SlackUserDirectory } from './users/slack-user-directory.service';
import { IdentityModule } from '../../identity/identity.module';
import { INBOUND_SLACK } from './inbound-slack.parts';
import { OUTBOUND_SLACK } from './outbound-slack.parts';

/**
 * The Slack channel: outbound (domain events -> messages and threads, through the notification
 * pipeline) and inbound (Slack events, interactions and commands -> ticket changes). Domain modules
 * do not know it exists; it depends only on their public services and the event catalogue.
 */
@Module({
  imports: [IdentityModule, ...INBOUND_SLACK.imports, ...OUTBOUND_SLACK.imports],
  controllers: [SlackOAuthController, ...INBOUND_SLACK.controllers, ...OUTBOUND_SLACK.controllers],
  providers: [
    { provide: SlackSettings, inject: [AppConfig], useFactory: (config: AppConfig) => SlackSettings.from(config.env) },
    SlackClientFactory,
    SlackInstallationsService,
    SlackSignatureGuard,
    SlackUserDirectory,
    ...INBOUND_SLACK.providers,
    ...OUTBOUND_SLACK.providers,
  ],
  exports: [SlackSettings, SlackInstallationsService, SlackClientFactory, SlackUserDirectory],
})
export class SlackModule {}
