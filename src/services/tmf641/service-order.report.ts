import { CancellationState, FulfillmentState } from '../../entities/enums';
import {
  canonicalState,
  emptyReport,
  isObject,
  itemRefs,
  list,
  text,
  type Json,
  type Reported,
  type ReportedError,
  type ResourceReport,
} from '../tmf/resource-report';

/** TMF641 v4.1 ServiceOrderStateType and ServiceOrderItemStateType (the same words). */
export const SERVICE_ORDER_STATES = [
  'acknowledged',
  'rejected',
  'pending',
  'held',
  'inProgress',
  'cancelled',
  'completed',
  'failed',
  'partial',
  'assessingCancellation',
  'pendingCancellation',
] as const;

/** TMF641 v4.1 TaskStateType, the states of a cancel task; v4.0 systems also say acknowledged. */
export const CANCEL_TASK_STATES = ['acknowledged', 'accepted', 'terminatedWithError', 'inProgress', 'done'] as const;

/** States in which the order is still being cancelled: no sign that the cancellation was refused. */
export const CANCELLATION_STATES = new Set(['assessingCancellation', 'pendingCancellation', 'cancelled']);

/** completed → FULFILLED; failed, rejected, partial → ERROR; cancelled → CANCELED; anything else → PENDING. */
export function serviceOrderFulfillmentState(state: string): FulfillmentState {
  if (state === 'completed') return FulfillmentState.FULFILLED;
  if (state === 'failed' || state === 'rejected' || state === 'partial') return FulfillmentState.ERROR;
  if (state === 'cancelled') return FulfillmentState.CANCELED;
  return FulfillmentState.PENDING;
}

function error(e: Json): ReportedError | null {
  const value: ReportedError = {
    code: text(e.code, 200),
    reason: text(e.reason, 500),
    message: text(e.message),
    status: text(e.status, 100),
  };
  return value.code || value.reason || value.message ? value : null;
}

/** Every item, nested ones too, parents first. Iterative: an external system decides how deep it nests. */
function walkItems(items: unknown): Json[] {
  const out: Json[] = [];
  const stack = [...list(items)].reverse();
  while (stack.length > 0) {
    const item = stack.pop()!;
    out.push(item);
    stack.push(...[...list(item.serviceOrderItem)].reverse());
  }
  return out;
}

/**
 * A TMF641 ServiceOrder (whole or partial) as a report: the order's state, each item's state by item id
 * (our domain order number), its errorMessage (order-level ones name their items through item refs,
 * item-level ones their own item), milestones and jeopardy alerts with the items they name.
 */
export function readServiceOrder(order: Json): ResourceReport {
  const report = emptyReport();
  report.resourceId = text(order.id, 200);
  report.correlationId = text(order.externalId, 200);
  report.state = canonicalState(order.state, SERVICE_ORDER_STATES);
  for (const item of walkItems(order.serviceOrderItem)) {
    const id = text(item.id, 200);
    const state = canonicalState(item.state, SERVICE_ORDER_STATES);
    if (id && state) report.partStates.push({ recordNumber: id, state });
    for (const e of list(item.errorMessage)) {
      const value = error(e);
      if (value && id) report.errors.push({ value, recordNumbers: [id] });
    }
  }
  for (const e of list(order.errorMessage)) {
    const value = error(e);
    if (value) report.errors.push({ value, recordNumbers: itemRefs(e.serviceOrderItem) });
  }
  report.milestones = list(order.milestone).flatMap((m): Reported<ResourceReport['milestones'][number]['value']>[] => {
    const name = text(m.name, 200);
    if (!name) return [];
    const value = {
      id: text(m.id, 200),
      name,
      description: text(m.description),
      message: text(m.message),
      status: text(m.status, 100),
      milestoneDate: text(m.milestoneDate, 100),
    };
    return [{ value, recordNumbers: itemRefs(m.serviceOrderItem) }];
  });
  report.jeopardyAlerts = list(order.jeopardyAlert).flatMap((j) => {
    const name = text(j.name, 200) ?? text(j.jeopardyType, 200);
    if (!name) return [];
    const value = {
      id: text(j.id, 200),
      name,
      jeopardyType: text(j.jeopardyType, 100),
      exception: text(j.exception),
      message: text(j.message),
      alertDate: text(j.alertDate, 100),
    };
    return [{ value, recordNumbers: itemRefs(j.serviceOrderItem) }];
  });
  return report;
}

/** A TMF641 CancelServiceOrder task, as far as the gateway follows it. */
export interface CancelTaskReport {
  taskId?: string;
  state?: string;
  /** What the task's state means for the cancellation (undefined: a state the gateway does not know). */
  cancellationState?: CancellationState;
  /** The external id of the order it cancels. */
  serviceOrderId?: string;
  errors: ReportedError[];
}

export function readCancelServiceOrder(task: Json): CancelTaskReport {
  const state = canonicalState(task.state, CANCEL_TASK_STATES);
  return {
    taskId: text(task.id, 200),
    state,
    cancellationState: cancellationStateOf(state),
    serviceOrderId: isObject(task.serviceOrder) ? text(task.serviceOrder.id, 200) : undefined,
    errors: list(task.errorMessage)
      .map(error)
      .filter((e): e is ReportedError => e !== null),
  };
}

/** acknowledged/accepted → ACKNOWLEDGED, inProgress → IN_PROGRESS, done → DONE, terminatedWithError → TERMINATED_WITH_ERROR. */
export function cancellationStateOf(taskState: string | undefined): CancellationState | undefined {
  switch (taskState) {
    case 'acknowledged':
    case 'accepted':
      return CancellationState.ACKNOWLEDGED;
    case 'inProgress':
      return CancellationState.IN_PROGRESS;
    case 'done':
      return CancellationState.DONE;
    case 'terminatedWithError':
      return CancellationState.TERMINATED_WITH_ERROR;
    default:
      return undefined;
  }
}

/** What each TMF641 v4.1 listener event is about (its path: /listener/{name}). */
export const SERVICE_ORDER_EVENTS = {
  serviceOrderCreateEvent: 'resource',
  serviceOrderAttributeValueChangeEvent: 'resource',
  serviceOrderStateChangeEvent: 'resource',
  serviceOrderDeleteEvent: 'deleted',
  serviceOrderInformationRequiredEvent: 'informationRequired',
  serviceOrderMilestoneEvent: 'resource',
  serviceOrderJeopardyEvent: 'resource',
  cancelServiceOrderCreateEvent: 'cancelTask',
  cancelServiceOrderStateChangeEvent: 'cancelTask',
  cancelServiceOrderInformationRequiredEvent: 'cancelInformationRequired',
} as const;
