import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { conflict, fieldError, notFound } from '../common/errors';
import { CreateProjectDto, PROJECT_KEY, UpdateProjectDto } from './project.dto';
import { Project } from './project.entity';

@Injectable()
export class ProjectsService {
  constructor(@InjectRepository(Project) private readonly projects: Repository<Project>) {}

  async create(dto: CreateProjectDto): Promise<Project> {
    if (await this.projects.findOneBy({ key: dto.key })) throw conflict(`Project ${dto.key} already exists`, { field: 'key' });
    return this.projects.save(this.projects.create({ ...dto, description: dto.description ?? '' }));
  }

  list(): Promise<Project[]> {
    return this.projects.find({ order: { key: 'ASC' } });
  }

  async get(key: string): Promise<Project> {
    if (!PROJECT_KEY.test(key)) throw fieldError('key', 'key must be 2-10 upper-case letters or digits, starting with a letter');
    const project = await this.projects.findOneBy({ key });
    if (!project) throw notFound('Project', key);
    return project;
  }

  /** For references in other modules' input: an unknown key is a 400 naming the field. */
  async requireByKey(key: string, field: string): Promise<Project> {
    const project = PROJECT_KEY.test(key) ? await this.projects.findOneBy({ key }) : null;
    if (!project) throw fieldError(field, `${field} ${key} does not name a project`);
    return project;
  }

  async update(key: string, dto: UpdateProjectDto): Promise<Project> {
    const project = await this.get(key);
    Object.assign(project, dto);
    return this.projects.save(project);
  }
}
