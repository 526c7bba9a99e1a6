import { AppConfig } from '../../config/app-config';
import { CommentsModule } from '../../comments/comments.module';
import { ProjectsModule } from '../../projects/projects.module';
import { TicketsModule } from '../../tickets/tickets.module';
import { InboundSlackSettings } from './config/inbound-settings';
import { InboundSlackAdminController } from './controllers/inbound-admin.controller';
import { SlackCommandsController } from './controllers/slack-commands.controller';
import { SlackEventsController } from './controllers/slack-events.controller';
import { SlackInteractionsController } from './controllers/slack-interactions.controller';
import { InboundCommandsService } from './sync/inbound-commands.service';
import { InboundEventsService } from './sync/inbound-events.service';
import { InboundInteractionsService } from './sync/inbound-interactions.service';
import { InboundSlackSupport } from './sync/inbound-support';
import { InboundThreadSync } from './sync/inbound-thread-sync.service';
import { InboundThreadsRepository } from './sync/inbound-threads.repository';
import { InboundTriage } from './sync/inbound-triage.service';
import { InboundWorkQueue } from './sync/inbound-work-queue';
import { SlackReconciler } from './sync/slack-reconciler.service';

/**
 * The inbound half of SlackModule (Slack -> tickets): spread into SlackModule's metadata, so the
 * two halves share one module (and its SlackSettings, installations and user directory) while
 * living in their own files. See docs/decisions/0006-slack-inbound.md.
 */
export const INBOUND_SLACK = {
  imports: [TicketsModule, CommentsModule, ProjectsModule],
  controllers: [SlackEventsController, SlackInteractionsController, SlackCommandsController, InboundSlackAdminController],
  providers: [
    { provide: InboundSlackSettings, inject: [AppConfig], useFactory: (config: AppConfig) => InboundSlackSettings.from(config.env) },
    InboundWorkQueue,
    InboundThreadsRepository,
    InboundSlackSupport,
    InboundThreadSync,
    InboundTriage,
    InboundEventsService,
    InboundInteractionsService,
    InboundCommandsService,
    SlackReconciler,
  ],
  exports: [InboundThreadsRepository],
};
