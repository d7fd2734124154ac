import type { DecisionSubject, FulfillmentState, OutboundOperation, OutboundRequestState } from '../../entities/enums';

/** Topics of the one pub/sub module. Payloads are JSON-safe so they travel through NOTIFY unchanged. */
export const TOPICS = {
  FULFILLMENT_STATE_CHANGED: 'fulfillmentStateChanged',
  OUTBOUND_REQUEST_CHANGED: 'outboundRequestChanged',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export interface FulfillmentStateChangedEvent {
  subject: DecisionSubject;
  subjectId: string;
  number: string;
  requestId: string | null;
  previousState: FulfillmentState | null;
  state: FulfillmentState;
  externalState: string | null;
  outboundRequestId: string | null;
  occurredAt: string;
}

/** A snapshot of the row's small fields at the change; payload and bodies are loaded on demand. */
export interface OutboundRequestChangedEvent {
  id: string;
  externalSystemId: string;
  requestId: string;
  operation: OutboundOperation;
  state: OutboundRequestState;
  attempts: number;
  nextAttemptAt: string | null;
  occurredAt: string;
}

export interface EventEnvelope {
  topic: Topic;
  /** Routing keys: the topic itself plus one per filterable id, so subscribers filter at the topic level. */
  keys: string[];
  payload: FulfillmentStateChangedEvent | OutboundRequestChangedEvent;
}

export const routingKey = (topic: Topic, kind?: string, id?: string) => (kind ? `${topic}:${kind}:${id}` : topic);

export function fulfillmentEnvelope(event: FulfillmentStateChangedEvent): EventEnvelope {
  const topic = TOPICS.FULFILLMENT_STATE_CHANGED;
  const keys = [
    routingKey(topic),
    routingKey(topic, event.subject === 'DOMAIN_ORDER' ? 'domainOrder' : 'testRun', event.subjectId),
  ];
  if (event.requestId) keys.push(routingKey(topic, 'request', event.requestId));
  return { topic, keys, payload: event };
}

export function outboundRequestEnvelope(event: OutboundRequestChangedEvent): EventEnvelope {
  const topic = TOPICS.OUTBOUND_REQUEST_CHANGED;
  return {
    topic,
    keys: [
      routingKey(topic),
      routingKey(topic, 'externalSystem', event.externalSystemId),
      routingKey(topic, 'request', event.requestId),
    ],
    payload: event,
  };
}
