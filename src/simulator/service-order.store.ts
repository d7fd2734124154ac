import { randomUUID } from 'node:crypto';
import type { EventAction, EventNotifier } from './event-notifier';
import type { EventFaults } from './fault-injection';
import type { Scenario } from './scenario';
import {
  applyTransition,
  cancelOpenItems,
  cancelRefusal,
  duplicateItemPath,
  fateOf,
  nextTransition,
  setItemStates,
  type OrderFate,
} from './service-order.progress';
import { badRequest, invalidState, notFound } from './simulator.errors';
import type { StepTimers } from './step-timers';
import {
  TERMINAL_ORDER_STATES,
  findItem,
  isObject,
  mergePatch,
  type CancelServiceOrder,
  type Json,
  type ServiceOrder,
  type ServiceOrderItem,
} from './tmf-resources';

/** Where a created resource comes from: the base URL its href is built on, its scenario and event faults. */
export interface CreateContext {
  baseUrl: string;
  scenario: Scenario;
  faults: EventFaults;
}

interface Cancellation {
  task: CancelServiceOrder;
  faults: EventFaults;
  deny: boolean;
  /** The state the order returns to when the cancellation is denied. */
  previousState?: string;
}

interface OrderRecord {
  order: ServiceOrder;
  fate: OrderFate & { pause?: 'held' | 'pending' };
  scenario: Scenario;
  faults: EventFaults;
  timer?: NodeJS.Timeout;
  cancellation?: Cancellation;
}

const SERVER_OWNED_ORDER_FIELDS = [
  ...['id', 'href', 'state', 'orderDate', 'startDate', 'completionDate'],
  ...['expectedCompletionDate', 'jeopardyAlert', 'errorMessage', 'milestone'],
];
const SERVER_OWNED_ITEM_FIELDS = ['state', 'errorMessage'];
/** Server-owned fields a client echoes back from a GET in a merge-patch; ignored rather than refused. */
const IGNORED_ON_PATCH = ['id', 'href', 'orderDate', 'startDate', 'completionDate', 'jeopardyAlert', 'errorMessage', 'milestone'];

/**
 * In-memory TMF641 service orders and cancel tasks, and their progression over time: one state change per
 * step, each one reported through the notifier.
 */
export class ServiceOrderStore {
  private readonly orders = new Map<string, OrderRecord>();
  private readonly cancellations = new Map<string, CancelServiceOrder>();

  constructor(
    private readonly timers: StepTimers,
    private readonly notifier: EventNotifier,
    private readonly stepMs: () => number,
  ) {}

  create(body: Json, ctx: CreateContext): ServiceOrder {
    rejectServerOwnedFields(body);
    const items = body.serviceOrderItem as ServiceOrderItem[];
    const duplicate = duplicateItemPath(items);
    if (duplicate) throw badRequest(`${duplicate}: item id is used twice in the order tree; item ids must be unique within an order`);
    const id = randomUUID();
    const order = {
      id,
      href: `${ctx.baseUrl}/serviceOrder/${id}`,
      ...structuredClone(body),
      state: 'acknowledged',
      orderDate: new Date().toISOString(),
    } as ServiceOrder;
    order['@type'] ??= 'ServiceOrder';
    setItemStates(order.serviceOrderItem, 'acknowledged');
    const record: OrderRecord = { order, fate: fateOf(ctx.scenario, order), scenario: ctx.scenario, faults: ctx.faults };
    this.orders.set(id, record);
    this.emit(record, 'Create');
    this.schedule(record);
    return structuredClone(order);
  }

  get(id: string): ServiceOrder | undefined {
    return this.orders.get(id)?.order;
  }

  /** Live stored orders in creation order; callers must not modify them. */
  list(): ServiceOrder[] {
    return [...this.orders.values()].map((r) => r.order);
  }

  getCancellation(id: string): CancelServiceOrder | undefined {
    return this.cancellations.get(id);
  }

