import type DataLoader from 'dataloader';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import { NotFoundError } from '../common/domain.errors';
import { isUuid } from '../common/input-checks';
import type { RequestContext } from '../context/request-context';
import type { RecordKind } from './record-kind';

/** Records of a kind by id (null where missing), batched per request. */
export function recordLoader<R extends FulfillmentRecord>(ctx: RequestContext, kind: RecordKind<R>): DataLoader<string, R | null> {
  return ctx.loaders.byId(kind.key, kind.entity);
}

/** The children of each record, oldest first. */
export function childrenLoader<R extends FulfillmentRecord>(ctx: RequestContext, kind: RecordKind<R>): DataLoader<string, R[]> {
  return ctx.loaders.childrenOf(`${kind.key}Children`, kind.entity);
}

/** A record of the kind, or NOT_FOUND naming the argument it came in. */
export async function requireRecord<R extends FulfillmentRecord>(
  ctx: RequestContext,
  kind: RecordKind<R>,
  id: string,
  field: string,
): Promise<R> {
  const record = isUuid(id) ? await recordLoader(ctx, kind).load(id) : null;
  if (!record) throw new NotFoundError(kind.label, id, field);
  return record;
}
