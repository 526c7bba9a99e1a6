import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { notFound } from '../common/errors';
import { ApiToken } from './api-token.entity';
import { AuthService } from './auth.service';
import { CreateApiTokenDto } from './dto/api-token.dto';
import { Principal } from './principal';
import { hashToken, newTokenSecret, tokenPrefix } from './token-secrets';
import { UsersService } from './users.service';

@Injectable()
export class ApiTokensService {
  constructor(
    @InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>,
    private readonly users: UsersService,
    private readonly auth: AuthService,
  ) {}

  async create(dto: CreateApiTokenDto, caller: Principal): Promise<{ token: ApiToken; secret: string }> {
    const userId = dto.userId ?? caller.userId;
    await this.users.requireActive(userId, 'userId');
    const secret = newTokenSecret();
    const token = await this.tokens.save(
      this.tokens.create({
        userId,
        name: dto.name,
        tokenHash: hashToken(secret),
        prefix: tokenPrefix(secret),
        expiresAt: dto.expiresInDays ? new Date(Date.now() + dto.expiresInDays * 86_400_000) : null,
        lastUsedAt: null,
        revokedAt: null,
      }),
    );
    return { token, secret };
  }

  list(): Promise<ApiToken[]> {
    return this.tokens.find({ order: { createdAt: 'ASC' } });
  }

  async revoke(id: string): Promise<void> {
    const token = await this.tokens.findOneBy({ id });
    if (!token) throw notFound('API token', id);
    if (!token.revokedAt) {
      token.revokedAt = new Date();
      await this.tokens.save(token);
    }
    this.auth.invalidate();
  }
}
