import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { ProjectsModule } from '../projects/projects.module';
import { TicketActivityRepository } from './ticket-activity.repository';
import { TicketExtensions } from './ticket-extensions';
import { TicketsController } from './tickets.controller';
import { TicketsRepository } from './tickets.repository';
import { TicketsService } from './tickets.service';

@Module({
  imports: [IdentityModule, ProjectsModule],
  controllers: [TicketsController],
  providers: [TicketsService, TicketsRepository, TicketActivityRepository, TicketExtensions],
  exports: [TicketsService, TicketExtensions],
})
export class TicketsModule {}
