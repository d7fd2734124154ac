import type { MiddlewareFn } from 'type-graphql';
import type { RequestContext } from '../services/context/request-context';

/**
 * One transaction per mutation, opened at the edge: every top-level Mutation field runs inside
 * ctx.transaction, so services share its EntityManager and their side effects (events, dispatcher
 * wake-ups) happen only after commit. Nested fields of the result resolve after commit.
 */
export const MutationTransaction: MiddlewareFn<RequestContext> = ({ context, info }, next) => {
  if (info.parentType.name !== 'Mutation' || info.path.prev !== undefined) return next();
  return context.transaction(() => next());
};
