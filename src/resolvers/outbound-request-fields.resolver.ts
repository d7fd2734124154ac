import type { GraphQLResolveInfo } from 'graphql';
import { Ctx, FieldResolver, Info, Resolver, Root } from 'type-graphql';
import { OutboundRequestEntity } from '../entities/outbound-request.entity';
import type { FalloutEntity } from '../entities/fallout.entity';
import type { RequestContext } from '../services/context/request-context';
import { Reads, selectedProperties } from './selected-fields';
import { linkedRecordsLoader } from '../services/records/record-loaders';
import { InboundMessage } from '../schema/inbound.types';
import { recordsOfRequestLoader } from '../services/outbox/outbox-loaders';
import { DOMAIN_ORDERS } from '../services/records/domain-order.kind';
import { TEST_RUNS } from '../services/records/test-run.kind';
import { DomainOrder } from '../schema/domain-order.types';
import { ExternalSystem } from '../schema/external-system.types';
import { Fallout, OutboundRequest } from '../schema/outbound-request.types';
import { TestRun } from '../schema/test-run.types';

@Resolver(() => OutboundRequest)
export class OutboundRequestFieldsResolver {
  @FieldResolver(() => ExternalSystem)
  @Reads('externalSystemId')
  externalSystem(@Ctx() ctx: RequestContext, @Root() request: OutboundRequestEntity) {
    return ctx.loaders.externalSystem.load(request.externalSystemId);
  }

  @FieldResolver(() => [DomainOrder])
  @Reads('id')
  domainOrders(@Ctx() ctx: RequestContext, @Root() request: OutboundRequestEntity, @Info() info: GraphQLResolveInfo) {
    return recordsOfRequestLoader(ctx, DOMAIN_ORDERS, selectedProperties(info)).load(request.id);
  }

  @FieldResolver(() => [TestRun])
  @Reads('id')
  testRuns(@Ctx() ctx: RequestContext, @Root() request: OutboundRequestEntity, @Info() info: GraphQLResolveInfo) {
    return recordsOfRequestLoader(ctx, TEST_RUNS, selectedProperties(info)).load(request.id);
  }
}

@Resolver(() => Fallout)
export class FalloutFieldsResolver {
  @FieldResolver(() => [DomainOrder], { description: 'The records it concerns.' })
  @Reads('id')
  domainOrders(@Ctx() ctx: RequestContext, @Root() fallout: FalloutEntity, @Info() info: GraphQLResolveInfo) {
    return linkedRecordsLoader(ctx, DOMAIN_ORDERS, DOMAIN_ORDERS.falloutLink, 'falloutId', selectedProperties(info)).load(fallout.id);
  }

  @FieldResolver(() => [TestRun])
  @Reads('id')
  testRuns(@Ctx() ctx: RequestContext, @Root() fallout: FalloutEntity, @Info() info: GraphQLResolveInfo) {
    return linkedRecordsLoader(ctx, TEST_RUNS, TEST_RUNS.falloutLink, 'falloutId', selectedProperties(info)).load(fallout.id);
  }

  @FieldResolver(() => InboundMessage, { nullable: true, description: 'The inbound message that opened it (source INBOUND).' })
  @Reads('inboundMessageId')
  inboundMessage(@Ctx() ctx: RequestContext, @Root() fallout: FalloutEntity) {
    return fallout.inboundMessageId ? ctx.loaders.inboundMessage.load(fallout.inboundMessageId) : null;
  }

  @FieldResolver(() => OutboundRequest)
  @Reads('outboundRequestId')
  outboundRequest(@Ctx() ctx: RequestContext, @Root() fallout: FalloutEntity, @Info() info: GraphQLResolveInfo) {
    return ctx.loaders.byId(OutboundRequestEntity, selectedProperties(info)).load(fallout.outboundRequestId);
  }
}
