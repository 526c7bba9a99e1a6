import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
import { PageQuery } from '../common/page-query.dto';
import { requireUuid } from '../common/uuid';
import { CreateUserDto, UpdateUserDto, UserResponse } from './dto/user.dto';
import { Roles } from './principal';
import { UsersService } from './users.service';

class UserPage {
  items: UserResponse[];
  nextCursor: string | null;
}

@ApiTags('users')
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a user (admin)' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiErrors(400, 403, 409)
  async create(@Body() dto: CreateUserDto): Promise<UserResponse> {
    return UserResponse.of(await this.users.create(dto));
  }

  @Get()
  @ApiOperation({ summary: 'List users, oldest first' })
  @ApiOkResponse({ schema: { properties: { items: { type: 'array', items: { $ref: '#/components/schemas/UserResponse' } }, nextCursor: { type: 'string', nullable: true } } } })
  @ApiErrors(400)
  async list(@Query() q: PageQuery): Promise<UserPage> {
    const page = await this.users.list(q.limit, q.cursor);
    return { items: page.items.map(UserResponse.of), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user' })
  @ApiOkResponse({ type: UserResponse })
  @ApiErrors(400, 404)
  async get(@Param('id') id: string): Promise<UserResponse> {
    return UserResponse.of(await this.users.get(requireUuid(id)));
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a user: name, email, role, or deactivate (admin)' })
  @ApiOkResponse({ type: UserResponse })
  @ApiErrors(400, 403, 404, 409)
  async update(@Param('id') id: string, @Body() dto: UpdateUserDto): Promise<UserResponse> {
    return UserResponse.of(await this.users.update(requireUuid(id), dto));
  }
}
