import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module';
import { TicketsModule } from '../tickets/tickets.module';
import { CalendarsController } from './calendars/calendars.controller';
import { CalendarsRepository } from './calendars/calendars.repository';
import { CalendarsService } from './calendars/calendars.service';
import { CLOCK_PROVIDER } from './clock';
import { PoliciesController } from './policies/policies.controller';
import { PoliciesRepository } from './policies/policies.repository';
import { PoliciesService } from './policies/policies.service';
import { SlaReportService } from './report/report.service';
import { SlaClocksService } from './sla-clocks.service';
import { SlaScannerService } from './sla-scanner.service';
import { SlaStateRepository } from './sla-state.repository';
import { SlaController } from './sla.controller';

/**
 * SLA clocks, policies, calendars, the scanner and the report. Hooks into tickets and comments only
 * through OutboxService listeners and TicketExtensions view decorators; tells the rest of the
 * system through `sla.warning`, `sla.breached` and `ticket.overdue` events. Knows no channel.
 */
@Module({
  imports: [TicketsModule, ProjectsModule],
  controllers: [PoliciesController, CalendarsController, SlaController],
  providers: [
    CLOCK_PROVIDER,
    SlaStateRepository,
    PoliciesRepository,
    CalendarsRepository,
    PoliciesService,
    CalendarsService,
    SlaClocksService,
    SlaScannerService,
    SlaReportService,
  ],
  exports: [SlaScannerService, SlaClocksService],
})
export class SlaModule {}
