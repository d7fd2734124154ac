import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import { DecisionSubject, FulfillmentState, TmfApi } from '../../entities/enums';
import { FalloutTestRunEntity } from '../../entities/fallout.entity';
import { InboundMessageTestRunEntity } from '../../entities/inbound-message.entity';
import { OutboundRequestTestRunEntity } from '../../entities/outbound-request.entity';
import { TestMeasureDefinitionEntity, TestSpecificationEntity } from '../../entities/test-specification.entity';
import { TestMeasureResultEntity } from '../../entities/test-measure-result.entity';
import { TestRunEntity } from '../../entities/test-run.entity';
import { ROLES } from '../auth/roles';
import { TestMeasureDefinitionIdMissingError } from '../common/domain.errors';
import type { RequestContext } from '../context/request-context';
import { preOrder, type TestRunNode, type TestSpecificationValue } from '../model/record-model';
import {
  buildServiceTestCancellation,
  buildServiceTestRevision,
  missingDefinitionIds,
  SERVICE_TEST_COLLECTION,
} from '../tmf653/service-test.payload';
import { readServiceTest, SERVICE_TEST_EVENTS, serviceTestFulfillmentState } from '../tmf653/service-test.report';
import { planTestRunSubmission } from '../tmf653/service-test.plan';
import { assertValidPayload } from '../tmf/tmf-schema';
import type { RecordKind } from './record-kind';
import { specificationValue, testRunTree } from './record-nodes';

/** The specifications (with their measure definitions) of the given runs, by id. */
async function specifications(ctx: RequestContext, runs: TestRunEntity[]): Promise<Map<string, TestSpecificationValue>> {
  const ids = [...new Set(runs.map((r) => r.specificationId))];
  const [specs, definitions] = await Promise.all([
    ctx.manager.findBy(TestSpecificationEntity, { id: In(ids) }),
    ctx.manager.find(TestMeasureDefinitionEntity, { where: { specificationId: In(ids) }, order: { position: 'ASC' } }),
  ]);
  return new Map(
    specs.map((s) => [
      s.id,
      specificationValue(
        s,
        definitions.filter((d) => d.specificationId === s.id),
      ),
    ]),
  );
}

/** Service test runs, fulfilled through TMF653 Service Test Management. */
export const TEST_RUNS: RecordKind<TestRunEntity, TestRunNode> = {
  subject: DecisionSubject.TEST_RUN,
  key: 'testRun',
  label: 'Test run',
  plural: 'test runs',
  idArgument: 'testRunId',
  entity: TestRunEntity,
  table: 'test_run',
  link: { entity: OutboundRequestTestRunEntity, table: 'outbound_request_test_run', column: 'test_run_id', property: 'testRunId' },
  inboundLink: { entity: InboundMessageTestRunEntity, table: 'inbound_message_test_run', column: 'test_run_id', property: 'testRunId' },
  falloutLink: { entity: FalloutTestRunEntity, table: 'fallout_test_run', column: 'test_run_id', property: 'testRunId' },
  api: TmfApi.SERVICE_TEST_TMF653,
  policy: 'Test Run Outbound Policy',
  roles: ROLES.TESTS,
  collection: SERVICE_TEST_COLLECTION,
  resourceKey: 'serviceTest',
  cancelTaskKey: null,
  listenerEvents: SERVICE_TEST_EVENTS,
  canceledColumns: {},
  notApplicableFields: ['category', 'action', 'domain'],
  treeColumns: ['name', 'mode', 'relatedServiceId', 'characteristics', 'specificationId'] satisfies (keyof TestRunEntity)[],

  // TMF653 has no milestones, so a test run never reaches a point of no return.
  atPointOfNoReturn() {
    return false;
  },

  // A test run has no state of its own besides its fulfillment: nothing to keep or give back.
  cancellingColumns() {
    return {};
  },

  restoredColumns() {
    return {};
  },

  // Nothing on a test run shows a cancellation under way: always look.
  mayBeCancelling() {
    return true;
  },

  stillCancelling(state) {
    return serviceTestFulfillmentState(state) === FulfillmentState.CANCELED;
  },

  decidingValues(run) {
    return {
      'specification.id': run.specification.externalId,
      'specification.name': run.specification.name,
      mode: run.mode,
      'relatedService.id': run.relatedServiceId,
    };
  },

  async toTree(ctx, rows) {
    return testRunTree(rows, await specifications(ctx, rows));
  },

  planCreate(root, hierarchical, requestId) {
    const runs = hierarchical ? preOrder(root) : [root];
    const problems = runs.flatMap((run) =>
      missingDefinitionIds(run.specification).map(
        (d) => `${run.number}: "${d.metricName}" of test specification ${run.specification.externalId}`,
      ),
    );
    if (problems.length) {
      throw new TestMeasureDefinitionIdMissingError(
        `The id field of the test measure definition must be filled before the run is sent; missing for ${[...new Set(problems)].join('; ')}`,
      );
    }
    return planTestRunSubmission(root, hierarchical, requestId);
  },

  // A ServiceTest has no children: a revision carries the one run.
  async revisionPayload(ctx, [run], createRequestId) {
    const node = testRunTree([run], await specifications(ctx, [run]));
    const payload = buildServiceTestRevision(node, { requestId: createRequestId });
    assertValidPayload('TMF653', 'ServiceTest_Update', payload);
    return payload;
  },

  // TMF653 v4 has no externalId on a ServiceTest; the name we give it is unique per submission.
  lookUpPath(_requestId, payloadJson) {
    const { name } = JSON.parse(payloadJson) as { name?: unknown };
    return `${SERVICE_TEST_COLLECTION}?name=${encodeURIComponent(typeof name === 'string' ? name : '')}`;
  },

  readReport: readServiceTest,
  fulfillmentStateOf: serviceTestFulfillmentState,

  // TMF653 v4 has no cancel task: a test is cancelled by patching its state.
  cancelRequest(externalId) {
    const payload = buildServiceTestCancellation();
    assertValidPayload('TMF653', 'ServiceTest_Update', payload);
    return { httpMethod: 'PATCH', path: `${SERVICE_TEST_COLLECTION}/${encodeURIComponent(externalId)}`, payload };
  },

  readCancelTask() {
    return undefined;
  },

  async saveResults(ctx, run, measures) {
    const definitions = await ctx.manager.find(TestMeasureDefinitionEntity, { where: { specificationId: run.specificationId } });
    for (const m of measures) {
      const definition =
        definitions.find((d) => m.definitionId !== undefined && d.definitionId === m.definitionId) ??
        definitions.find((d) => d.metricName === m.metricName);
      await ctx.manager
        .createQueryBuilder()
        .insert()
        .into(TestMeasureResultEntity)
        .values({
          id: randomUUID(),
          testRunId: run.id,
          definitionId: definition?.id ?? null,
          metricName: m.metricName,
          value: m.value,
          unitOfMeasure: m.unitOfMeasure ?? definition?.unitOfMeasure ?? null,
          captureDateTime: m.captureDateTime && !Number.isNaN(Date.parse(m.captureDateTime)) ? new Date(m.captureDateTime) : null,
          ruleViolations: (m.ruleViolations ?? null) as never,
        })
        .orUpdate(['definition_id', 'value', 'unit_of_measure', 'capture_date_time', 'rule_violations'], ['test_run_id', 'metric_name'])
        .execute();
    }
  },
};