  listCancellations(): CancelServiceOrder[] {
    return [...this.cancellations.values()];
  }

  /**
   * Merge-patch of an order (ServiceOrder_Update already validated). Items in `serviceOrderItem` are merged
   * by id, new ids are added; item state stays server-owned. `state` may be `cancelled`, or `inProgress`
   * to resume a held/pending order; a pending order also resumes on any other PATCH (information received).
   */
  patch(id: string, body: Json): ServiceOrder {
    const record = this.orders.get(id);
    if (!record) throw notFound(`No serviceOrder with id ${id}`);
    const { order } = record;
    if (TERMINAL_ORDER_STATES.has(order.state)) throw invalidState(`Service order ${id} is ${order.state} and can no longer be modified`);
    if (record.cancellation) throw invalidState(`Service order ${id} is being cancelled (${order.state}) and cannot be modified`);
    const { state, serviceOrderItem, ...attributes } = body;
    for (const field of IGNORED_ON_PATCH) delete attributes[field];
    const target = nextStateOnPatch(order.state, state as string | undefined);
    const updated = structuredClone(order);
    mergePatch(updated, attributes);
    if (Array.isArray(serviceOrderItem)) mergeItems(updated.serviceOrderItem, serviceOrderItem.filter(isObject));
    const duplicate = duplicateItemPath(updated.serviceOrderItem);
    if (duplicate) throw badRequest(`${duplicate}: item id is used twice in the order tree; item ids must be unique within an order`);
    record.order = updated;
    const now = new Date().toISOString();
    if (target === 'cancelled') {
      cancelOpenItems(updated);
      Object.assign(updated, { state: 'cancelled', cancellationDate: now, completionDate: now });
    } else if (target) updated.state = target;
    if (Object.keys(attributes).length > 0 || serviceOrderItem !== undefined) this.emit(record, 'AttributeValueChange');
    if (updated.state !== order.state) this.emit(record, 'StateChange');
    this.afterChange(record);
    return structuredClone(updated);
  }

  /**
   * Creates a cancel task. A cancellable order goes assessingCancellation → pendingCancellation → cancelled
   * while the task goes acknowledged → inProgress → done. An order that is already finished or being
   * cancelled refuses: the task is created directly in `terminatedWithError`, with the reason in errorMessage.
   */
  cancel(body: Json, ctx: CreateContext): CancelServiceOrder {
    const { id: _id, href: _href, state: _state, ...request } = body;
    const ref = body.serviceOrder as { id: string };
    const record = this.orders.get(ref.id);
    if (!record) throw notFound(`No serviceOrder with id ${ref.id}`);
    const id = randomUUID();
    const task = {
      id,
      href: `${ctx.baseUrl}/cancelServiceOrder/${id}`,
      ...structuredClone(request),
      serviceOrder: { ...(body.serviceOrder as Json), id: ref.id, href: record.order.href, '@referredType': 'ServiceOrder' },
      state: 'acknowledged',
    } as CancelServiceOrder;
    task['@type'] ??= 'CancelServiceOrder';
    this.cancellations.set(id, task);
    const refusal = record.cancellation
      ? `Service order ${ref.id} already has a cancellation in progress (${record.cancellation.task.id})`
      : cancelRefusal(record.order);
    if (refusal) {
      task.state = 'terminatedWithError';
      task.errorMessage = { code: 'CANCELLATION_REFUSED', reason: 'Order cannot be cancelled', message: refusal, status: 'terminatedWithError' };
    } else {
      const deny = (ctx.scenario.cancel ?? record.scenario.cancel) === 'deny';
      record.cancellation = { task, faults: ctx.faults, deny };
    }
    this.emitTask(record.order.id, task, 'Create', ctx.faults);
    if (!refusal) this.schedule(record);
    return structuredClone(task);
  }

  reset(): void {
    this.orders.clear();
    this.cancellations.clear();
  }

