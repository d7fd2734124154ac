import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { FalloutEntity } from '../entities/fallout.entity';
import type { OutboundRequestEntity } from '../entities/outbound-request.entity';
import type { RequestContext } from '../services/context/request-context';
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
  @FieldResolver(() => OutboundRequest)
  outboundRequest(@Ctx() ctx: RequestContext, @Root() fallout: FalloutEntity) {
    return ctx.loaders.outboundRequest.load(fallout.outboundRequestId);
  }
}
