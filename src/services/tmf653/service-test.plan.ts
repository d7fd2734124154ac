import { preOrder, type PlannedRequest, type TestRunNode } from '../model/record-model';
import { assertValidPayload } from '../tmf/tmf-schema';
import { buildServiceTestCreate, missingDefinitionIds, SERVICE_TEST_COLLECTION } from './service-test.payload';

/**
 * TMF653: a ServiceTest has no children, so one POST per run, parents before children, all under the
 * same requestId. Refuses a run whose specification lacks a definitionId: the submitting service
 * reports TEST_MEASURE_DEFINITION_ID_MISSING before planning, so reaching this is a bug.
 */
export function planTestRunSubmission(root: TestRunNode, hierarchical: boolean, requestId: string): PlannedRequest[] {
  const runs = hierarchical ? preOrder(root) : [root];
  return runs.map((run) => {
    const missing = missingDefinitionIds(run.specification);
    if (missing.length > 0) {
      const names = missing.map((d) => d.metricName).join(', ');
      throw new Error(`Test run ${run.number} cannot be sent: measure definitions without definitionId: ${names}`);
    }
    const payload = buildServiceTestCreate(run, { requestId });
    assertValidPayload('TMF653', 'ServiceTest_Create', payload);
    return { operation: 'CREATE', httpMethod: 'POST', path: SERVICE_TEST_COLLECTION, payload, coveredIds: [run.id] };
  });
}
