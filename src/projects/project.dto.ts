import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Project } from './project.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
export const PROJECT_KEY = /^[A-Z][A-Z0-9]{1,9}$/;

export class CreateProjectDto {
  @ApiProperty({ example: 'PLAT', description: '2-10 upper-case letters or digits, starting with a letter' })
  @IsString() @Matches(PROJECT_KEY, { message: 'key must be 2-10 upper-case letters or digits, starting with a letter' })
  key: string;

  @ApiProperty({ example: 'Platform', maxLength: 200 })
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'Infrastructure and internal platform', maxLength: 2000 })
  @IsOptional() @IsString() @MaxLength(2000)
  description?: string;
}

export class UpdateProjectDto {
  @ApiPropertyOptional({ example: 'Platform team', maxLength: 200 })
  @IsOptional() @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional() @IsString() @MaxLength(2000)
  description?: string;
}

export class ProjectResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'PLAT' }) key: string;
  @ApiProperty({ example: 'Platform' }) name: string;
  @ApiProperty() description: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static of(p: Project): ProjectResponse {
    return { id: p.id, key: p.key, name: p.name, description: p.description, createdAt: p.createdAt.toISOString(), updatedAt: p.updatedAt.toISOString() };
  }
}
