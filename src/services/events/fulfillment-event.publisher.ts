import { DecisionSubject, FulfillmentState } from '../../entities/enums';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import type { FalloutEntity } from '../../entities/fallout.entity';
import type { InboundMessageEntity } from '../../entities/inbound-message.entity';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import type { EntityManager } from 'typeorm';
import type { EventBus } from './event-bus';
import type { PublishScope } from './event-broker';
import {
  TOPICS,
  fulfillmentEnvelope,
  outboundRequestEnvelope,
  type EventEnvelope,
  type OutboundRequestChangedEvent,
} from './fulfillment.events';

export interface FulfillmentChange {
  record: Pick<FulfillmentRecord, 'id' | 'number' | 'fulfillmentState' | 'externalState'>;
  previousState: FulfillmentState | null;
  request?: Pick<OutboundRequestEntity, 'id' | 'requestId'> | null;
  /** The inbound message that caused the change, if one did. */
  inboundMessageId?: string | null;
}

/** One event per changed record; `record` carries the new state, `previousState` the old one. */
export function fulfillmentEnvelopes(subject: DecisionSubject, changes: FulfillmentChange[]): EventEnvelope[] {
  const occurredAt = new Date().toISOString();
  return changes.map(({ record, previousState, request, inboundMessageId }) =>
    fulfillmentEnvelope({
      subject,
      subjectId: record.id,
      number: record.number,
      requestId: request?.requestId ?? null,
      previousState,
      state: record.fulfillmentState,
      externalState: record.externalState,
      outboundRequestId: request?.id ?? null,
      ...(inboundMessageId ? { inboundMessageId } : {}),
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

/** What publishing needs of a request context: the manager of its transaction, its commit-time gathering and after-commit hook. */
export interface TransactionScope extends PublishScope {
  gatherUntilCommit?<T>(key: string, flush: (manager: EntityManager, items: T[]) => Promise<void>): T[] | null;
}

/** Publishes state changes in the caller's transaction (delivered on commit, see EventBus). */
export class FulfillmentEventPublisher {
  constructor(private readonly bus: EventBus) {}

  /** Where the dispatcher's database functions publish the events of claims and deliveries. */
  get channel(): string {
    return this.bus.channel;
  }

  /** In a transaction the events are gathered and published by its last statement, in order: one NOTIFY round trip per commit. */
  publish(ctx: TransactionScope, envelopes: EventEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return Promise.resolve();
    const onCommit = ctx.onCommit?.bind(ctx);
    const pending = ctx.gatherUntilCommit?.<EventEnvelope>('events', (manager, all) => this.bus.publish({ manager, onCommit }, all));
    if (!pending) return this.bus.publish({ manager: ctx.manager, onCommit }, envelopes);
    pending.push(...envelopes);
    return Promise.resolve();
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

  falloutsChanged(ctx: TransactionScope, fallouts: Pick<FalloutEntity, 'id' | 'status' | 'category' | 'source'>[]): Promise<void> {
    const occurredAt = new Date().toISOString();
    return this.publish(
      ctx,
      fallouts.map((f) => ({
        topic: TOPICS.FALLOUT_CHANGED,
        payload: { id: f.id, status: f.status, category: f.category, source: f.source, occurredAt },
      })),
    );
  }

  inboundMessageReceived(
    ctx: TransactionScope,
    m: Pick<InboundMessageEntity, 'id' | 'externalSystemId' | 'channel' | 'outcome'>,
  ): Promise<void> {
    const payload = {
      id: m.id,
      externalSystemId: m.externalSystemId,
      channel: m.channel,
      outcome: m.outcome,
      occurredAt: new Date().toISOString(),
    };
    return this.publish(ctx, [{ topic: TOPICS.INBOUND_MESSAGE_RECEIVED, payload }]);
  }
}
