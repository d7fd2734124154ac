import { preOrder, type DomainOrderNode, type PlannedRequest } from '../model/record-model';
import { assertValidPayload } from '../tmf/tmf-schema';
import { buildServiceOrderCreate, SERVICE_ORDER_COLLECTION } from './service-order.payload';

/**
 * TMF641: ONE POST carrying the order and, when hierarchical, its whole tree nested in the items; the
 * request covers every order it carries.
 */
export function planOrderSubmission(root: DomainOrderNode, hierarchical: boolean, requestId: string): PlannedRequest[] {
  const payload = buildServiceOrderCreate(root, { requestId, hierarchical });
  assertValidPayload('TMF641', 'ServiceOrder_Create', payload);
  const covered = hierarchical ? preOrder(root) : [root];
  return [{ operation: 'CREATE', httpMethod: 'POST', path: SERVICE_ORDER_COLLECTION, payload, coveredIds: covered.map((o) => o.id) }];
}
