import type { CharacteristicValue, DomainOrderNode, OrderItemAction, SpecificationRefValue } from '../model/record-model';

// TMF641 v4.1.0 request bodies. Only properties the spec declares are sent (the swagger never says
// additionalProperties:false, so a misspelt property would validate and then be ignored remotely),
// never a server-owned one (id, href, state, orderDate, ... and item state), and never null:
// an unset value is left out.

type Json = Record<string, unknown>;

/** The TMF641 resource collection orders are created in, relative to the API root. */
export const SERVICE_ORDER_COLLECTION = '/serviceOrder';
/** Where TMF641 cancel tasks are created. */
export const CANCEL_SERVICE_ORDER_COLLECTION = '/cancelServiceOrder';

/** TMF641 OrderItemActionType spelling of our action enum. */
export const TMF_ORDER_ITEM_ACTION: Record<OrderItemAction, string> = {
  ADD: 'add',
  MODIFY: 'modify',
  DELETE: 'delete',
  NO_CHANGE: 'noChange',
};

/** True for a value worth sending: not null, undefined or the empty string. */
export function isSet(value: string | null | undefined): value is string {
  return value !== null && value !== undefined && value !== '';
}

/**
 * TMF v4 `Characteristic {name, value, valueType?}` (same shape in TMF641 and TMF653). The value is sent
 * exactly as stored, the empty string included: it can be a meaningful value.
 */
export function toTmfCharacteristics(characteristics: readonly CharacteristicValue[]): Json[] {
  return characteristics.map((c) => ({
    name: c.name,
    value: c.value,
    ...(isSet(c.valueType) ? { valueType: c.valueType } : {}),
  }));
}

function specificationRef(spec: SpecificationRefValue): Json {
  return {
    id: spec.id,
    ...(isSet(spec.name) ? { name: spec.name } : {}),
    ...(isSet(spec.version) ? { version: spec.version } : {}),
    '@type': 'ServiceSpecificationRef',
  };
}

/**
 * The item's `service`: by value for add (the service does not exist yet), by reference (`id`) for
 * modify and delete, which also carry the specification so the system can route without an inventory
 * lookup. modify carries the characteristics: they are the new values.
 */
function serviceFor(order: DomainOrderNode, action: OrderItemAction): Json {
  const spec = specificationRef(order.serviceSpecification);
  const characteristics = toTmfCharacteristics(order.characteristics);
  const withCharacteristics = characteristics.length > 0 ? { serviceCharacteristic: characteristics } : {};
  const ref = isSet(order.serviceId) ? { id: order.serviceId } : {};
  switch (action) {
    case 'ADD':
      return {
        ...(isSet(order.name) ? { name: order.name } : {}),
        serviceSpecification: spec,
        ...withCharacteristics,
        '@type': 'Service',
      };
    case 'MODIFY':
      return { ...ref, serviceSpecification: spec, ...withCharacteristics, '@type': 'Service' };
    case 'DELETE':
      return { ...ref, serviceSpecification: spec, '@type': 'Service' };
    case 'NO_CHANGE':
      // The item is only context in the bundle: point at the service when it is known, else say what it is.
      return isSet(order.serviceId) ? { id: order.serviceId, '@type': 'Service' } : { serviceSpecification: spec, '@type': 'Service' };
  }
}

function orderItem(order: DomainOrderNode, action: OrderItemAction, nested: Json[] | null): Json {
  return {
    id: order.number,
    action: TMF_ORDER_ITEM_ACTION[action],
    service: serviceFor(order, action),
    ...(nested && nested.length > 0 ? { serviceOrderItem: nested } : {}),
    '@type': 'ServiceOrderItem',
  };
}

// Recursion depth equals the tree depth, which real decompositions keep to a handful of levels.
function nestedItem(order: DomainOrderNode): Json {
  return orderItem(order, order.action, order.children.map(nestedItem));
}

/**
 * TMF641 ServiceOrder_Create for a domain order. Hierarchical: every descendant nested under its parent
 * in `serviceOrderItem[].serviceOrderItem[]`; otherwise the root is the only item.
 */
export function buildServiceOrderCreate(root: DomainOrderNode, opts: { requestId: string; hierarchical: boolean }): object {
  const item = opts.hierarchical ? nestedItem(root) : orderItem(root, root.action, null);
  return {
    externalId: opts.requestId,
    ...(isSet(root.category) ? { category: root.category } : {}),
    description: isSet(root.name) ? `Domain order ${root.number}: ${root.name}` : `Domain order ${root.number}`,
    serviceOrderItem: [item],
    '@type': 'ServiceOrder',
  };
}

/**
 * TMF641 ServiceOrder_Update for `PATCH /serviceOrder/{id}`: the changed orders as flat `modify` items,
 * matched by the system through the item id (the order number) they were created with.
 * ServiceOrder_Update skips `@type`, so the order level has none.
 */
export function buildServiceOrderRevision(changed: readonly DomainOrderNode[], opts: { requestId: string }): object {
  if (changed.length === 0) throw new Error('A service order revision needs at least one changed domain order');
  return {
    externalId: opts.requestId,
    serviceOrderItem: changed.map((order) => orderItem(order, 'MODIFY', null)),
  };
}

/** TMF641 CancelServiceOrder_Create for `POST /cancelServiceOrder`. */
export function buildCancelServiceOrder(externalServiceOrderId: string, reason?: string | null): object {
  return {
    serviceOrder: { id: externalServiceOrderId, '@referredType': 'ServiceOrder' },
    ...(isSet(reason) ? { cancellationReason: reason } : {}),
    '@type': 'CancelServiceOrder',
  };
}
