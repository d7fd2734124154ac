import { Arg, Authorized, Ctx, ID, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { Services } from '../container';
import { DecisionSubject } from '../entities/enums';
import { ROLES } from '../services/auth/roles';
import type { RequestContext } from '../services/context/request-context';
import { pageRequest } from './page-request';
import {
  DomainOrder,
  DomainOrderConnection,
  DomainOrderFilter,
  DomainOrderInput,
  DomainOrderRevisionInput,
} from '../schema/domain-order.types';
import { FulfillmentRequest } from '../schema/outbound-request.types';

@Resolver(() => DomainOrder)
export class DomainOrderResolver {
  constructor(private readonly services: Services) {}

  @Authorized(ROLES.ANY)
  @Query(() => DomainOrder, { nullable: true })
  domainOrder(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return this.services.domainOrders.get(ctx, id);
  }

  @Authorized(ROLES.ANY)
  @Query(() => DomainOrderConnection)
  domainOrders(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('filter', () => DomainOrderFilter, { nullable: true }) filter?: DomainOrderFilter | null,
  ) {
    return this.services.domainOrders.list(ctx, pageRequest(first, after, info), filter);
  }

  @Authorized(ROLES.ORDERS)
  @Mutation(() => DomainOrder)
  createDomainOrder(@Ctx() ctx: RequestContext, @Arg('input', () => DomainOrderInput) input: DomainOrderInput) {
    return this.services.domainOrders.create(ctx, input);
  }

  @Authorized(ROLES.ORDERS)
  @Mutation(() => DomainOrder)
  reviseDomainOrder(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => DomainOrderRevisionInput) input: DomainOrderRevisionInput,
  ) {
    return this.services.domainOrders.revise(ctx, id, input);
  }

  @Authorized(ROLES.ORDERS)
  @Mutation(() => DomainOrder)
  cancelDomainOrder(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { nullable: true }) reason?: string | null,
  ) {
    return this.services.cancellations.cancel(ctx, DecisionSubject.DOMAIN_ORDER, id, reason);
  }

  @Authorized(ROLES.ORDERS)
  @Mutation(() => FulfillmentRequest, { description: "The 'Create Outbound Fulfillment Request' action." })
  createFulfillmentRequest(@Ctx() ctx: RequestContext, @Arg('domainOrderId', () => ID) domainOrderId: string) {
    return this.services.submissions.submit(ctx, DecisionSubject.DOMAIN_ORDER, domainOrderId);
  }

  @Authorized(ROLES.ORDERS)
  @Mutation(() => FulfillmentRequest, {
    description: "The 'Revise Outbound Request' action: shares in-flight changes with the external system.",
  })
  reviseOutboundRequest(@Ctx() ctx: RequestContext, @Arg('domainOrderId', () => ID) domainOrderId: string) {
    return this.services.revisions.revise(ctx, DecisionSubject.DOMAIN_ORDER, domainOrderId);
  }

  @Authorized(ROLES.ORDERS)
  @Mutation(() => DomainOrder, {
    description: "The workflow's 'Set PONR' action: no revision or cancellation is accepted for the order afterwards.",
  })
  markPointOfNoReturn(@Ctx() ctx: RequestContext, @Arg('domainOrderId', () => ID) domainOrderId: string) {
    return this.services.domainOrders.markPointOfNoReturn(ctx, domainOrderId);
  }
}