  private schedule(record: OrderRecord): void {
    if (record.timer) return;
    const delay = record.scenario.stepMs ?? this.stepMs();
    record.timer = this.timers.after(delay, () => {
      record.timer = undefined;
      if (this.orders.get(record.order.id) !== record) return; // reset in the meantime
      if (record.cancellation) this.advanceCancellation(record, record.cancellation);
      else this.advance(record);
    });
  }

  private advance(record: OrderRecord): void {
    const transition = nextTransition(record.order, record.fate);
    if (!transition) return this.notifier.settle(record.order.id);
    applyTransition(record.order, transition, new Date().toISOString());
    if (transition.kind === 'order' && (transition.state === 'held' || transition.state === 'pending')) record.fate.pause = undefined;
    this.emit(record, 'StateChange');
    this.afterChange(record);
  }

  private advanceCancellation(record: OrderRecord, c: Cancellation): void {
    const { order, order: { state: orderState } } = record;
    const taskState = c.task.state;
    const now = new Date().toISOString();
    if (taskState === 'acknowledged') {
      c.previousState = orderState;
      order.state = 'assessingCancellation';
      c.task.state = 'inProgress';
    } else if (orderState === 'assessingCancellation' && c.deny) {
      order.state = c.previousState ?? 'acknowledged';
      c.task.state = 'terminatedWithError';
      c.task.errorMessage = {
        code: 'CANCELLATION_DENIED',
        reason: 'Cancellation denied',
        message: `Cancellation of service order ${order.id} was denied`,
        status: 'terminatedWithError',
      };
      record.cancellation = undefined;
    } else if (orderState === 'assessingCancellation') {
      order.state = 'pendingCancellation';
    } else {
      cancelOpenItems(order);
      Object.assign(order, { state: 'cancelled', cancellationDate: now, completionDate: now });
      if (c.task.cancellationReason !== undefined) order.cancellationReason = c.task.cancellationReason;
      Object.assign(c.task, { state: 'done', effectiveCancellationDate: now });
      record.cancellation = undefined;
    }
    this.emit(record, 'StateChange');
    if (c.task.state !== taskState) this.emitTask(order.id, c.task, 'StateChange', c.faults);
    this.afterChange(record);
  }

  /** Schedules the next step if there is one; otherwise lets out-of-order streams flush. */
  private afterChange(record: OrderRecord): void {
    if (record.cancellation || nextTransition(record.order, record.fate)) this.schedule(record);
    else this.notifier.settle(record.order.id);
  }

  private emit(record: OrderRecord, action: EventAction): void {
    if (!this.notifier.wants('serviceOrder')) return;
    const resource = structuredClone(record.order);
    this.notifier.publish({ kind: 'serviceOrder', action, resource, streamKey: record.order.id, faults: record.faults });
  }

  private emitTask(orderId: string, task: CancelServiceOrder, action: EventAction, faults: EventFaults): void {
    if (!this.notifier.wants('cancelServiceOrder')) return;
    this.notifier.publish({ kind: 'cancelServiceOrder', action, resource: structuredClone(task), streamKey: orderId, faults });
  }
}

function nextStateOnPatch(current: string, requested: string | undefined): string | undefined {
  if (requested === undefined) return current === 'pending' ? 'inProgress' : undefined;
  if (requested === current || requested === 'cancelled') return requested;
  if (requested === 'inProgress' && (current === 'held' || current === 'pending')) return requested;
  throw invalidState(`A client cannot move service order from ${current} to ${requested}; send "cancelled", or "inProgress" to resume a held or pending order`);
}

/**
 * Merges PATCH items into the stored tree by id. An id is looked up at any depth, because a client may
 * send changed nested items flat; an unknown id is added where it appears in the PATCH (top level, or
 * under the item it is nested in), starting as acknowledged.
 */
function mergeItems(tree: ServiceOrderItem[], patch: Json[], siblings: ServiceOrderItem[] = tree): void {
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

function rejectServerOwnedFields(body: Json): void {
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
