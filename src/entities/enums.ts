/** Domain enums shared by entities, services and the GraphQL schema (registered in src/schema/enums.types.ts). */

export enum TmfApi {
  SERVICE_ORDERING_TMF641 = 'SERVICE_ORDERING_TMF641',
  SERVICE_TEST_TMF653 = 'SERVICE_TEST_TMF653',
}

export enum OutboundAuthType {
  NONE = 'NONE',
  BASIC = 'BASIC',
  BEARER = 'BEARER',
  OAUTH2_CLIENT_CREDENTIALS = 'OAUTH2_CLIENT_CREDENTIALS',
}

export enum DecisionSubject {
  DOMAIN_ORDER = 'DOMAIN_ORDER',
  TEST_RUN = 'TEST_RUN',
}

export enum ConditionOperator {
  EQUALS = 'EQUALS',
  NOT_EQUALS = 'NOT_EQUALS',
  IN = 'IN',
  EXISTS = 'EXISTS',
}

export enum FulfillmentState {
  NOT_REQUESTED = 'NOT_REQUESTED',
  PENDING = 'PENDING',
  FULFILLED = 'FULFILLED',
  ERROR = 'ERROR',
  CANCELED = 'CANCELED',
}

/** Fulfillment states a later event does not leave (ERROR may be followed by a new submission). */
export const FINAL_FULFILLMENT_STATES: readonly FulfillmentState[] = [FulfillmentState.FULFILLED, FulfillmentState.CANCELED];

export enum OrderItemAction {
  ADD = 'ADD',
  MODIFY = 'MODIFY',
  DELETE = 'DELETE',
  NO_CHANGE = 'NO_CHANGE',
}

export enum DomainOrderState {
  DRAFT = 'DRAFT',
  SCHEDULED = 'SCHEDULED',
  IN_PROGRESS = 'IN_PROGRESS',
  ON_HOLD = 'ON_HOLD',
  CLOSED_COMPLETE = 'CLOSED_COMPLETE',
  CANCELLATION_IN_PROGRESS = 'CANCELLATION_IN_PROGRESS',
  CANCELED = 'CANCELED',
}

export enum TestMode {
  ON_DEMAND = 'ON_DEMAND',
  PROACTIVE = 'PROACTIVE',
}

export enum OutboundOperation {
  CREATE = 'CREATE',
  REVISE = 'REVISE',
  CANCEL = 'CANCEL',
}

export enum OutboundRequestState {
  QUEUED = 'QUEUED',
  SENDING = 'SENDING',
  RETRY_SCHEDULED = 'RETRY_SCHEDULED',
  DELIVERED = 'DELIVERED',
  ERROR = 'ERROR',
  DISCARDED = 'DISCARDED',
}

export enum ErrorCategory {
  TIMEOUT = 'TIMEOUT',
  CONNECTION = 'CONNECTION',
  REMOTE_VALIDATION = 'REMOTE_VALIDATION',
  REMOTE_BUSINESS = 'REMOTE_BUSINESS',
  REMOTE_SERVER = 'REMOTE_SERVER',
  AUTHENTICATION = 'AUTHENTICATION',
  CONFIGURATION = 'CONFIGURATION',
  /** The external system reported the order or test failed, rejected or partial. */
  EXTERNAL_FAILURE = 'EXTERNAL_FAILURE',
  /** The external system waits for information. */
  INFORMATION_REQUIRED = 'INFORMATION_REQUIRED',
  /** The external system raised a jeopardy alert. */
  JEOPARDY = 'JEOPARDY',
  /** The external system refused or failed a cancellation. */
  CANCELLATION_REFUSED = 'CANCELLATION_REFUSED',
}

export enum FalloutStatus {
  OPEN = 'OPEN',
  RESOLVED = 'RESOLVED',
}

export enum FalloutSource {
  OUTBOUND = 'OUTBOUND',
  INBOUND = 'INBOUND',
}

export enum InboundChannel {
  EVENT = 'EVENT',
  STATUS_CALL = 'STATUS_CALL',
  POLL = 'POLL',
}

export enum InboundOutcome {
  APPLIED = 'APPLIED',
  DUPLICATE = 'DUPLICATE',
  STALE = 'STALE',
  REJECTED = 'REJECTED',
}

export enum CancellationState {
  REQUESTED = 'REQUESTED',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  IN_PROGRESS = 'IN_PROGRESS',
  DONE = 'DONE',
  TERMINATED_WITH_ERROR = 'TERMINATED_WITH_ERROR',
}
