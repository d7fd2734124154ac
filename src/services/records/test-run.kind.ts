import { In } from 'typeorm';
import { DecisionSubject, TmfApi } from '../../entities/enums';
import { OutboundRequestTestRunEntity } from '../../entities/outbound-request.entity';
import { TestMeasureDefinitionEntity, TestSpecificationEntity } from '../../entities/test-specification.entity';
import { TestRunEntity } from '../../entities/test-run.entity';
import { ROLES } from '../auth/roles';
import { TestMeasureDefinitionIdMissingError } from '../common/domain.errors';
import type { RequestContext } from '../context/request-context';
import { preOrder, type TestRunNode, type TestSpecificationValue } from '../model/record-model';
import { buildServiceTestRevision, missingDefinitionIds, SERVICE_TEST_COLLECTION } from '../tmf653/service-test.payload';
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
  api: TmfApi.SERVICE_TEST_TMF653,
  policy: 'Test Run Outbound Policy',
  roles: ROLES.TESTS,
  collection: SERVICE_TEST_COLLECTION,
  canceledColumns: {},
  notApplicableFields: ['category', 'action', 'domain'],

  // TMF653 has no milestones, so a test run never reaches a point of no return.
  atPointOfNoReturn() {
    return false;
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
};
