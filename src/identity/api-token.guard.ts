import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError, forbidden } from '../common/errors';
import { AuthService } from './auth.service';
import { IS_PUBLIC, ROLES } from './principal';
import type { UserRole } from './user.entity';

/** Global guard: every route needs `Authorization: Bearer <token>` unless marked @Public(). */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest();
    const header: unknown = req.headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer\s+(\S{1,512})\s*$/i.exec(header) : null;
    if (!match) throw new ApiError(401, 'Missing or malformed Authorization header (expected "Bearer <token>")');
    const principal = await this.auth.authenticate(match[1]);
    if (!principal) throw new ApiError(401, 'Invalid, expired or revoked API token');
    req.principal = principal;
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(principal.role)) throw forbidden(`This requires the ${roles.join(' or ')} role`);
    return true;
  }
}
