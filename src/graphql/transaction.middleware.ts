import type { MiddlewareFn } from 'type-graphql';
import type { RequestContext } from '../services/context/request-context';

/**
 * One transaction per mutation, opened at the edge: every top-level Mutation field runs inside
 * ctx.transaction, so services share its EntityManager and their side effects (events, dispatcher
 * wake-ups) happen only after commit. Nested fields of the result resolve after commit.
 *
 * A mutation marked `@Extensions({ ownTransaction: true })` talks to an external system before it
 * writes (importTestSpecifications): it must not hold a transaction, and on the embedded database the
 * only connection, while it waits for answers; its service opens one ctx.transaction for the writes.
 */
export const MutationTransaction: MiddlewareFn<RequestContext> = ({ context, info }, next) => {
  if (info.parentType.name !== 'Mutation' || info.path.prev !== undefined) return next();
  if (info.parentType.getFields()[info.fieldName]?.extensions?.ownTransaction === true) return next();
  return context.transaction(() => next());
};
