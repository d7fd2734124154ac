import type {
  DomainOrderState,
  FalloutStatus,
  FulfillmentState,
  InboundChannel,
  InboundOutcome,
  OutboundOperation,
  OutboundRequestState,
} from './__generated__/graphql';

/** Every value of a schema enum, checked complete against the generated type. */
function all<T extends string>(values: Record<T, true>): T[] {
  return Object.keys(values) as T[];
}

export const FULFILLMENT_STATES = all<FulfillmentState>({
  NOT_REQUESTED: true,
  PENDING: true,
  FULFILLED: true,
  ERROR: true,
  CANCELED: true,
});
export const ORDER_STATES = all<DomainOrderState>({
  DRAFT: true,
  SCHEDULED: true,
  IN_PROGRESS: true,
  ON_HOLD: true,
  CLOSED_COMPLETE: true,
  CANCELLATION_IN_PROGRESS: true,
  CANCELED: true,
});
export const OUTBOUND_STATES = all<OutboundRequestState>({
  QUEUED: true,
  SENDING: true,
  RETRY_SCHEDULED: true,
  DELIVERED: true,
  ERROR: true,
  DISCARDED: true,
});
export const OPERATIONS = all<OutboundOperation>({ CREATE: true, REVISE: true, CANCEL: true });
export const OUTCOMES = all<InboundOutcome>({ APPLIED: true, STALE: true, DUPLICATE: true, REJECTED: true });
export const CHANNELS = all<InboundChannel>({ EVENT: true, STATUS_CALL: true, POLL: true });
export const FALLOUT_STATUSES = all<FalloutStatus>({ OPEN: true, RESOLVED: true });
