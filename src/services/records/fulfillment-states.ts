import type { FulfillmentState } from '../../entities/enums';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { updateEntities } from '../common/entity-rows';
import type { RequestContext } from '../context/request-context';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import type { RecordKind } from './record-kind';

type RequestRef = Pick<OutboundRequestEntity, 'id' | 'requestId'>;

export interface FulfillmentStateChange<R extends FulfillmentRecord> {
  records: R[];
  state: FulfillmentState;
  /** Other columns written with the state (e.g. externalState reset, version bump). */
  also?: Record<string, unknown>;
  /** The outbound request the change is about (or each record's), named in the events. */
  request?: RequestRef | null | ((record: R) => RequestRef | null);
  /** The inbound message that caused the change, named in the events. */
  inboundMessageId?: string | null;
}

/**
 * The one way a record's fulfillment state changes: one UPDATE for all of them, and a
 * fulfillmentStateChanged event (published in the caller's transaction) for each record whose state or
 * external state it changes.
 */
export async function changeFulfillmentStates<R extends FulfillmentRecord>(
  ctx: RequestContext,
  publisher: FulfillmentEventPublisher,
  kind: RecordKind<R>,
  change: FulfillmentStateChange<R>,
): Promise<void> {
  const { records, state, also = {}, request = null, inboundMessageId = null } = change;
  if (records.length === 0) return;
  await updateEntities(
    ctx.manager,
    kind.entity,
    { ...also, fulfillmentState: state },
    records.map((r) => r.id),
  );
  const requestOf = typeof request === 'function' ? request : () => request;
  const externalState = (r: R) => ('externalState' in also ? (also.externalState as string | null) : r.externalState);
  await publisher.fulfillmentStatesChanged(
    ctx,
    kind.subject,
    records
      .filter((r) => r.fulfillmentState !== state || externalState(r) !== r.externalState)
      .map((r) => ({
        record: { id: r.id, number: r.number, fulfillmentState: state, externalState: externalState(r) },
        previousState: r.fulfillmentState,
        request: requestOf(r),
        inboundMessageId,
      })),
  );
}
