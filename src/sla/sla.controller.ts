import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
import { Roles } from '../identity/principal';
import { ScanResponse, SlaReport, SlaReportQuery } from './report/report.dto';
import { SlaReportService } from './report/report.service';
import { SlaScannerService } from './sla-scanner.service';

@ApiTags('sla')
@Controller('api/v1/sla')
export class SlaController {
  constructor(
    private readonly reports: SlaReportService,
    private readonly scanner: SlaScannerService,
  ) {}

  @Get('report')
  @ApiOperation({
    summary: 'SLA performance per priority',
    description: 'Tickets opened in [from, to): per priority, met and breached counts of each target and median minutes to first response and to resolution.',
  })
  @ApiOkResponse({ type: SlaReport })
  @ApiErrors(400)
  report(@Query() query: SlaReportQuery): Promise<SlaReport> {
    return this.reports.report(query);
  }

  @Post('scan')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run the SLA scanner now (admin)',
    description: 'Emits the warnings, breaches and overdue events that are due; the scheduled scan does the same. Each event is emitted once however often this runs.',
  })
  @ApiOkResponse({ type: ScanResponse })
  @ApiErrors(403)
  scan(): Promise<ScanResponse> {
    return this.scanner.scanOnce();
  }
}
