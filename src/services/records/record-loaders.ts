import type DataLoader from 'dataloader';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import { NotFoundError } from '../common/domain.errors';
import { isUuid } from '../common/input-checks';
import type { RequestContext } from '../context/request-context';
import { In } from 'typeorm';
import { groupEach } from '../context/loaders';
import { recordIdOf, type LinkTable, type RecordKind } from './record-kind';

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

/** The records of a kind linked to each owner row through `table` (inbound messages, fallouts), oldest first. */
export function linkedRecordsLoader<R extends FulfillmentRecord>(
  ctx: RequestContext,
  kind: RecordKind<R>,
  table: LinkTable,
  ownerProperty: string,
): DataLoader<string, R[]> {
  return ctx.loaders.loader(`${kind.key}sVia:${table.table}`, async (ids, m) => {
    const links = await m.find(table.entity, { where: { [ownerProperty]: In([...ids]) } as never });
    const records = await recordLoader(ctx, kind).loadMany(links.map((l) => recordIdOf(table, l)));
    const byId = new Map(records.filter((r): r is R => !!r && !(r instanceof Error)).map((r) => [r.id, r]));
    return groupEach(links, ids, (l) => (l as Record<string, string>)[ownerProperty]).map((ls) =>
      ls
        .map((l) => byId.get(recordIdOf(table, l)))
        .filter((r): r is R => !!r)
        .sort((a, b) => a.seq - b.seq),
    );
  });
}
