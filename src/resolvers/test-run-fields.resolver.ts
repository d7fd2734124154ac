import { Arg, Ctx, FieldResolver, Info, Int, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { Services } from '../container';
import { Cancellation, InboundMessageConnection } from '../schema/inbound.types';
import { cancellationOfRecordLoader } from '../services/records/cancellations';
import type { TestMeasureResultEntity } from '../entities/test-measure-result.entity';
import type { TestRunEntity } from '../entities/test-run.entity';
import type { TestSpecificationEntity } from '../entities/test-specification.entity';
import type { RequestContext } from '../services/context/request-context';
import { pageRequest } from './page-request';
import { Reads, selectedProperties } from './selected-fields';
import { requestsOfRecordLoader } from '../services/outbox/outbox-loaders';
import { canRequestFulfillment } from '../services/records/record-lifecycle';
import { childrenLoader, recordLoader } from '../services/records/record-loaders';
import { TEST_RUNS } from '../services/records/test-run.kind';
import { OutboundRequest } from '../schema/outbound-request.types';
import { TestMeasureDefinition, TestMeasureResult, TestRun, TestSpecification } from '../schema/test-run.types';

@Resolver(() => TestRun)
export class TestRunFieldsResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => TestSpecification)
  @Reads('specificationId')
  specification(@Ctx() ctx: RequestContext, @Root() run: TestRunEntity) {
    return ctx.loaders.testSpecification.load(run.specificationId);
  }

  @FieldResolver(() => [TestMeasureResult])
  @Reads('id')
  measures(@Ctx() ctx: RequestContext, @Root() run: TestRunEntity) {
    return ctx.loaders.measuresOf.load(run.id);
  }

  @FieldResolver(() => TestRun, { nullable: true })
  @Reads('parentId')
  parent(@Ctx() ctx: RequestContext, @Root() run: TestRunEntity, @Info() info: GraphQLResolveInfo) {
    return run.parentId ? recordLoader(ctx, TEST_RUNS, selectedProperties(info)).load(run.parentId) : null;
  }

  @FieldResolver(() => [TestRun])
  @Reads('id')
  children(@Ctx() ctx: RequestContext, @Root() run: TestRunEntity, @Info() info: GraphQLResolveInfo) {
    return childrenLoader(ctx, TEST_RUNS, selectedProperties(info)).load(run.id);
  }

  @FieldResolver(() => [OutboundRequest])
  @Reads('id')
  outboundRequests(@Ctx() ctx: RequestContext, @Root() run: TestRunEntity, @Info() info: GraphQLResolveInfo) {
    return requestsOfRecordLoader(ctx, TEST_RUNS, selectedProperties(info)).load(run.id);
  }

  @FieldResolver(() => Boolean)
  @Reads('fulfillmentState')
  canRequestFulfillment(@Root() run: TestRunEntity): boolean {
    return canRequestFulfillment(run);
  }
  @FieldResolver(() => Cancellation, { nullable: true, description: 'The latest cancellation shared with the external system, if any.' })
  @Reads('id')
  cancellation(@Ctx() ctx: RequestContext, @Root() run: TestRunEntity) {
    return cancellationOfRecordLoader(ctx, TEST_RUNS).load(run.id);
  }

  @FieldResolver(() => InboundMessageConnection, { description: 'Inbound messages that touched this record, newest first.' })
  @Reads('id')
  inboundMessages(
    @Ctx() ctx: RequestContext,
    @Root() run: TestRunEntity,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ) {
    return this.services.inboundMessages.ofRecord(ctx, TEST_RUNS, run.id, pageRequest(first, after, info));
  }
}

@Resolver(() => TestSpecification)
export class TestSpecificationFieldsResolver {
  @FieldResolver(() => [TestMeasureDefinition])
  measureDefinitions(@Ctx() ctx: RequestContext, @Root() spec: TestSpecificationEntity) {
    return ctx.loaders.measureDefinitionsOf.load(spec.id);
  }
}

@Resolver(() => TestMeasureResult)
export class TestMeasureResultFieldsResolver {
  @FieldResolver(() => TestMeasureDefinition, { nullable: true })
  definition(@Ctx() ctx: RequestContext, @Root() result: TestMeasureResultEntity) {
    return result.definitionId ? ctx.loaders.measureDefinition.load(result.definitionId) : null;
  }
}
