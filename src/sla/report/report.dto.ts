import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { TICKET_PRIORITIES, TicketPriority } from '../../events/event-catalogue';
import { PROJECT_KEY } from '../../projects/project.dto';

export class SlaReportQuery {
  @ApiProperty({ example: '2026-01-01T00:00:00Z', description: 'Tickets whose clocks started at or after this instant (ISO 8601)' })
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date or date-time' })
  from: string;

  @ApiProperty({ example: '2026-02-01T00:00:00Z', description: '... and before this one; must be after `from`' })
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date or date-time' })
  to: string;

  @ApiPropertyOptional({ example: 'PLAT', description: 'Only tickets of this project' })
  @IsOptional() @IsString() @Matches(PROJECT_KEY, { message: 'projectKey must be a project key such as PLAT' })
  projectKey?: string;
}

export class SlaTargetReport {
  @ApiProperty({ example: 40, description: 'Completed on time' }) met: number;
  @ApiProperty({ example: 3, description: 'Completed late, or still open past due' }) breached: number;
  @ApiProperty({ example: 2, description: 'Still open and not yet due' }) open: number;
  @ApiProperty({ example: 42.5, nullable: true, type: Number, description: 'Median wall-clock minutes from ticket creation to completion' })
  medianMinutes: number | null;
}

export class SlaPriorityReport {
  @ApiProperty({ enum: TICKET_PRIORITIES }) priority: TicketPriority;
  @ApiProperty({ example: 45 }) tickets: number;
  @ApiProperty({ type: SlaTargetReport }) firstResponse: SlaTargetReport;
  @ApiProperty({ type: SlaTargetReport }) resolution: SlaTargetReport;
}

export class SlaReport {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ nullable: true, type: String }) projectKey: string | null;
  @ApiProperty({ description: 'The instant open clocks were judged at' }) asOf: string;
  @ApiProperty({ type: [SlaPriorityReport] }) priorities: SlaPriorityReport[];
}

export class ScanResponse {
  @ApiProperty({ example: 1 }) warning: number;
  @ApiProperty({ example: 0 }) breached: number;
  @ApiProperty({ example: 0 }) overdue: number;
}
