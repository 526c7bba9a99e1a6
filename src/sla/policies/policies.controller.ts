import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-docs';
import { Roles } from '../../identity/principal';
import { PolicyRecord } from './policies.repository';
import { PoliciesService } from './policies.service';
import { CreatePolicyDto, PolicyResponse, UpdatePolicyDto } from './policy.dto';

const ID_PARAM = { name: 'id', format: 'uuid', description: 'Policy id' };

export const toPolicyResponse = (p: PolicyRecord): PolicyResponse => ({
  id: p.id,
  name: p.name,
  projectKey: p.projectKey,
  calendarId: p.calendarId,
  warningPercent: p.warningPercent,
  targets: p.targets,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

@ApiTags('sla')
@Controller('api/v1/sla/policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Get()
  @ApiOperation({ summary: 'List SLA policies (the global one first)' })
  @ApiOkResponse({ type: [PolicyResponse] })
  @ApiErrors()
  async list(): Promise<PolicyResponse[]> {
    return (await this.policies.list()).map(toPolicyResponse);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an SLA policy' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: PolicyResponse })
  @ApiErrors(400, 404)
  async get(@Param('id') id: string): Promise<PolicyResponse> {
    return toPolicyResponse(await this.policies.get(id));
  }

  @Post()
  @Roles('admin')
  @ApiOperation({
    summary: 'Create a project SLA policy (admin)',
    description: 'One policy per project; it wins over the global policy for that project\'s tickets. Applies to clocks started afterwards.',
  })
  @ApiCreatedResponse({ type: PolicyResponse })
  @ApiErrors(400, 403, 409)
  async create(@Body() dto: CreatePolicyDto): Promise<PolicyResponse> {
    return toPolicyResponse(await this.policies.create(dto));
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change an SLA policy (admin)', description: 'Running clocks keep their terms; new clocks and recomputed ones (priority change) use the new ones.' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: PolicyResponse })
  @ApiErrors(400, 403, 404)
  async update(@Param('id') id: string, @Body() dto: UpdatePolicyDto): Promise<PolicyResponse> {
    return toPolicyResponse(await this.policies.update(id, dto));
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a project SLA policy (admin)', description: '409 for the global policy and for a policy with running ticket clocks.' })
  @ApiParam(ID_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 403, 404, 409)
  async delete(@Param('id') id: string): Promise<void> {
    await this.policies.delete(id);
  }
}
