import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { ApiToken } from '../api-token.entity';

export class CreateApiTokenDto {
  @ApiProperty({ example: 'CI pipeline', maxLength: 200 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Whose token it is (default: the caller)' })
  @IsOptional() @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ example: 90, minimum: 1, maximum: 3650, description: 'Days until it expires (default: never)' })
  @IsOptional() @IsInt() @Min(1) @Max(3650)
  expiresInDays?: number;
}

export class ApiTokenResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'CI pipeline' }) name: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ example: 'tl_AbC3dE4', description: 'First characters of the secret, to recognise it' }) prefix: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) expiresAt: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt: string | null;

  static of(t: ApiToken): ApiTokenResponse {
    return {
      id: t.id,
      name: t.name,
      userId: t.userId,
      prefix: t.prefix,
      createdAt: t.createdAt.toISOString(),
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      expiresAt: t.expiresAt?.toISOString() ?? null,
      revokedAt: t.revokedAt?.toISOString() ?? null,
    };
  }
}

export class CreatedApiTokenResponse extends ApiTokenResponse {
  @ApiProperty({ description: 'The secret. Shown only in this response; store it now.', example: 'tl_...' })
  token: string;
}
