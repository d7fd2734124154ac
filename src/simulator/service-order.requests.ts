import { duplicateItemPath } from './service-order.progress';
import { badRequest, invalidState } from './simulator.errors';
import { findItem, isObject, mergePatch, type Json, type ServiceOrderItem } from './tmf-resources';

// What a client may send about an order: which fields the server owns, how a PATCH merges into the
// stored tree, and which state changes a client may ask for.

const SERVER_OWNED_ORDER_FIELDS = [
  ...['id', 'href', 'state', 'orderDate', 'startDate', 'completionDate'],
  ...['expectedCompletionDate', 'jeopardyAlert', 'errorMessage', 'milestone'],
];
const SERVER_OWNED_ITEM_FIELDS = ['state', 'errorMessage'];
/** Server-owned fields a client echoes back from a GET in a merge-patch; ignored rather than refused. */
export const IGNORED_ON_PATCH = ['id', 'href', 'orderDate', 'startDate', 'completionDate', 'jeopardyAlert', 'errorMessage', 'milestone'];

export function rejectServerOwnedFields(body: Json): void {
  const found = SERVER_OWNED_ORDER_FIELDS.filter((f) => body[f] !== undefined).map((f) => `/${f}`);
  const visit = (items: unknown, base: string) => {
    if (!Array.isArray(items)) return;
    items.forEach((item, i) => {
      if (!isObject(item)) return;
      for (const f of SERVER_OWNED_ITEM_FIELDS) if (item[f] !== undefined) found.push(`${base}/${i}/${f}`);
      visit(item.serviceOrderItem, `${base}/${i}/serviceOrderItem`);
    });
  };
  visit(body.serviceOrderItem, '/serviceOrderItem');
  if (found.length > 0) throw badRequest(`${found.join(', ')}: set by the server, must not be sent when creating a service order`);
}

export function rejectDuplicateItems(items: ServiceOrderItem[]): void {
  const duplicate = duplicateItemPath(items);
  if (duplicate) throw badRequest(`${duplicate}: item id is used twice in the order tree; item ids must be unique within an order`);
}

/**
 * The state a PATCH moves the order to, if any. A pending order, or one held until information arrives,
 * resumes on any PATCH (the information is in it); a held one also on `state: inProgress`.
 */
export function nextStateOnPatch(current: string, requested: string | undefined, awaitingInformation: boolean): string | undefined {
  const waiting = current === 'pending' || (current === 'held' && awaitingInformation);
  if (requested === undefined) return waiting ? 'inProgress' : undefined;
  if (requested === current || requested === 'cancelled') return requested;
  if (requested === 'inProgress' && (current === 'held' || current === 'pending')) return requested;
  throw invalidState(
    `A client cannot move service order from ${current} to ${requested}; send "cancelled", or "inProgress" to resume a held or pending order`,
  );
}

/**
 * Merges PATCH items into the stored tree by id. An id is looked up at any depth, because a client may
 * send changed nested items flat; an unknown id is added where it appears in the PATCH (top level, or
 * under the item it is nested in), starting as acknowledged.
 */
export function mergeItems(tree: ServiceOrderItem[], patch: Json[], siblings: ServiceOrderItem[] = tree): void {
  for (const change of patch) {
    const { serviceOrderItem: children, state: _state, errorMessage: _errors, ...attributes } = change;
    let target = findItem(tree, String(change.id));
    if (target) mergePatch(target, attributes);
    else {
      target = { ...structuredClone(attributes), serviceOrderItem: [] } as unknown as ServiceOrderItem;
      target.state = 'acknowledged';
      siblings.push(target);
    }
    if (Array.isArray(children)) mergeItems(tree, children.filter(isObject), (target.serviceOrderItem ??= []));
    if (target.serviceOrderItem?.length === 0) delete target.serviceOrderItem;
  }
}
