import { randomUUID } from 'node:crypto';
import type { EventFaults } from './fault-injection';
import { cancelOpenItems } from './service-order.progress';
import type { CancelServiceOrder, Json, ServiceOrder } from './tmf-resources';

export type CancelOutcome = 'accept' | 'deny' | 'info';

/** A running cancel task and what the scenario decided for it. */
export interface Cancellation {
  task: CancelServiceOrder;
  faults: EventFaults;
  outcome: CancelOutcome;
  /** The state the order returns to when the cancellation is denied. */
  previousState?: string;
  informationAsked?: boolean;
  /** The task asked for information and waits for the PATCH of the order that answers it. */
  awaitingInformation?: boolean;
}

/** What one step of a cancellation changed, so that the store reports exactly that. */
export interface CancellationStep {
  orderChanged: boolean;
  taskChanged: boolean;
  informationRequired: boolean;
  /** The task reached done or terminatedWithError. */
  finished: boolean;
}

/**
 * What a `cancel=info` task asks for. The gateway sends a reason but no date, and a real system that has
 * started work wants to know when to stop it.
 */
export const CANCEL_INFORMATION_FIELD = 'requestedCancellationDate';

/**
 * A new cancel task for `order`. TMF641 v4.1's TaskStateType has no `acknowledged`: a task starts
 * `accepted`. A refused request is created directly in `terminatedWithError`, with the reason.
 */
export function newCancelTask(body: Json, order: ServiceOrder, baseUrl: string, refusal: string | undefined): CancelServiceOrder {
  const { id: _id, href: _href, state: _state, ...request } = body;
  const id = randomUUID();
  const task = {
    id,
    href: `${baseUrl}/cancelServiceOrder/${id}`,
    ...structuredClone(request),
    serviceOrder: { ...(body.serviceOrder as Json), id: order.id, href: order.href, '@referredType': 'ServiceOrder' },
    state: 'accepted',
  } as CancelServiceOrder;
  task['@type'] ??= 'CancelServiceOrder';
  if (refusal) {
    task.state = 'terminatedWithError';
    task.completionMessage = refusal;
    task.errorMessage = {
      code: 'CANCELLATION_REFUSED',
      reason: 'Order cannot be cancelled',
      message: refusal,
      status: 'terminatedWithError',
    };
  }
  return task;
}

/**
 * One step: the task goes accepted → inProgress (order assessingCancellation), then the order goes
 * pendingCancellation → cancelled while the task ends done. A denied task ends terminatedWithError and
 * the order returns to where it was; an `info` task first asks for information and waits.
 */
export function stepCancellation(order: ServiceOrder, c: Cancellation, now: string): CancellationStep {
  const step: CancellationStep = { orderChanged: true, taskChanged: false, informationRequired: false, finished: false };
  const { task } = c;
  if (task.state === 'accepted') {
    c.previousState = order.state;
    order.state = 'assessingCancellation';
    task.state = 'inProgress';
    return { ...step, taskChanged: true };
  }
  if (order.state === 'assessingCancellation' && c.outcome === 'deny') {
    order.state = c.previousState ?? 'acknowledged';
    const message = `Cancellation of service order ${order.id} was denied`;
    task.state = 'terminatedWithError';
    task.completionMessage = message;
    task.errorMessage = { code: 'CANCELLATION_DENIED', reason: 'Cancellation denied', message, status: 'terminatedWithError' };
    return { ...step, taskChanged: true, finished: true };
  }
  if (order.state === 'assessingCancellation' && c.outcome === 'info' && !c.informationAsked) {
    c.informationAsked = true;
    c.awaitingInformation = true;
    return { ...step, orderChanged: false, informationRequired: true };
  }
  if (order.state === 'assessingCancellation') {
    order.state = 'pendingCancellation';
    return step;
  }
  cancelOpenItems(order);
  Object.assign(order, { state: 'cancelled', cancellationDate: now, completionDate: now });
  if (task.cancellationReason !== undefined) order.cancellationReason = task.cancellationReason;
  Object.assign(task, { state: 'done', effectiveCancellationDate: now, completionMessage: `Service order ${order.id} is cancelled` });
  return { ...step, taskChanged: true, finished: true };
}
