import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { Reads, selectedProperties } from './selected-fields';
import type { Services } from '../container';
import type { CancellationEntity } from '../entities/cancellation.entity';
import type { InboundMessageEntity } from '../entities/inbound-message.entity';
import type { TestSpecificationEntity } from '../entities/test-specification.entity';
import { ROLES } from '../services/auth/roles';
import type { RequestContext } from '../services/context/request-context';
import { pageRequest } from './page-request';
import { DOMAIN_ORDERS } from '../services/records/domain-order.kind';
import { linkedRecordsLoader } from '../services/records/record-loaders';
import { TEST_RUNS } from '../services/records/test-run.kind';
import { DomainOrder } from '../schema/domain-order.types';
import { DecisionSubject } from '../schema/enums.types';
import { ExternalSystem } from '../schema/external-system.types';
import { Cancellation, InboundMessage, InboundMessageConnection, InboundMessageFilter } from '../schema/inbound.types';
import { OutboundRequest } from '../schema/outbound-request.types';
import { TestRun, TestSpecification } from '../schema/test-run.types';

@Resolver(() => InboundMessage)
export class InboundMessageResolver {
  constructor(private readonly services: Services) {}

  @Authorized(ROLES.ANY)
  @Query(() => InboundMessageConnection)
  inboundMessages(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('filter', () => InboundMessageFilter, { nullable: true }) filter?: InboundMessageFilter | null,
  ) {
    return this.services.inboundMessages.list(ctx, pageRequest(first, after, info), filter);
  }

  @Authorized(ROLES.OPERATIONS)
  @Mutation(() => InboundMessage, {
    description: "Fetches the record's resource from its external system now and applies it, as a poll would.",
  })
  refreshExternalState(
    @Ctx() ctx: RequestContext,
    @Arg('subject', () => DecisionSubject) subject: DecisionSubject,
    @Arg('subjectId', () => ID) subjectId: string,
  ) {
    return this.services.poller.refreshRecord(ctx, subject, subjectId);
  }

  @FieldResolver(() => ExternalSystem)
  @Reads('externalSystemId')
  externalSystem(@Ctx() ctx: RequestContext, @Root() message: InboundMessageEntity) {
    return ctx.loaders.externalSystem.load(message.externalSystemId);
  }

  @FieldResolver(() => [DomainOrder])
  @Reads('id')
  domainOrders(@Ctx() ctx: RequestContext, @Root() message: InboundMessageEntity, @Info() info: GraphQLResolveInfo) {
    return linkedRecordsLoader(ctx, DOMAIN_ORDERS, DOMAIN_ORDERS.inboundLink, 'inboundMessageId', selectedProperties(info)).load(
      message.id,
    );
  }

  @FieldResolver(() => [TestRun])
  @Reads('id')
  testRuns(@Ctx() ctx: RequestContext, @Root() message: InboundMessageEntity, @Info() info: GraphQLResolveInfo) {
    return linkedRecordsLoader(ctx, TEST_RUNS, TEST_RUNS.inboundLink, 'inboundMessageId', selectedProperties(info)).load(message.id);
  }
}

@Resolver(() => Cancellation)
export class CancellationFieldsResolver {
  @FieldResolver(() => OutboundRequest, { description: 'The CANCEL outbound request.' })
  outboundRequest(@Ctx() ctx: RequestContext, @Root() cancellation: CancellationEntity) {
    return ctx.loaders.outboundRequest.load(cancellation.outboundRequestId);
  }
}

@Resolver(() => TestSpecification)
export class TestSpecificationSystemResolver {
  @FieldResolver(() => ExternalSystem, {
    nullable: true,
    description: 'The TMF653 system it was imported from; null when created by hand.',
  })
  externalSystem(@Ctx() ctx: RequestContext, @Root() spec: TestSpecificationEntity) {
    return spec.externalSystemId ? ctx.loaders.externalSystem.load(spec.externalSystemId) : null;
  }
}
