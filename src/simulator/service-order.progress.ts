import { outcomeCharacteristic, type Scenario } from './scenario';
import { hasJeopardy, hasMilestone, itemError, jeopardyAlertOf, milestoneOf, orderError } from './service-order.messages';
import { TERMINAL_ORDER_STATES, findItem, walkItems, type ServiceOrder, type ServiceOrderItem } from './tmf-resources';

/** What the scenario decided for one order, in the form the progression needs. */
export interface OrderFate {
  reject: boolean;
  failAll: boolean;
  failing: ReadonlySet<string>;
  /** Where the order stops after its first item started; cleared once it has stopped there. */
  pause?: 'held' | 'pending';
  /** Reported once the first item has started; each one once (the order's milestone[] remembers). */
  milestones: readonly string[];
  jeopardyTypes: readonly string[];
  /** The fieldPath asked for once the first item has started; cleared once asked. */
  infoRequired?: string;
}

export type Transition =
  | { kind: 'reject' }
  | { kind: 'order'; state: string }
  | { kind: 'item'; itemId: string; state: string }
  | { kind: 'milestone'; name: string }
  | { kind: 'jeopardy'; jeopardyType: string }
  /** The order goes held, asking for `fieldPath`. */
  | { kind: 'informationRequired'; fieldPath: string };

export function fateOf(scenario: Scenario, order: Pick<ServiceOrder, 'serviceOrderItem'>): OrderFate {
  const failing = new Set(scenario.failItems ?? []);
  for (const item of walkItems(order.serviceOrderItem)) {
    if (outcomeCharacteristic(item.service?.serviceCharacteristic) === 'failed') failing.add(item.id);
  }
  if (scenario.outcome === 'partial' && failing.size === 0) {
    // "partial" with nothing named: the last item worked on fails, the others complete.
    let last: ServiceOrderItem | undefined;
    for (const item of walkItems(order.serviceOrderItem)) last = item;
    if (last) failing.add(last.id);
  }
  const pause = scenario.outcome === 'held' || scenario.outcome === 'pending' ? scenario.outcome : undefined;
  return {
    reject: scenario.outcome === 'rejected',
    failAll: scenario.outcome === 'failed',
    failing,
    pause,
    milestones: scenario.milestones ?? [],
    jeopardyTypes: scenario.jeopardyTypes ?? [],
    infoRequired: scenario.infoRequired,
  };
}

/**
 * The single next state change of an order, derived from its current states, so that items added by PATCH,
 * resumption after held/pending and cancellation need no separate plan. Items are worked on one at a time,
 * depth first: an item starts, its children run, then it ends. Undefined when nothing moves on its own.
 */
export function nextTransition(order: ServiceOrder, fate: OrderFate): Transition | undefined {
  if (order.state === 'acknowledged') return fate.reject ? { kind: 'reject' } : { kind: 'order', state: 'inProgress' };
  if (order.state !== 'inProgress') return undefined;
  const report = firstStartedItem(order.serviceOrderItem) ? nextReport(order, fate) : undefined;
  return report ?? nextItemStep(order.serviceOrderItem, fate) ?? { kind: 'order', state: rollUp(order.serviceOrderItem) };
}

/** What the system reports once work has begun, before it goes on: milestones, then jeopardy, then a stop. */
function nextReport(order: ServiceOrder, fate: OrderFate): Transition | undefined {
  const name = fate.milestones.find((m) => !hasMilestone(order, m));
  if (name !== undefined) return { kind: 'milestone', name };
  const jeopardyType = fate.jeopardyTypes.find((t) => !hasJeopardy(order, t));
  if (jeopardyType !== undefined) return { kind: 'jeopardy', jeopardyType };
  if (fate.infoRequired !== undefined) return { kind: 'informationRequired', fieldPath: fate.infoRequired };
  if (fate.pause) return { kind: 'order', state: fate.pause };
  return undefined;
}

function nextItemStep(items: ServiceOrderItem[], fate: OrderFate): Transition | undefined {
  for (const item of items) {
    if (TERMINAL_ORDER_STATES.has(item.state)) continue;
    if (item.state !== 'inProgress') return { kind: 'item', itemId: item.id, state: 'inProgress' };
    const child = item.serviceOrderItem?.length ? nextItemStep(item.serviceOrderItem, fate) : undefined;
    if (child) return child;
    const failed = fate.failAll || fate.failing.has(item.id);
    const state = failed ? 'failed' : item.serviceOrderItem?.length ? rollUp(item.serviceOrderItem) : 'completed';
    return { kind: 'item', itemId: item.id, state };
  }
  return undefined;
}

