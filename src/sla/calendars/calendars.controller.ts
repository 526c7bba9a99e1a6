import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-docs';
import { Roles } from '../../identity/principal';
import { CalendarRecord } from './calendars.repository';
import { CalendarsService } from './calendars.service';
import { CalendarResponse, CreateCalendarDto, UpdateCalendarDto } from './calendar.dto';

const ID_PARAM = { name: 'id', format: 'uuid', description: 'Calendar id' };

const toResponse = (c: CalendarRecord): CalendarResponse => ({
  id: c.id,
  name: c.name,
  timeZone: c.timeZone,
  workingHours: c.workingHours,
  holidays: c.holidays,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

@ApiTags('sla')
@Controller('api/v1/sla/calendars')
export class CalendarsController {
  constructor(private readonly calendars: CalendarsService) {}

  @Get()
  @ApiOperation({ summary: 'List business calendars' })
  @ApiOkResponse({ type: [CalendarResponse] })
  @ApiErrors()
  async list(): Promise<CalendarResponse[]> {
    return (await this.calendars.list()).map(toResponse);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a business calendar' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: CalendarResponse })
  @ApiErrors(400, 404)
  async get(@Param('id') id: string): Promise<CalendarResponse> {
    return toResponse(await this.calendars.get(id));
  }

  @Post()
  @Roles('admin')
  @ApiOperation({
    summary: 'Create a business calendar (admin)',
    description: 'Time zone, weekly working hours in local time and holidays. Errors name the field, e.g. `workingHours[1].start`.',
  })
  @ApiCreatedResponse({ type: CalendarResponse })
  @ApiErrors(400, 403, 409)
  async create(@Body() dto: CreateCalendarDto): Promise<CalendarResponse> {
    return toResponse(await this.calendars.create(dto));
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a business calendar (admin)', description: 'Running clocks on this calendar are recomputed at once (e.g. a new holiday moves their due times).' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: CalendarResponse })
  @ApiErrors(400, 403, 404, 409)
  async update(@Param('id') id: string, @Body() dto: UpdateCalendarDto): Promise<CalendarResponse> {
    return toResponse(await this.calendars.update(id, dto));
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a business calendar (admin)', description: '409 while a policy or a ticket clock refers to it.' })
  @ApiParam(ID_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 403, 404, 409)
  async delete(@Param('id') id: string): Promise<void> {
    await this.calendars.delete(id);
  }
}
