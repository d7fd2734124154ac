import type { AuthChecker } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../services/common/domain.errors';
import type { RequestContext } from '../services/context/request-context';
import type { Role } from '../services/auth/roles';

/** @Authorized on every operation: UNAUTHENTICATED without a valid token, FORBIDDEN without a role that may. */
export const authChecker: AuthChecker<RequestContext, Role> = ({ context }, roles) => {
  if (context.authError) throw context.authError;
  const user = context.user;
  if (!user) throw new UnauthenticatedError('Sign in: send "Authorization: Bearer <token>"');
  if (roles.length === 0 || roles.some((r) => user.roles.includes(r))) return true;
  throw new ForbiddenError(
    `This operation needs one of the roles ${roles.join(', ')}; your token has ${user.roles.length ? user.roles.join(', ') : 'no known role'}`,
  );
};
