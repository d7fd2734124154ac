import { DecisionSubject, FulfillmentState } from '../../entities/enums';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import type { EntityManager } from 'typeorm';
import type { EventBus } from './event-bus';
import { fulfillmentEnvelope, outboundRequestEnvelope, type EventEnvelope, type OutboundRequestChangedEvent } from './fulfillment.events';

export interface FulfillmentChange {
  record: Pick<FulfillmentRecord, 'id' | 'number' | 'fulfillmentState' | 'externalState'>;
  previousState: FulfillmentState | null;
  request?: Pick<OutboundRequestEntity, 'id' | 'requestId'> | null;
}

/** One event per changed record; `record` carries the new state, `previousState` the old one. */
export function fulfillmentEnvelopes(subject: DecisionSubject, changes: FulfillmentChange[]): EventEnvelope[] {
  const occurredAt = new Date().toISOString();
  return changes.map(({ record, previousState, request }) =>
    fulfillmentEnvelope({
      subject,
      subjectId: record.id,
      number: record.number,
      requestId: request?.requestId ?? null,
      previousState,
      state: record.fulfillmentState,
      externalState: record.externalState,
      outboundRequestId: request?.id ?? null,
      occurredAt,
    }),
  );
}

export function outboundSnapshot(
  r: Pick<OutboundRequestEntity, 'id' | 'externalSystemId' | 'requestId' | 'operation' | 'state' | 'attempts' | 'nextAttemptAt'>,
): OutboundRequestChangedEvent {
  return {
    id: r.id,
    externalSystemId: r.externalSystemId,
    requestId: r.requestId,
    operation: r.operation,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt ? r.nextAttemptAt.toISOString() : null,
    occurredAt: new Date().toISOString(),
  };
}

/** What publishing needs of a request context: the manager of its transaction. */
export interface TransactionScope {
  readonly manager: EntityManager;
}

/** Publishes state changes in the caller's transaction (delivered on commit, see EventBus). */
export class FulfillmentEventPublisher {
  constructor(private readonly bus: EventBus) {}

  /** Where the dispatcher's database functions publish the events of claims and deliveries. */
  get channel(): string {
    return this.bus.channel;
  }

  publish(ctx: TransactionScope, envelopes: EventEnvelope[]): Promise<void> {
    return this.bus.publish(ctx.manager, envelopes);
  }

  fulfillmentStatesChanged(ctx: TransactionScope, subject: DecisionSubject, changes: FulfillmentChange[]): Promise<void> {
    return this.publish(ctx, fulfillmentEnvelopes(subject, changes));
  }

  outboundRequestsChanged(ctx: TransactionScope, requests: OutboundRequestEntity[]): Promise<void> {
    return this.publish(
      ctx,
      requests.map((r) => outboundRequestEnvelope(outboundSnapshot(r))),
    );
  }
}
