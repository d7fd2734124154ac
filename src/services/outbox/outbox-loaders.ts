import type DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { groupEach } from '../context/loaders';
import type { RequestContext } from '../context/request-context';
import { linkedRecordId, type RecordKind } from '../records/record-kind';
import { recordLoader } from '../records/record-loaders';

/** Outbound requests that carry each record of the kind, oldest first. */
export function requestsOfRecordLoader(ctx: RequestContext, kind: RecordKind): DataLoader<string, OutboundRequestEntity[]> {
  return ctx.loaders.loader(`outboundRequestsOf:${kind.key}`, async (ids, m) => {
    const links = await m.find(kind.link.entity, { where: { [kind.link.property]: In([...ids]) } });
    const requests = await ctx.loaders.outboundRequest.loadMany([...new Set(links.map((l) => l.outboundRequestId))]);
    const byId = new Map(requests.filter((r): r is OutboundRequestEntity => !!r && !(r instanceof Error)).map((r) => [r.id, r]));
    return groupEach(links, ids, (l) => linkedRecordId(kind, l)).map((ls) =>
      ls
        .map((l) => byId.get(l.outboundRequestId))
        .filter((r): r is OutboundRequestEntity => !!r)
        .sort((a, b) => a.seq - b.seq),
    );
  });
}

/** The records of the kind each outbound request carries, in payload order. */
export function recordsOfRequestLoader<R extends FulfillmentRecord>(ctx: RequestContext, kind: RecordKind<R>): DataLoader<string, R[]> {
  return ctx.loaders.loader(`${kind.key}sOfRequest`, async (ids, m) => {
    const links = await m.find(kind.link.entity, { where: { outboundRequestId: In([...ids]) }, order: { position: 'ASC' } });
    const records = await recordLoader(ctx, kind).loadMany(links.map((l) => linkedRecordId(kind, l)));
    const byId = new Map(links.map((l, i) => [linkedRecordId(kind, l), records[i] as R]));
    return groupEach(links, ids, (l) => l.outboundRequestId).map((ls) => ls.map((l) => byId.get(linkedRecordId(kind, l))!));
  });
}
