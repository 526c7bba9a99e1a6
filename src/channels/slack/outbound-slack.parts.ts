import { ProjectsModule } from '../../projects/projects.module';
import { TicketsModule } from '../../tickets/tickets.module';
import { SlackIntegrationController } from './controllers/slack-integration.controller';
import { SlackChannelResolver } from './sync/slack-channel-resolver';
import { SlackIntegrationService } from './sync/slack-integration.service';
import { SlackChannel } from './sync/slack-outbound.channel';
import { SlackRoutesRepository } from './sync/slack-routes.repository';
import { SlackThreadsRepository } from './sync/slack-threads.repository';

/**
 * The outbound half of SlackModule (domain events -> Slack messages and threads, through the
 * notification pipeline), spread into SlackModule's metadata like the inbound half. SlackChannel is
 * discovered by the pipeline through its `@NotificationChannelProvider()` marker; with Slack off
 * (no token, no OAuth credentials) it wants no event, so nothing is ever queued for it.
 * See docs/decisions/0005-slack-outbound.md.
 */
export const OUTBOUND_SLACK = {
  imports: [TicketsModule, ProjectsModule],
  controllers: [SlackIntegrationController],
  providers: [SlackChannel, SlackRoutesRepository, SlackThreadsRepository, SlackChannelResolver, SlackIntegrationService],
  exports: [SlackChannel],
};
