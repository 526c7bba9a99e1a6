import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { ChangeContext } from '../events/event-catalogue';
import type { UserRole } from './user.entity';

/** The authenticated caller of an API request. */
export interface Principal {
  userId: string;
  name: string;
  email: string;
  role: UserRole;
  tokenId: string;
}

export const IS_PUBLIC = 'threadline:public';
export const ROLES = 'threadline:roles';
/** Routes outside the token-protected API (health, docs, Slack's own signed endpoints). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
/** Restricts a route (or controller) to the given roles. */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest().principal;
});

/** The change context of an API call: the caller as actor, `api` as origin. */
export function apiContext(principal: Principal): ChangeContext {
  return { actor: { type: 'user', id: principal.userId, name: principal.name }, origin: { channel: 'api' } };
}
