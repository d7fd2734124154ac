import type { DomainOrderNode, TestRunNode } from '../decision/decision.types';
import { buildServiceOrderCreate } from '../tmf641/service-order.payload';
import { buildServiceTestCreate, missingDefinitionIds } from '../tmf653/service-test.payload';
import { checkTmf, formatViolations, type TmfSpec } from '../tmf/tmf-schema';

/** One outbound request a submission will queue; `coveredIds` are the record ids it carries. */
export interface PlannedRequest {
  operation: 'CREATE';
  httpMethod: 'POST';
  path: '/serviceOrder' | '/serviceTest';
  payload: object;
  coveredIds: string[];
}

/** Parents before children, siblings in their given order. Iterative, so a deep tree cannot overflow the stack. */
export function preOrder<T extends { children: T[] }>(root: T): T[] {
  const out: T[] = [];
  const stack: T[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as T;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  return out;
}

/**
 * Throws when the payload does not validate against the official schema. A payload we built that fails
 * is a bug in the builder, and must be caught before anything is queued, never at the external system.
 */
export function assertValidPayload(spec: TmfSpec, definition: string, payload: unknown): void {
  const check = checkTmf(spec, definition, payload);
  if (!check.valid) {
    throw new Error(`Invalid ${spec} ${definition} payload: ${formatViolations(check.violations)}`);
  }
}

/**
 * TMF641: ONE POST carrying the order and, when hierarchical, its whole tree nested in the items; the
 * request covers every order it carries.
 */
export function planOrderSubmission(root: DomainOrderNode, hierarchical: boolean, requestId: string): PlannedRequest[] {
  const payload = buildServiceOrderCreate(root, { requestId, hierarchical });
  assertValidPayload('TMF641', 'ServiceOrder_Create', payload);
  const covered = hierarchical ? preOrder(root) : [root];
  return [{ operation: 'CREATE', httpMethod: 'POST', path: '/serviceOrder', payload, coveredIds: covered.map((o) => o.id) }];
}

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
    return { operation: 'CREATE', httpMethod: 'POST', path: '/serviceTest', payload, coveredIds: [run.id] };
  });
}
