import { Arg, Ctx, FieldResolver, Info, Int, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { Services } from '../container';
import { Cancellation, InboundMessageConnection } from '../schema/inbound.types';
import { cancellationOfRecordLoader } from '../services/records/cancellations';
import type { DomainOrderEntity } from '../entities/domain-order.entity';
import type { RequestContext } from '../services/context/request-context';
import { pageRequest } from './page-request';
import { Reads, selectedProperties } from './selected-fields';
import { requestsOfRecordLoader } from '../services/outbox/outbox-loaders';
import { DOMAIN_ORDERS } from '../services/records/domain-order.kind';
import { canRequestFulfillment } from '../services/records/record-lifecycle';
import { childrenLoader, recordLoader } from '../services/records/record-loaders';
import { DomainOrder } from '../schema/domain-order.types';
import { OutboundRequest } from '../schema/outbound-request.types';

@Resolver(() => DomainOrder)
export class DomainOrderFieldsResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => DomainOrder, { nullable: true })
  @Reads('parentId')
  parent(@Ctx() ctx: RequestContext, @Root() order: DomainOrderEntity, @Info() info: GraphQLResolveInfo) {
    return order.parentId ? recordLoader(ctx, DOMAIN_ORDERS, selectedProperties(info)).load(order.parentId) : null;
  }

  @FieldResolver(() => [DomainOrder])
  @Reads('id')
  children(@Ctx() ctx: RequestContext, @Root() order: DomainOrderEntity, @Info() info: GraphQLResolveInfo) {
    return childrenLoader(ctx, DOMAIN_ORDERS, selectedProperties(info)).load(order.id);
  }

  @FieldResolver(() => [OutboundRequest])
  @Reads('id')
  outboundRequests(@Ctx() ctx: RequestContext, @Root() order: DomainOrderEntity, @Info() info: GraphQLResolveInfo) {
    return requestsOfRecordLoader(ctx, DOMAIN_ORDERS, selectedProperties(info)).load(order.id);
  }

  @FieldResolver(() => Boolean)
  @Reads('fulfillmentState')
  canRequestFulfillment(@Root() order: DomainOrderEntity): boolean {
    return canRequestFulfillment(order);
  }
  @FieldResolver(() => Cancellation, { nullable: true, description: 'The latest cancellation shared with the external system, if any.' })
  @Reads('id')
  cancellation(@Ctx() ctx: RequestContext, @Root() order: DomainOrderEntity) {
    return cancellationOfRecordLoader(ctx, DOMAIN_ORDERS).load(order.id);
  }

  @FieldResolver(() => InboundMessageConnection, { description: 'Inbound messages that touched this record, newest first.' })
  @Reads('id')
  inboundMessages(
    @Ctx() ctx: RequestContext,
    @Root() order: DomainOrderEntity,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ) {
    return this.services.inboundMessages.ofRecord(ctx, DOMAIN_ORDERS, order.id, pageRequest(first, after, info));
  }
}
