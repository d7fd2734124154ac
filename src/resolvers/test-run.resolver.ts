import { Arg, Authorized, Ctx, Extensions, ID, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { Services } from '../container';
import { DecisionSubject } from '../entities/enums';
import { ROLES } from '../services/auth/roles';
import type { RequestContext } from '../services/context/request-context';
import { pageRequest } from './page-request';
import { FulfillmentRequest } from '../schema/outbound-request.types';
import {
  TestMeasureDefinition,
  TestMeasureDefinitionInput,
  TestRun,
  TestRunConnection,
  TestRunFilter,
  TestRunInput,
  TestRunRevisionInput,
  TestSpecification,
  TestSpecificationInput,
} from '../schema/test-run.types';

@Resolver(() => TestRun)
export class TestRunResolver {
  constructor(private readonly services: Services) {}

  @Authorized(ROLES.ANY)
  @Query(() => [TestSpecification])
  testSpecifications(@Ctx() ctx: RequestContext) {
    return this.services.testSpecifications.list(ctx);
  }

  @Authorized(ROLES.ADMIN)
  @Mutation(() => TestSpecification)
  createTestSpecification(@Ctx() ctx: RequestContext, @Arg('input', () => TestSpecificationInput) input: TestSpecificationInput) {
    return this.services.testSpecifications.create(ctx, input);
  }

  @Authorized(ROLES.ADMIN)
  @Mutation(() => TestSpecification, {
    description:
      'Replaces name, version and definitions; a definition matched by metricName keeps its definitionId unless the input gives one. Without measureDefinitions the definitions stay as they are.',
  })
  updateTestSpecification(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => TestSpecificationInput) input: TestSpecificationInput,
  ) {
    return this.services.testSpecifications.update(ctx, id, input);
  }

  @Authorized(ROLES.ADMIN)
  @Mutation(() => TestMeasureDefinition, {
    description:
      'Fills or changes one test measure definition, e.g. its id field (definitionId). A field left out of the input stays as it is; null clears it.',
  })
  updateTestMeasureDefinition(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => TestMeasureDefinitionInput) input: TestMeasureDefinitionInput,
  ) {
    return this.services.testSpecifications.updateDefinition(ctx, id, input);
  }

  @Authorized(ROLES.ADMIN)
  // It reads every page from the system before it writes, in a transaction of its own (transaction.middleware.ts).
  @Extensions({ ownTransaction: true })
  @Mutation(() => [TestSpecification], {
    description:
      'GET {baseUrl}/serviceTestSpecification of a TMF653 system; creates or updates the local copies by externalId, keeping filled definition ids.',
  })
  importTestSpecifications(@Ctx() ctx: RequestContext, @Arg('externalSystemId', () => ID) externalSystemId: string) {
    return this.services.specificationImport.importFrom(ctx, externalSystemId);
  }

  @Authorized(ROLES.ANY)
  @Query(() => TestRun, { nullable: true })
  testRun(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return this.services.testRuns.get(ctx, id);
  }

  @Authorized(ROLES.ANY)
  @Query(() => TestRunConnection)
  testRuns(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('filter', () => TestRunFilter, { nullable: true }) filter?: TestRunFilter | null,
  ) {
    return this.services.testRuns.list(ctx, pageRequest(first, after, info), filter);
  }

  @Authorized(ROLES.TESTS)
  @Mutation(() => TestRun)
  createTestRun(@Ctx() ctx: RequestContext, @Arg('input', () => TestRunInput) input: TestRunInput) {
    return this.services.testRuns.create(ctx, input);
  }

  @Authorized(ROLES.TESTS)
  @Mutation(() => TestRun)
  reviseTestRun(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => TestRunRevisionInput) input: TestRunRevisionInput,
  ) {
    return this.services.testRuns.revise(ctx, id, input);
  }

  @Authorized(ROLES.TESTS)
  @Mutation(() => TestRun)
  cancelTestRun(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { nullable: true }) reason?: string | null,
  ) {
    return this.services.cancellations.cancel(ctx, DecisionSubject.TEST_RUN, id, reason);
  }

  @Authorized(ROLES.TESTS)
  @Mutation(() => FulfillmentRequest)
  submitTestRun(@Ctx() ctx: RequestContext, @Arg('testRunId', () => ID) testRunId: string) {
    return this.services.submissions.submit(ctx, DecisionSubject.TEST_RUN, testRunId);
  }

  @Authorized(ROLES.TESTS)
  @Mutation(() => FulfillmentRequest)
  reviseTestRunRequest(@Ctx() ctx: RequestContext, @Arg('testRunId', () => ID) testRunId: string) {
    return this.services.revisions.revise(ctx, DecisionSubject.TEST_RUN, testRunId);
  }
}
