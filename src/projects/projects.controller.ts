import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
import { Roles } from '../identity/principal';
import { CreateProjectDto, ProjectResponse, UpdateProjectDto } from './project.dto';
import { ProjectsService } from './projects.service';

@ApiTags('projects')
@Controller('api/v1/projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a project (admin)' })
  @ApiCreatedResponse({ type: ProjectResponse })
  @ApiErrors(400, 403, 409)
  async create(@Body() dto: CreateProjectDto): Promise<ProjectResponse> {
    return ProjectResponse.of(await this.projects.create(dto));
  }

  @Get()
  @ApiOperation({ summary: 'List projects by key' })
  @ApiOkResponse({ type: [ProjectResponse] })
  @ApiErrors()
  async list(): Promise<ProjectResponse[]> {
    return (await this.projects.list()).map(ProjectResponse.of);
  }

  @Get(':key')
  @ApiOperation({ summary: 'Get a project by key' })
  @ApiParam({ name: 'key', example: 'PLAT' })
  @ApiOkResponse({ type: ProjectResponse })
  @ApiErrors(400, 404)
  async get(@Param('key') key: string): Promise<ProjectResponse> {
    return ProjectResponse.of(await this.projects.get(key));
  }

  @Patch(':key')
  @Roles('admin')
  @ApiOperation({ summary: 'Rename or describe a project (admin)' })
  @ApiParam({ name: 'key', example: 'PLAT' })
  @ApiOkResponse({ type: ProjectResponse })
  @ApiErrors(400, 403, 404)
  async update(@Param('key') key: string, @Body() dto: UpdateProjectDto): Promise<ProjectResponse> {
    return ProjectResponse.of(await this.projects.update(key, dto));
  }
}
