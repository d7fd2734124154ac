import { Arg, Authorized, Ctx, ID, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { Services } from '../container';
import { ROLES } from '../services/auth/roles';
import type { RequestContext } from '../services/context/request-context';
import { pageRequest } from './page-request';
import { FalloutStatus } from '../schema/enums.types';
import {
  Fallout,
  FalloutConnection,
  OutboundRequest,
  OutboundRequestConnection,
  OutboundRequestFilter,
} from '../schema/outbound-request.types';

@Resolver(() => OutboundRequest)
export class OutboundRequestResolver {
  constructor(private readonly services: Services) {}

  @Authorized(ROLES.ANY)
  @Query(() => OutboundRequest, { nullable: true })
  outboundRequest(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return this.services.outboundRequests.get(ctx, id);
  }

  @Authorized(ROLES.ANY)
  @Query(() => OutboundRequestConnection)
  outboundRequests(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('filter', () => OutboundRequestFilter, { nullable: true }) filter?: OutboundRequestFilter | null,
  ) {
    return this.services.outboundRequests.list(ctx, pageRequest(first, after, info), filter);
  }

  @Authorized(ROLES.ANY)
  @Query(() => FalloutConnection)
  fallouts(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('status', () => FalloutStatus, { nullable: true }) status?: FalloutStatus | null,
  ) {
    return this.services.fallouts.list(ctx, pageRequest(first, after, info), status);
  }

  @Authorized(ROLES.OPERATIONS)
  @Mutation(() => OutboundRequest)
  retryOutboundRequest(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return this.services.outboundRequests.retry(ctx, id);
  }

  @Authorized(ROLES.OPERATIONS)
  @Mutation(() => OutboundRequest)
  discardOutboundRequest(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('reason', () => String) reason: string) {
    return this.services.outboundRequests.discard(ctx, id, reason);
  }

  @Authorized(ROLES.OPERATIONS)
  @Mutation(() => Fallout)
  resolveFallout(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('resolution', () => String) resolution: string) {
    return this.services.fallouts.resolve(ctx, id, resolution);
  }
}
