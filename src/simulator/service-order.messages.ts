import type { Json, ServiceOrder } from './tmf-resources';

// What a fulfilment system reports about an order besides its state: milestones, jeopardy alerts and
// error messages, in TMF641 v4.1 shapes, with wording a person reading the gateway's fallout would expect.

const MILESTONE_TEXT: Record<string, string> = {
  pointofnoreturn: 'The order has passed its point of no return: it can no longer be cancelled',
  designcompleted: 'The network design for the order is complete',
  resourcereserved: 'The resources the order needs are reserved',
  activationstarted: 'Network activation has started',
};

const JEOPARDY_TEXT: Record<string, { exception: string; message: string }> = {
  normal: { exception: 'Step slower than planned', message: 'The order is behind plan but still expected on time' },
  hazard: { exception: 'Site access not confirmed', message: 'The order may miss its expected completion date' },
  critical: { exception: 'Required resource unavailable', message: 'The order will miss its expected completion date without action' },
};

/**
 * A ServiceOrderItemRef. TMF641 v4.1 declares `itemId` but requires `id` (a slip in the spec), so the ref
 * carries both with the same value: that is the only way to satisfy the official schema.
 */
export function itemRef(order: Pick<ServiceOrder, 'id' | 'href'>, itemId: string): Json {
  return { id: itemId, itemId, serviceOrderId: order.id, serviceOrderHref: order.href };
}

export function milestoneOf(order: ServiceOrder, name: string, itemIds: string[], now: string): Json {
  const description = MILESTONE_TEXT[name.toLowerCase()] ?? `The order reached the milestone ${name}`;
  return {
    id: String((order.milestone?.length ?? 0) + 1),
    name,
    description,
    message: `Service order ${order.id}: ${description}`,
    milestoneDate: now,
    status: 'completed',
    serviceOrderItem: itemIds.map((id) => itemRef(order, id)),
  };
}

export function jeopardyAlertOf(order: ServiceOrder, jeopardyType: string, itemIds: string[], now: string): Json {
  const text = JEOPARDY_TEXT[jeopardyType.toLowerCase()] ?? { exception: `${jeopardyType} risk`, message: 'The order is at risk' };
  return {
    id: String((order.jeopardyAlert?.length ?? 0) + 1),
    name: `${jeopardyType} jeopardy`,
    jeopardyType,
    exception: text.exception,
    message: `Service order ${order.id}: ${text.message}`,
    alertDate: now,
    serviceOrderItem: itemIds.map((id) => itemRef(order, id)),
  };
}

export function hasMilestone(order: ServiceOrder, name: string): boolean {
  return (order.milestone ?? []).some((m) => typeof m.name === 'string' && m.name.toLowerCase() === name.toLowerCase());
}

export function hasJeopardy(order: ServiceOrder, jeopardyType: string): boolean {
  return (order.jeopardyAlert ?? []).some((a) => a.jeopardyType === jeopardyType);
}

export function itemError(itemId: string, now: string): Json {
  return {
    code: 'ITEM_FAILED',
    reason: 'Order item failed',
    message: `Service order item ${itemId} failed (simulator scenario)`,
    status: 'failed',
    timestamp: now,
  };
}

export function orderError(order: ServiceOrder, code: string, reason: string, detail: string, now: string, itemIds: string[]): Json {
  return {
    code,
    reason,
    message: `Service order ${order.id}: ${detail}`,
    status: order.state,
    timestamp: now,
    serviceOrderItem: itemIds.map((id) => itemRef(order, id)),
  };
}
