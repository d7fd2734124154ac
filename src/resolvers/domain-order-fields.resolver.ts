import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { DomainOrderEntity } from '../entities/domain-order.entity';
import { canRequestFulfillment } from '../services/common/record-lifecycle';
import type { RequestContext } from '../services/common/request-context';
import { DomainOrder } from '../schema/domain-order.types';
import { OutboundRequest } from '../schema/outbound-request.types';

@Resolver(() => DomainOrder)
export class DomainOrderFieldsResolver {
  @FieldResolver(() => DomainOrder, { nullable: true })
  parent(@Ctx() ctx: RequestContext, @Root() order: DomainOrderEntity) {
    return order.parentId ? ctx.loaders.domainOrder.load(order.parentId) : null;
  }

  @FieldResolver(() => [DomainOrder])
  children(@Ctx() ctx: RequestContext, @Root() order: DomainOrderEntity) {
    return ctx.loaders.domainOrderChildren.load(order.id);
  }

  @FieldResolver(() => [OutboundRequest])
  outboundRequests(@Ctx() ctx: RequestContext, @Root() order: DomainOrderEntity) {
    return ctx.loaders.outboundRequestsOfDomainOrder.load(order.id);
  }

  @FieldResolver(() => Boolean)
  canRequestFulfillment(@Root() order: DomainOrderEntity): boolean {
    return canRequestFulfillment(order);
  }
}
