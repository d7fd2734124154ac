import { randomUUID } from 'node:crypto';
import type { EventAction, EventNotifier, ResourceEvent } from './event-notifier';
import type { EventFaults } from './fault-injection';
import { characteristicScenario, checkScenario, mergeScenarios, type Scenario } from './scenario';
import { CANCEL_INFORMATION_FIELD, newCancelTask, stepCancellation, type Cancellation } from './service-order.cancellation';
import {
  applyTransition,
  cancelOpenItems,
  cancelRefusal,
  fateOf,
  nextTransition,
  setItemStates,
  type OrderFate,
  type Transition,
} from './service-order.progress';
import { IGNORED_ON_PATCH, mergeItems, nextStateOnPatch, rejectDuplicateItems, rejectServerOwnedFields } from './service-order.requests';
import { badRequest, invalidState, notFound } from './simulator.errors';
import type { StepTimers } from './step-timers';
import {
  TERMINAL_ORDER_STATES,
  isObject,
  mergePatch,
  walkItems,
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

interface OrderRecord {
  order: ServiceOrder;
  fate: OrderFate;
  scenario: Scenario;
  faults: EventFaults;
  timer?: NodeJS.Timeout;
  cancellation?: Cancellation;
  /** The fieldPath the order is held for, until a PATCH brings the information. */
  awaitingInformation?: string;
}

/**
 * In-memory TMF641 service orders and cancel tasks, and their progression over time: one state change
 * (or one report: milestone, jeopardy alert, information request) per step, each one reported through
 * the notifier.
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
    rejectDuplicateItems(body.serviceOrderItem as ServiceOrderItem[]);
    const scenario = mergeScenarios(scenarioOfItems(body.serviceOrderItem as ServiceOrderItem[]), ctx.scenario);
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
    const record: OrderRecord = { order, fate: fateOf(scenario, order), scenario, faults: ctx.faults };
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
   * to resume a held/pending order; a pending order, or one held for information, also resumes on any
   * other PATCH (information received), and so does a cancellation that asked for information.
   */
  patch(id: string, body: Json): ServiceOrder {
    const record = this.found(id);
    const { order } = record;
    const { state, serviceOrderItem, ...attributes } = body;
    const answersCancellation = checkPatchable(record, state);
    for (const field of IGNORED_ON_PATCH) delete attributes[field];
    const target = answersCancellation
      ? undefined
      : nextStateOnPatch(order.state, state as string | undefined, record.awaitingInformation !== undefined);
    const updated = structuredClone(order);
    mergePatch(updated, attributes);
    if (Array.isArray(serviceOrderItem)) mergeItems(updated.serviceOrderItem, serviceOrderItem.filter(isObject));
    rejectDuplicateItems(updated.serviceOrderItem);
    record.order = updated;
    const now = new Date().toISOString();
    if (target === 'cancelled') {
      cancelOpenItems(updated);
      Object.assign(updated, { state: 'cancelled', cancellationDate: now, completionDate: now });
    } else if (target) updated.state = target;
    if (target === 'inProgress' || target === 'cancelled') record.awaitingInformation = undefined;
    if (answersCancellation) record.cancellation!.awaitingInformation = false;
    const changed = [...Object.keys(attributes), ...(serviceOrderItem !== undefined ? ['serviceOrderItem'] : [])];
    if (changed.length > 0) this.emit(record, 'AttributeValueChange', { fieldPath: changed.join(',') });
    if (updated.state !== order.state) this.emit(record, 'StateChange');
    this.afterChange(record);
    return structuredClone(updated);
  }

  /** TMF641 DELETE: the order is gone at once, whatever its state, and its progress stops. */
  delete(id: string): void {
    const record = this.found(id);
    this.timers.cancel(record.timer);
    this.emit(record, 'Delete');
    this.orders.delete(id);
    this.notifier.settle(id);
  }

  /**
   * Creates a cancel task. A cancellable order goes assessingCancellation → pendingCancellation → cancelled
   * while the task goes accepted → inProgress → done. An order that is already finished, being cancelled or
   * past its point of no return refuses: the task is created directly in `terminatedWithError`.
   */
  cancel(body: Json, ctx: CreateContext): CancelServiceOrder {
    const ref = body.serviceOrder as { id: string };
    const record = this.orders.get(ref.id);
    if (!record) throw notFound(`No serviceOrder with id ${ref.id}`);
    const refusal = record.cancellation
      ? `Service order ${ref.id} already has a cancellation in progress (${record.cancellation.task.id})`
      : cancelRefusal(record.order);
    const task = newCancelTask(body, record.order, ctx.baseUrl, refusal);
    this.cancellations.set(task.id, task);
    if (!refusal) record.cancellation = { task, faults: ctx.faults, outcome: ctx.scenario.cancel ?? record.scenario.cancel ?? 'accept' };
    this.emitTask(record.order.id, task, 'Create', ctx.faults);
    if (!refusal) this.schedule(record);
    return structuredClone(task);
  }

  reset(): void {
    this.orders.clear();
    this.cancellations.clear();
  }

  private found(id: string): OrderRecord {
    const record = this.orders.get(id);
    if (!record) throw notFound(`No serviceOrder with id ${id}`);
    return record;
  }

  private schedule(record: OrderRecord): void {
    if (record.timer) return;
    const delay = record.scenario.stepMs ?? this.stepMs();
    record.timer = this.timers.after(delay, () => {
      record.timer = undefined;
      if (this.orders.get(record.order.id) !== record) return; // reset or deleted in the meantime
      if (record.cancellation) this.advanceCancellation(record, record.cancellation);
      else this.advance(record);
    });
  }

  private advance(record: OrderRecord): void {
    const transition = nextTransition(record.order, record.fate);
    if (!transition) return this.notifier.settle(record.order.id);
    const now = new Date().toISOString();
    applyTransition(record.order, transition, now);
    if (transition.kind === 'order' && (transition.state === 'held' || transition.state === 'pending')) record.fate.pause = undefined;
    this.report(record, transition);
    this.afterChange(record);
  }

  /** The events one transition produces. */
  private report(record: OrderRecord, transition: Transition): void {
    if (transition.kind === 'milestone') return this.emit(record, 'Milestone');
    if (transition.kind === 'jeopardy') return this.emit(record, 'Jeopardy');
    this.emit(record, 'StateChange');
    if (transition.kind !== 'informationRequired') return;
    const { fieldPath } = transition;
    record.fate.infoRequired = undefined;
    record.awaitingInformation = fieldPath;
    const description = `Service order ${record.order.id} is held until ${fieldPath} is provided (PATCH the order)`;
    this.emit(record, 'InformationRequired', { fieldPath, description });
  }

  private advanceCancellation(record: OrderRecord, c: Cancellation): void {
    const step = stepCancellation(record.order, c, new Date().toISOString());
    if (step.finished) record.cancellation = undefined;
    if (step.orderChanged) this.emit(record, 'StateChange');
    if (step.taskChanged) this.emitTask(record.order.id, c.task, 'StateChange', c.faults);
    if (step.informationRequired) {
      const description = `Cancellation ${c.task.id} needs ${CANCEL_INFORMATION_FIELD} before service order ${record.order.id} can be cancelled (PATCH the order)`;
      this.emitTask(record.order.id, c.task, 'InformationRequired', c.faults, { fieldPath: CANCEL_INFORMATION_FIELD, description });
    }
    this.afterChange(record);
  }

  /** Schedules the next step if there is one; otherwise lets out-of-order streams flush. */
  private afterChange(record: OrderRecord): void {
    const cancelling = record.cancellation && !record.cancellation.awaitingInformation;
    if (cancelling || (!record.cancellation && nextTransition(record.order, record.fate))) this.schedule(record);
    else this.notifier.settle(record.order.id);
  }

  private emit(record: OrderRecord, action: EventAction, extra: Pick<ResourceEvent, 'fieldPath' | 'description'> = {}): void {
    if (!this.notifier.wants('serviceOrder')) return;
    const resource = structuredClone(record.order);
    this.notifier.publish({ kind: 'serviceOrder', action, resource, streamKey: record.order.id, faults: record.faults, ...extra });
  }

  private emitTask(
    orderId: string,
    task: CancelServiceOrder,
    action: EventAction,
    faults: EventFaults,
    extra: Pick<ResourceEvent, 'fieldPath' | 'description'> = {},
  ): void {
    if (!this.notifier.wants('cancelServiceOrder')) return;
    this.notifier.publish({ kind: 'cancelServiceOrder', action, resource: structuredClone(task), streamKey: orderId, faults, ...extra });
  }
}

