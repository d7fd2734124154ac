import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import { NotFoundError } from '../common/domain.errors';
import { isUuid } from '../common/input-checks';
import type { PropertySelection } from '../common/entity-rows';
import type { RequestContext } from '../context/request-context';
import { byColumn, viaLink, type KeyLoader } from '../context/table-rows';
import type { LinkTable, RecordKind } from './record-kind';

const CHILDREN = byColumn('parentId');

/**
 * Records of a kind by id (null where missing), batched per request. The loaders here take the
 * properties their reader uses, when it names them (a GraphQL selection): the records may then be
 * partial (see ColumnSet).
 */
export function recordLoader<R extends FulfillmentRecord>(
  ctx: RequestContext,
  kind: RecordKind<R>,
  selection?: PropertySelection | null,
): KeyLoader<R | null> {
  return ctx.loaders.byId(kind.entity, selection);
}

/** The children of each record, oldest first. */
export function childrenLoader<R extends FulfillmentRecord>(
  ctx: RequestContext,
  kind: RecordKind<R>,
  selection?: PropertySelection | null,
): KeyLoader<R[]> {
  return ctx.loaders.rows(kind.entity, CHILDREN, selection);
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

/** The records of a kind linked to each owner row through `table` (inbound messages, fallouts), oldest first. */
export function linkedRecordsLoader<R extends FulfillmentRecord>(
  ctx: RequestContext,
  kind: RecordKind<R>,
  table: LinkTable,
  ownerProperty: string,
  selection?: PropertySelection | null,
): KeyLoader<R[]> {
  return ctx.loaders.rows(kind.entity, viaLink(table.entity, ownerProperty, table.property), selection);
}
