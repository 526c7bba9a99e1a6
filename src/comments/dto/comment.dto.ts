import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/page-query.dto';
import { COMMENT_VISIBILITIES, CommentVisibility } from '../../events/event-catalogue';

export const MAX_COMMENT_BODY = 65536;
const notBlank = ({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() === '' ? '' : value);

export class CreateCommentDto {
  @ApiProperty({ example: 'Restarted the VPN gateway; please try again.', maxLength: MAX_COMMENT_BODY, description: 'Markdown' })
  @Transform(notBlank) @IsString() @IsNotEmpty() @MaxLength(MAX_COMMENT_BODY)
  body: string;

  @ApiPropertyOptional({ enum: COMMENT_VISIBILITIES, default: 'public', description: '`internal` notes are for agents only and never leave the system' })
  @IsOptional() @IsIn(COMMENT_VISIBILITIES)
  visibility?: CommentVisibility;
}

export class UpdateCommentDto {
  @ApiPropertyOptional({ maxLength: MAX_COMMENT_BODY })
  @IsOptional() @Transform(notBlank) @IsString() @IsNotEmpty() @MaxLength(MAX_COMMENT_BODY)
  body?: string;

  @ApiPropertyOptional({ enum: COMMENT_VISIBILITIES })
  @IsOptional() @IsIn(COMMENT_VISIBILITIES)
  visibility?: CommentVisibility;
}

export class ListCommentsQuery extends PageQuery {
  @ApiPropertyOptional({ default: false, description: 'Include deleted comments (with deletedAt set)' })
  @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean()
  includeDeleted?: boolean;
}

export class CommentAuthorResponse {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) id: string | null;
  @ApiProperty({ example: 'Jane Doe' }) name: string;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty({ description: 'true when written by someone without an account (e.g. from Slack)' }) external: boolean;
}

export class CommentResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) ticketId: string;
  @ApiProperty() body: string;
  @ApiProperty({ enum: COMMENT_VISIBILITIES }) visibility: CommentVisibility;
  @ApiProperty({ example: 'api', description: 'Where it was written: api, slack, ...' }) source: string;
  @ApiProperty({ type: CommentAuthorResponse }) author: CommentAuthorResponse;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty({ nullable: true, type: String }) editedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) deletedAt: string | null;
}

export class CommentPage {
  @ApiProperty({ type: [CommentResponse] }) items: CommentResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
