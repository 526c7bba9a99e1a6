import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiToken } from './api-token.entity';
import { ApiTokenGuard } from './api-token.guard';
import { ApiTokensController } from './api-tokens.controller';
import { ApiTokensService } from './api-tokens.service';
import { AuthService } from './auth.service';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User, ApiToken])],
  controllers: [UsersController, ApiTokensController],
  providers: [AuthService, UsersService, ApiTokensService, { provide: APP_GUARD, useClass: ApiTokenGuard }],
  exports: [UsersService, AuthService],
})
export class IdentityModule {}
