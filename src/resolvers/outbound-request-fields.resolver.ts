import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { FalloutEntity } from '../entities/fallout.entity';
import type { OutboundRequestEntity } from '../entities/outbound-request.entity';
import type { RequestContext } from '../services/context/request-context';
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
  externalSystem(@Ctx() ctx: RequestContext, @Root() request: OutboundRequestEntity) {
    return ctx.loaders.externalSystem.load(request.externalSystemId);
  }

  @FieldResolver(() => [DomainOrder])
  domainOrders(@Ctx() ctx: RequestContext, @Root() request: OutboundRequestEntity) {
    return recordsOfRequestLoader(ctx, DOMAIN_ORDERS).load(request.id);
  }

  @FieldResolver(() => [TestRun])
  testRuns(@Ctx() ctx: RequestContext, @Root() request: OutboundRequestEntity) {
    return recordsOfRequestLoader(ctx, TEST_RUNS).load(request.id);
  }
}

@Resolver(() => Fallout)
export class FalloutFieldsResolver {
  @FieldResolver(() => [DomainOrder], { description: 'The records it concerns.' })
  domainOrders(@Ctx() ctx: RequestContext, @Root() fallout: FalloutEntity) {
    return linkedRecordsLoader(ctx, DOMAIN_ORDERS, DOMAIN_ORDERS.falloutLink, 'falloutId').load(fallout.id);
  }

  @FieldResolver(() => [TestRun])
  testRuns(@Ctx() ctx: RequestContext, @Root() fallout: FalloutEntity) {
    return linkedRecordsLoader(ctx, TEST_RUNS, TEST_RUNS.falloutLink, 'falloutId').load(fallout.id);
  }

  @FieldResolver(() => InboundMessage, { nullable: true, description: 'The inbound message that opened it (source INBOUND).' })
  inboundMessage(@Ctx() ctx: RequestContext, @Root() fallout: FalloutEntity) {
    return fallout.inboundMessageId ? ctx.loaders.inboundMessage.load(fallout.inboundMessageId) : null;
  }

  @FieldResolver(() => OutboundRequest)
  outboundRequest(@Ctx() ctx: RequestContext, @Root() fallout: FalloutEntity) {
    return ctx.loaders.outboundRequest.load(fallout.outboundRequestId);
  }
}
