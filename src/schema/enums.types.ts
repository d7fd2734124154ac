import { registerEnumType } from 'type-graphql';
import {
  CancellationState,
  ConditionOperator,
  DecisionSubject,
  DomainOrderState,
  ErrorCategory,
  FalloutSource,
  FalloutStatus,
  FulfillmentState,
  InboundChannel,
  InboundOutcome,
  OrderItemAction,
  OutboundAuthType,
  OutboundOperation,
  OutboundRequestState,
  TestMode,
  TmfApi,
} from '../entities/enums';

registerEnumType(TmfApi, { name: 'TmfApi' });
registerEnumType(OutboundAuthType, { name: 'OutboundAuthType' });
registerEnumType(DecisionSubject, { name: 'DecisionSubject' });
registerEnumType(ConditionOperator, { name: 'ConditionOperator' });
registerEnumType(FulfillmentState, {
  name: 'FulfillmentState',
  description: "The 'external fulfillment state' of a domain order or test run.",
});
registerEnumType(OrderItemAction, { name: 'OrderItemAction' });
registerEnumType(DomainOrderState, { name: 'DomainOrderState' });
registerEnumType(TestMode, { name: 'TestMode' });
registerEnumType(OutboundOperation, {
  name: 'OutboundOperation',
  valuesConfig: {
    CREATE: { description: 'POST serviceOrder / serviceTest' },
    REVISE: { description: 'PATCH serviceOrder/{id} / serviceTest/{id}: an in-flight change' },
    CANCEL: { description: 'POST cancelServiceOrder (TMF641) / PATCH state cancelled (TMF653)' },
  },
});
registerEnumType(OutboundRequestState, {
  name: 'OutboundRequestState',
  valuesConfig: {
    QUEUED: { description: 'Recorded, waiting to be sent (or waiting for an earlier request of the same record).' },
    RETRY_SCHEDULED: { description: 'The last attempt failed transiently; nextAttemptAt says when the next one is.' },
    DELIVERED: { description: 'The external system accepted it (2xx).' },
    ERROR: { description: 'Rejected by the external system, or attempts exhausted; see error.' },
    DISCARDED: { description: 'Set aside by an operator; never sent again.' },
  },
});
registerEnumType(ErrorCategory, {
  name: 'ErrorCategory',
  valuesConfig: {
    EXTERNAL_FAILURE: { description: 'The external system reported the order or test failed, rejected or partial.' },
    INFORMATION_REQUIRED: { description: 'The external system waits for information (InformationRequired event).' },
    JEOPARDY: { description: 'The external system raised a jeopardy alert.' },
    CANCELLATION_REFUSED: { description: 'The external system refused or failed a cancellation.' },
  },
});
registerEnumType(FalloutStatus, { name: 'FalloutStatus' });
registerEnumType(FalloutSource, {
  name: 'FalloutSource',
  valuesConfig: {
    OUTBOUND: { description: 'An outbound request ended in ERROR.' },
    INBOUND: { description: 'An inbound message needs a person.' },
  },
});
registerEnumType(InboundChannel, {
  name: 'InboundChannel',
  valuesConfig: {
    EVENT: { description: 'A TMF event posted to /callbacks/{externalSystemId}/listener/{eventName}.' },
    STATUS_CALL: { description: 'A compact status call: POST .../serviceOrder/outboundresponse or PATCH .../serviceTest/{id}.' },
    POLL: { description: 'The resource as Southgate fetched it from the external system (polling or refreshExternalState).' },
  },
});
registerEnumType(InboundOutcome, {
  name: 'InboundOutcome',
  valuesConfig: {
    APPLIED: { description: 'Applied to the records it names, in one transaction.' },
    DUPLICATE: { description: 'Its eventId was seen before for this system: acknowledged, nothing changed.' },
    STALE: { description: 'Older (eventTime) than what the records already show, or after a final state: acknowledged, nothing changed.' },
    REJECTED: { description: 'Refused with an error answer; nothing changed. reason says why.' },
  },
});
registerEnumType(CancellationState, {
  name: 'CancellationState',
  valuesConfig: {
    REQUESTED: { description: 'Queued or being sent; the external system has not answered yet.' },
    ACKNOWLEDGED: { description: "TMF641 cancel task states (TMF653: the test's own state)." },
  },
});

export {
  CancellationState,
  ConditionOperator,
  DecisionSubject,
  DomainOrderState,
  ErrorCategory,
  FalloutSource,
  FalloutStatus,
  FulfillmentState,
  InboundChannel,
  InboundOutcome,
  OrderItemAction,
  OutboundAuthType,
  OutboundOperation,
  OutboundRequestState,
  TestMode,
  TmfApi,
};
