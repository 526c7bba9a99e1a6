import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { DAY_NAMES, WorkingInterval } from '../engine/business-calendar';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class WorkingIntervalDto {
  @ApiProperty({ enum: DAY_NAMES, example: 'mon' }) day: string;
  @ApiProperty({ example: '09:00', description: 'Local time HH:mm, inclusive' }) start: string;
  @ApiProperty({ example: '17:00', description: 'Local time HH:mm, exclusive; 24:00 is the end of the day' }) end: string;
}

const HOURS_DOC: ApiPropertyOptions = {
  type: [WorkingIntervalDto],
  description: 'Weekly working intervals in local time; several per day are fine (a lunch break), overlapping ones are not',
  example: [
    { day: 'mon', start: '09:00', end: '17:00' },
    { day: 'tue', start: '09:00', end: '17:00' },
  ],
};
const HOLIDAYS_DOC: ApiPropertyOptions = { type: [String], description: 'Local dates (YYYY-MM-DD) with no working time', example: ['2026-12-25'] };

/**
 * The shape of time zone, hours and holidays is checked by `validateCalendar` (one error per field,
 * e.g. `workingHours[1].start`), not here: these decorators only admit the properties.
 */
export class CreateCalendarDto {
  @ApiProperty({ example: 'Berlin office', maxLength: 200 })
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'Europe/Berlin', description: 'IANA time zone; daylight saving follows it' })
  @IsString() @MaxLength(64)
  timeZone: string;

  @ApiProperty(HOURS_DOC)
  @IsArray() @ArrayMaxSize(100)
  workingHours: WorkingInterval[];

  @ApiPropertyOptional(HOLIDAYS_DOC)
  @IsOptional() @IsArray() @ArrayMaxSize(1000)
  holidays?: string[];
}

export class UpdateCalendarDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional() @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin' })
  @IsOptional() @IsString() @MaxLength(64)
  timeZone?: string;

  @ApiPropertyOptional(HOURS_DOC)
  @IsOptional() @IsArray() @ArrayMaxSize(100)
  workingHours?: WorkingInterval[];

  @ApiPropertyOptional(HOLIDAYS_DOC)
  @IsOptional() @IsArray() @ArrayMaxSize(1000)
  holidays?: string[];
}

export class CalendarResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Berlin office' }) name: string;
  @ApiProperty({ example: 'Europe/Berlin' }) timeZone: string;
  @ApiProperty(HOURS_DOC) workingHours: WorkingIntervalDto[];
  @ApiProperty(HOLIDAYS_DOC) holidays: string[];
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}
