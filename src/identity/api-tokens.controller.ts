import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
import { requireUuid } from '../common/uuid';
import { ApiTokensService } from './api-tokens.service';
import { ApiTokenResponse, CreateApiTokenDto, CreatedApiTokenResponse } from './dto/api-token.dto';
import { CurrentPrincipal, Principal, Roles } from './principal';

@ApiTags('api-tokens')
@Roles('admin')
@Controller('api/v1/api-tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API token (admin). The secret is in this response only.' })
  @ApiCreatedResponse({ type: CreatedApiTokenResponse })
  @ApiErrors(400, 403)
  async create(@Body() dto: CreateApiTokenDto, @CurrentPrincipal() caller: Principal): Promise<CreatedApiTokenResponse> {
    const { token, secret } = await this.tokens.create(dto, caller);
    return { ...ApiTokenResponse.of(token), token: secret };
  }

  @Get()
  @ApiOperation({ summary: 'List API tokens, without their secrets (admin)' })
  @ApiOkResponse({ type: [ApiTokenResponse] })
  @ApiErrors(403)
  async list(): Promise<ApiTokenResponse[]> {
    return (await this.tokens.list()).map(ApiTokenResponse.of);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API token (admin)' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors(400, 403, 404)
  async revoke(@Param('id') id: string): Promise<void> {
    await this.tokens.revoke(requireUuid(id));
  }
}
