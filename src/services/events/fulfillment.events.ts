import type {
  DecisionSubject,
  ErrorCategory,
  FalloutSource,
  FalloutStatus,
  FulfillmentState,
  InboundChannel,
  InboundOutcome,
  OutboundOperation,
  OutboundRequestState,
} from '../../entities/enums';

/** Topics of the one pub/sub module. Payloads are JSON-safe so they travel through NOTIFY unchanged. */
export const TOPICS = {
  FULFILLMENT_STATE_CHANGED: 'fulfillmentStateChanged',
  OUTBOUND_REQUEST_CHANGED: 'outboundRequestChanged',
  FALLOUT_CHANGED: 'falloutChanged',
  INBOUND_MESSAGE_RECEIVED: 'inboundMessageReceived',
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
  /** The inbound message that caused the change; absent when none did. */
  inboundMessageId?: string;
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

/** A fallout opened or resolved. */
export interface FalloutChangedEvent {
  id: string;
  status: FalloutStatus;
  category: ErrorCategory;
  source: FalloutSource;
  occurredAt: string;
}

/** An inbound message as it was recorded. */
export interface InboundMessageReceivedEvent {
  id: string;
  externalSystemId: string;
  channel: InboundChannel;
  outcome: InboundOutcome;
  occurredAt: string;
}

/** What travels between instances: the topic and the event. Routing keys are derived on arrival. */
export type EventEnvelope =
  | { topic: typeof TOPICS.FULFILLMENT_STATE_CHANGED; payload: FulfillmentStateChangedEvent }
  | { topic: typeof TOPICS.OUTBOUND_REQUEST_CHANGED; payload: OutboundRequestChangedEvent }
  | { topic: typeof TOPICS.FALLOUT_CHANGED; payload: FalloutChangedEvent }
  | { topic: typeof TOPICS.INBOUND_MESSAGE_RECEIVED; payload: InboundMessageReceivedEvent };

export const routingKey = (topic: Topic, kind?: string, id?: string) => (kind ? `${topic}:${kind}:${id}` : topic);

/** The keys an event is delivered under: its topic, and one per id that subscriptions filter on. */
export function routingKeys(envelope: EventEnvelope): string[] {
  if (envelope.topic === TOPICS.FULFILLMENT_STATE_CHANGED) {
    const event = envelope.payload;
    const keys = [routingKey(envelope.topic), routingKey(envelope.topic, event.subject, event.subjectId)];
    if (event.requestId) keys.push(routingKey(envelope.topic, 'request', event.requestId));
    return keys;
  }
  if (envelope.topic === TOPICS.OUTBOUND_REQUEST_CHANGED) {
    const event = envelope.payload;
    return [
      routingKey(envelope.topic),
      routingKey(envelope.topic, 'externalSystem', event.externalSystemId),
      routingKey(envelope.topic, 'request', event.requestId),
    ];
  }
  if (envelope.topic === TOPICS.FALLOUT_CHANGED) {
    return [routingKey(envelope.topic), routingKey(envelope.topic, 'status', envelope.payload.status)];
  }
  if (envelope.topic === TOPICS.INBOUND_MESSAGE_RECEIVED) {
    const event = envelope.payload;
    return [routingKey(envelope.topic), routingKey(envelope.topic, 'externalSystem', event.externalSystemId)];
  }
  return [];
}

export function fulfillmentEnvelope(event: FulfillmentStateChangedEvent): EventEnvelope {
  return { topic: TOPICS.FULFILLMENT_STATE_CHANGED, payload: event };
}

export function outboundRequestEnvelope(event: OutboundRequestChangedEvent): EventEnvelope {
  return { topic: TOPICS.OUTBOUND_REQUEST_CHANGED, payload: event };
}
