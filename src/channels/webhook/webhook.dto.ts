import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, IsUrl, MaxLength, MinLength } from 'class-validator';
import { EVENT_TYPES } from '../../events/event-catalogue';
import { WebhookSubscription } from './webhook-subscriptions.repository';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://hooks.example.com/threadline', description: 'http(s) URL; private and loopback targets are refused unless WEBHOOK_ALLOWED_HOSTS allows them' })
  @Transform(trim)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_valid_protocol: true }, { message: 'url must be an http or https URL' })
  @MaxLength(2048)
  url: string;

  @ApiProperty({ enum: EVENT_TYPES, isArray: true, example: ['ticket.created', 'comment.created'] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(EVENT_TYPES.length) @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true, message: `each value in events must be one of: ${EVENT_TYPES.join(', ')}` })
  events: string[];

  @ApiProperty({ minLength: 16, maxLength: 256, description: 'Shared secret for the X-Threadline-Signature HMAC. Never returned.' })
  @IsString() @MinLength(16) @MaxLength(256)
  secret: string;

  @ApiPropertyOptional({ maxLength: 200, example: 'On-call paging bridge' })
  @IsOptional() @Transform(trim) @IsString() @MaxLength(200)
  description?: string;
}

export class WebhookResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty({ enum: EVENT_TYPES, isArray: true }) events: string[];
  @ApiProperty({ example: 'whsec_', description: 'First characters of the secret, to recognise it' }) secretPrefix: string;
  @ApiProperty() description: string;
  @ApiProperty({ example: 'webhook:3f0c1c9e-...', description: 'Filter for GET /api/v1/notifications/deliveries?channel=' }) deliveryChannel: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static of(s: WebhookSubscription): WebhookResponse {
    return {
      id: s.id,
      url: s.url,
      events: s.events,
      secretPrefix: s.secretPrefix,
      description: s.description,
      deliveryChannel: `webhook:${s.id}`,
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
    };
  }
}

export class WebhookTestResponse {
  @ApiProperty() delivered: boolean;
  @ApiProperty({ nullable: true, type: Number, example: 200 }) status: number | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ example: 42 }) durationMs: number;
}
