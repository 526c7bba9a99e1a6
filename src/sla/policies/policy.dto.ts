import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsDefined, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { TicketPriority } from '../../events/event-catalogue';
import { PROJECT_KEY } from '../../projects/project.dto';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** A year of business minutes: anything longer is a typo, not a target. */
export const MAX_TARGET_MINUTES = 525_600;

export class PriorityTargetsDto {
  @ApiProperty({ example: 60, minimum: 1, maximum: MAX_TARGET_MINUTES, description: 'Business minutes to the first public agent reply' })
  @IsInt() @Min(1) @Max(MAX_TARGET_MINUTES)
  firstResponseMinutes: number;

  @ApiProperty({ example: 480, minimum: 1, maximum: MAX_TARGET_MINUTES, description: 'Business minutes to resolved' })
  @IsInt() @Min(1) @Max(MAX_TARGET_MINUTES)
  resolutionMinutes: number;
}

const nested = (example: { firstResponseMinutes: number; resolutionMinutes: number }) => ({ type: PriorityTargetsDto, example });

export class PolicyTargetsDto {
  @ApiProperty(nested({ firstResponseMinutes: 15, resolutionMinutes: 240 }))
  @IsDefined() @IsObject() @ValidateNested() @Type(() => PriorityTargetsDto)
  critical: PriorityTargetsDto;

  @ApiProperty(nested({ firstResponseMinutes: 60, resolutionMinutes: 480 }))
  @IsDefined() @IsObject() @ValidateNested() @Type(() => PriorityTargetsDto)
  high: PriorityTargetsDto;

  @ApiProperty(nested({ firstResponseMinutes: 240, resolutionMinutes: 1440 }))
  @IsDefined() @IsObject() @ValidateNested() @Type(() => PriorityTargetsDto)
  medium: PriorityTargetsDto;

  @ApiProperty(nested({ firstResponseMinutes: 480, resolutionMinutes: 4320 }))
  @IsDefined() @IsObject() @ValidateNested() @Type(() => PriorityTargetsDto)
  low: PriorityTargetsDto;
}

export class PartialPolicyTargetsDto {
  @ApiPropertyOptional({ type: PriorityTargetsDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PriorityTargetsDto)
  critical?: PriorityTargetsDto;

  @ApiPropertyOptional({ type: PriorityTargetsDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PriorityTargetsDto)
  high?: PriorityTargetsDto;

  @ApiPropertyOptional({ type: PriorityTargetsDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PriorityTargetsDto)
  medium?: PriorityTargetsDto;

  @ApiPropertyOptional({ type: PriorityTargetsDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PriorityTargetsDto)
  low?: PriorityTargetsDto;
}

export class CreatePolicyDto {
  @ApiProperty({ example: 'Platform team', maxLength: 200 })
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'PLAT', description: 'The project it applies to; absent for the global policy. A project policy wins over the global one.' })
  @IsOptional() @IsString() @Matches(PROJECT_KEY, { message: 'projectKey must be a project key such as PLAT' })
  projectKey?: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'Business calendar; absent or null: the clock runs 24x7' })
  @ValidateIf((o) => o.calendarId !== null && o.calendarId !== undefined) @IsUUID()
  calendarId?: string | null;

  @ApiPropertyOptional({ example: 80, minimum: 1, maximum: 99, default: 80, description: 'Percent of a target elapsed at which it turns to warning' })
  @IsOptional() @IsInt() @Min(1) @Max(99)
  warningPercent?: number;

  @ApiProperty({ type: PolicyTargetsDto, description: 'Per priority, in business minutes' })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => PolicyTargetsDto)
  targets: PolicyTargetsDto;
}

export class UpdatePolicyDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional() @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'null: 24x7' })
  @ValidateIf((o) => o.calendarId !== null && o.calendarId !== undefined) @IsUUID()
  calendarId?: string | null;

  @ApiPropertyOptional({ minimum: 1, maximum: 99 })
  @IsOptional() @IsInt() @Min(1) @Max(99)
  warningPercent?: number;

  @ApiPropertyOptional({ type: PartialPolicyTargetsDto, description: 'Priorities given are replaced, others kept' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PartialPolicyTargetsDto)
  targets?: PartialPolicyTargetsDto;
}

export type PolicyTargets = Record<TicketPriority, { firstResponseMinutes: number; resolutionMinutes: number }>;

export class PolicyResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Default' }) name: string;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'null for the global policy' }) projectKey: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'null: 24x7' }) calendarId: string | null;
  @ApiProperty({ example: 80 }) warningPercent: number;
  @ApiProperty({ type: PolicyTargetsDto }) targets: PolicyTargets;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}
