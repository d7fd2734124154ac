import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import type { PropertySelection } from '../common/entity-rows';
import type { RequestContext } from '../context/request-context';
import { viaLink, type KeyLoader } from '../context/table-rows';
import type { RecordKind } from '../records/record-kind';

/** Outbound requests that carry each record of the kind, oldest first (partial with a selection: see ColumnSet). */
export function requestsOfRecordLoader(
  ctx: RequestContext,
  kind: RecordKind,
  selection?: PropertySelection | null,
): KeyLoader<OutboundRequestEntity[]> {
  return ctx.loaders.rows(OutboundRequestEntity, viaLink(kind.link.entity, kind.link.property, 'outboundRequestId'), selection);
}

/** The records of the kind each outbound request carries, in payload order (partial with a selection). */
export function recordsOfRequestLoader<R extends FulfillmentRecord>(
  ctx: RequestContext,
  kind: RecordKind<R>,
  selection?: PropertySelection | null,
): KeyLoader<R[]> {
  return ctx.loaders.rows(kind.entity, viaLink(kind.link.entity, 'outboundRequestId', kind.link.property, 'position'), selection);
}
