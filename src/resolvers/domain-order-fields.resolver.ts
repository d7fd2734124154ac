import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { DomainOrderEntity } from '../entities/domain-order.entity';
import type { RequestContext } from '../services/context/request-context';
import { requestsOfRecordLoader } from '../services/outbox/outbox-loaders';
import { DOMAIN_ORDERS } from '../services/records/domain-order.kind';
import { canRequestFulfillment } from '../services/records/record-lifecycle';
import { childrenLoader, recordLoader } from '../services/records/record-loaders';
import { DomainOrder } from '../schema/domain-order.types';
import { OutboundRequest } from '../schema/outbound-request.types';

@Resolver(() => DomainOrder)
export class DomainOrderFieldsResolver {
  @FieldResolver(() => DomainOrder, { nullable: true })
  parent(@Ctx() ctx: RequestContext, @Root() order: DomainOrderEntity) {
    return order.parentId ? recordLoader(ctx, DOMAIN_ORDERS).load(order.parentId) : null;
  }

  @FieldResolver(() => [DomainOrder])
  children(@Ctx() ctx: RequestContext, @Root() order: DomainOrderEntity) {
    return childrenLoader(ctx, DOMAIN_ORDERS).load(order.id);
  }

  @FieldResolver(() => [OutboundRequest])
  outboundRequests(@Ctx() ctx: RequestContext, @Root() order: DomainOrderEntity) {
    return requestsOfRecordLoader(ctx, DOMAIN_ORDERS).load(order.id);
  }

  @FieldResolver(() => Boolean)
  canRequestFulfillment(@Root() order: DomainOrderEntity): boolean {
    return canRequestFulfillment(order);
  }
}
