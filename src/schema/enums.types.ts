import { registerEnumType } from 'type-graphql';
import {
  ConditionOperator,
  DecisionSubject,
  DomainOrderState,
  ErrorCategory,
  FalloutStatus,
  FulfillmentState,
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
registerEnumType(ErrorCategory, { name: 'ErrorCategory' });
registerEnumType(FalloutStatus, { name: 'FalloutStatus' });

export {
  ConditionOperator,
  DecisionSubject,
  DomainOrderState,
  ErrorCategory,
  FalloutStatus,
  FulfillmentState,
  OrderItemAction,
  OutboundAuthType,
  OutboundOperation,
  OutboundRequestState,
  TestMode,
  TmfApi,
};