/** All completed → completed; nothing (even partly) completed → failed; otherwise partial. */
export function rollUp(items: ServiceOrderItem[]): string {
  if (items.every((i) => i.state === 'completed')) return 'completed';
  if (items.some((i) => i.state === 'completed' || i.state === 'partial')) return 'partial';
  return 'failed';
}

function firstStartedItem(items: ServiceOrderItem[]): ServiceOrderItem | undefined {
  for (const item of walkItems(items)) if (item.state !== 'acknowledged') return item;
  return undefined;
}

/** Applies a transition in place, with the dates, reports and error messages a real system would set. */
export function applyTransition(order: ServiceOrder, t: Transition, now: string): void {
  // Reports come right after the first item started, so they name that item.
  const current = () => [firstStartedItem(order.serviceOrderItem)?.id].filter((id): id is string => id !== undefined);
  if (t.kind === 'reject') {
    order.state = 'rejected';
    const all = [...walkItems(order.serviceOrderItem)];
    for (const item of all) item.state = 'rejected';
    const ids = all.map((i) => i.id);
    order.errorMessage = [orderError(order, 'ORDER_REJECTED', 'Order rejected', 'rejected by the simulator scenario', now, ids)];
    return;
  }
  if (t.kind === 'item') {
    const item = findItem(order.serviceOrderItem, t.itemId);
    if (!item) return;
    item.state = t.state;
    if (t.state === 'failed') item.errorMessage = [itemError(item.id, now)];
    return;
  }
  if (t.kind === 'milestone') return void (order.milestone ??= []).push(milestoneOf(order, t.name, current(), now));
  if (t.kind === 'jeopardy') return void (order.jeopardyAlert ??= []).push(jeopardyAlertOf(order, t.jeopardyType, current(), now));
  if (t.kind === 'informationRequired') return void (order.state = 'held');
  order.state = t.state;
  if (t.state === 'inProgress' && order.startDate === undefined) order.startDate = now;
  if (TERMINAL_ORDER_STATES.has(t.state)) order.completionDate = now;
  if (t.state === 'failed' || t.state === 'partial') {
    const failed = [...walkItems(order.serviceOrderItem)].filter((i) => i.state === 'failed').map((i) => i.id);
    order.errorMessage = [orderError(order, 'ITEMS_FAILED', 'Order items failed', `items ${failed.join(', ')} failed`, now, failed)];
  }
}

/** Ends every unfinished item as cancelled (the order itself is set by the caller). */
export function cancelOpenItems(order: ServiceOrder): void {
  for (const item of walkItems(order.serviceOrderItem)) if (!TERMINAL_ORDER_STATES.has(item.state)) item.state = 'cancelled';
}

/** Why an order cannot be cancelled now, or undefined if it can. */
export function cancelRefusal(order: ServiceOrder): string | undefined {
  if (TERMINAL_ORDER_STATES.has(order.state)) return `Service order ${order.id} is ${order.state} and can no longer be cancelled`;
  if (order.state === 'assessingCancellation' || order.state === 'pendingCancellation') {
    return `Service order ${order.id} is already being cancelled (${order.state})`;
  }
  // TMF641 names the point of no return as the typical reason a cancel task is denied.
  if (hasMilestone(order, 'pointOfNoReturn'))
    return `Service order ${order.id} has passed its point of no return and can no longer be cancelled`;
  return undefined;
}

/** Sets every item, at every depth, to `state`. */
export function setItemStates(items: ServiceOrderItem[], state: string): void {
  for (const item of walkItems(items)) {
    item.state = state;
    delete item.errorMessage;
  }
}

/** JSON pointer of the first item whose id repeats one seen earlier in the tree, if any. */
export function duplicateItemPath(items: ServiceOrderItem[], seen = new Set<string>(), base = '/serviceOrderItem'): string | undefined {
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (seen.has(item.id)) return `${base}/${i}/id`;
    seen.add(item.id);
    const nested = item.serviceOrderItem ? duplicateItemPath(item.serviceOrderItem, seen, `${base}/${i}/serviceOrderItem`) : undefined;
    if (nested) return nested;
  }
  return undefined;
}
