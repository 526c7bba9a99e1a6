import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
import { apiContext, CurrentPrincipal, Principal } from '../identity/principal';
import { ActivityPage, ActivityQuery, CreateTicketDto, ListTicketsQuery, TicketPage, TicketResponse, UpdateTicketDto } from './dto/ticket.dto';
import { TicketExtensions } from './ticket-extensions';
import { TicketRecord, toSnapshot } from './ticket.record';
import { TicketsService } from './tickets.service';

const ID_PARAM = { name: 'idOrNumber', description: 'Ticket UUID or number', example: 'TKT-42' };

@ApiTags('tickets')
@Controller('api/v1/tickets')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly extensions: TicketExtensions,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Open a ticket' })
  @ApiCreatedResponse({ type: TicketResponse })
  @ApiErrors(400)
  async create(@Body() dto: CreateTicketDto, @CurrentPrincipal() caller: Principal): Promise<TicketResponse> {
    return this.one(await this.tickets.create(dto, apiContext(caller)));
  }

  @Get()
  @ApiOperation({ summary: 'Find tickets: filter, sort, page with a cursor' })
  @ApiOkResponse({ type: TicketPage })
  @ApiErrors(400)
  async list(@Query() query: ListTicketsQuery, @CurrentPrincipal() caller: Principal): Promise<TicketPage> {
    const page = await this.tickets.list(query, caller.userId);
    return { items: await this.many(page.items), nextCursor: page.nextCursor };
  }

  @Get(':idOrNumber')
  @ApiOperation({ summary: 'Get a ticket by UUID or number (TKT-42)' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: TicketResponse })
  @ApiErrors(400, 404)
  async get(@Param('idOrNumber') idOrNumber: string): Promise<TicketResponse> {
    return this.one(await this.tickets.get(idOrNumber));
  }

  @Patch(':idOrNumber')
  @ApiOperation({
    summary: 'Change fields, status or assignee',
    description: 'Status follows the workflow (409 lists the allowed next states). Send `version` to refuse the change if someone else changed the ticket since you read it.',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: TicketResponse })
  @ApiErrors(400, 404, 409)
  async update(@Param('idOrNumber') idOrNumber: string, @Body() dto: UpdateTicketDto, @CurrentPrincipal() caller: Principal): Promise<TicketResponse> {
    return this.one(await this.tickets.update(idOrNumber, dto, apiContext(caller)));
  }

  @Get(':idOrNumber/activity')
  @ApiOperation({ summary: 'The history of a ticket, oldest first' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: ActivityPage })
  @ApiErrors(400, 404)
  async activity(@Param('idOrNumber') idOrNumber: string, @Query() q: ActivityQuery): Promise<ActivityPage> {
    return this.tickets.listActivity(idOrNumber, q.limit, q.cursor);
  }

  private async one(ticket: TicketRecord): Promise<TicketResponse> {
    return (await this.many([ticket]))[0];
  }

  private async many(tickets: TicketRecord[]): Promise<TicketResponse[]> {
    const extras = await this.extensions.decorate(tickets);
    return tickets.map((t) => ({ ...toSnapshot(t), ...extras.get(t.id) }));
  }
}
