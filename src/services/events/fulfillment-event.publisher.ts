import { DecisionSubject, FulfillmentState } from '../../entities/enums';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import type { RequestContext } from '../common/request-context';
import type { EventBus } from './event-bus';
import { fulfillmentEnvelope, outboundRequestEnvelope } from './fulfillment.events';

/** Publishes state changes in the caller's transaction (delivered on commit, see EventBus). */
export class FulfillmentEventPublisher {
  constructor(private readonly bus: EventBus) {}

  /** One event per changed record; `record` carries the new state, `previousState` the old one. */
  async fulfillmentStatesChanged(ctx: RequestContext, subject: DecisionSubject, changes: FulfillmentChange[]): Promise<void> {
    const occurredAt = new Date().toISOString();
    await this.bus.publish(
      ctx.manager,
      changes.map(({ record, previousState, request }) =>
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
      ),
    );
  }

  async outboundRequestsChanged(ctx: RequestContext, requests: OutboundRequestEntity[]): Promise<void> {
    await this.bus.publish(
      ctx.manager,
      requests.map((request) => outboundRequestEnvelope({
        id: request.id,
        externalSystemId: request.externalSystemId,
        requestId: request.requestId,
        operation: request.operation,
        state: request.state,
        attempts: request.attempts,
        nextAttemptAt: request.nextAttemptAt ? request.nextAttemptAt.toISOString() : null,
        occurredAt: new Date().toISOString(),
      })),
    );
  }
}

export interface FulfillmentChange {
  record: FulfillmentRecord;
  previousState: FulfillmentState | null;
  request?: Pick<OutboundRequestEntity, 'id' | 'requestId'> | null;
}