/**
 * Refuses a PATCH the order cannot take now (409). Answers whether it is the answer to a cancellation's
 * information request: the one PATCH a cancellation in progress takes, as long as it changes no state.
 */
function checkPatchable(record: OrderRecord, state: unknown): boolean {
  const { order, cancellation } = record;
  if (TERMINAL_ORDER_STATES.has(order.state))
    throw invalidState(`Service order ${order.id} is ${order.state} and can no longer be modified`);
  if (!cancellation) return false;
  if (!cancellation.awaitingInformation)
    throw invalidState(`Service order ${order.id} is being cancelled (${order.state}) and cannot be modified`);
  if (state !== undefined && state !== order.state) {
    throw invalidState(
      `Service order ${order.id} is being cancelled (${order.state}); a PATCH may answer the cancellation's question but not change the state`,
    );
  }
  return true;
}

/** The `simulatorScenario` characteristics on the items' services, at every depth; 400 when one does not parse or check. */
function scenarioOfItems(items: ServiceOrderItem[]): Scenario {
  let scenario: Scenario;
  try {
    scenario = characteristicScenario([...walkItems(items)].map((item) => item.service?.serviceCharacteristic));
  } catch (e) {
    throw badRequest(`/serviceOrderItem: ${(e as Error).message}`);
  }
  const problems = checkScenario(scenario, 'order');
  if (problems.length > 0) throw badRequest(`/serviceOrderItem: characteristic simulatorScenario: ${problems.join('; ')}`);
  return scenario;
}
