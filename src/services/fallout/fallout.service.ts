import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import type { ErrorCategory } from '../../entities/enums';
import { FalloutEntity } from '../../entities/fallout.entity';
import { FalloutSource, FalloutStatus } from '../../entities/enums';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { ConflictError, NotFoundError } from '../common/domain.errors';
import { isUuid, requireText } from '../common/input-checks';
import { paginate, type Page, type PageRequest } from '../common/pagination';
import type { RequestContext } from '../context/request-context';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import { quietTelemetry, type Telemetry } from '../metrics/telemetry';
import { assertMayHandle } from '../records/record-access';
import type { RecordKind } from '../records/record-kind';

export interface NewFallout {
  /** The request it is about: the failed one, or for an inbound fallout the record's delivered CREATE. */
  request: Pick<OutboundRequestEntity, 'id'>;
  kind: RecordKind;
  recordIds: string[];
  category: ErrorCategory;
  message: string;
  source?: FalloutSource;
  inboundMessageId?: string | null;
}

/** Fallout: failures that need a person, opened by the outbox and by inbound messages, resolved by people. */
export class FalloutService {
  constructor(
    private readonly publisher: FulfillmentEventPublisher,
    private readonly telemetry: Telemetry = quietTelemetry(),
  ) {}

  /** Opens a fallout, linked to the records it concerns, in the caller's transaction (falloutChanged on commit). */
  async open(ctx: RequestContext, f: NewFallout): Promise<FalloutEntity> {
    const fallout = ctx.manager.create(FalloutEntity, {
      id: randomUUID(),
      outboundRequestId: f.request.id,
      category: f.category,
      message: f.message.slice(0, 4000),
      status: FalloutStatus.OPEN,
      source: f.source ?? FalloutSource.OUTBOUND,
      inboundMessageId: f.inboundMessageId ?? null,
    });
    await ctx.manager.insert(FalloutEntity, fallout);
    const ids = [...new Set(f.recordIds)];
    if (ids.length > 0) {
      await ctx.manager.insert(
        f.kind.falloutLink.entity,
        ids.map((id) => ({ falloutId: fallout.id, [f.kind.falloutLink.property]: id })),
      );
    }
    await this.publisher.falloutsChanged(ctx, [fallout]);
    ctx.onCommit(() => {
      this.telemetry.metrics.falloutsOpened.inc({ category: fallout.category, source: fallout.source });
      this.telemetry.logger.warn(
        {
          fallout: fallout.id,
          outboundRequestId: fallout.outboundRequestId,
          inboundMessage: fallout.inboundMessageId ?? undefined,
          category: fallout.category,
          message: fallout.message,
        },
        'fallout opened',
      );
    });
    return fallout;
  }

  list(ctx: RequestContext, page: PageRequest, status?: FalloutStatus | null): Promise<Page<FalloutEntity>> {
    const qb = ctx.manager.createQueryBuilder(FalloutEntity, 'f');
    if (status) qb.andWhere('f.status = :status', { status });
    return paginate(ctx.loaders, qb, page);
  }

  async resolve(ctx: RequestContext, id: string, resolution: string): Promise<FalloutEntity> {
    const text = requireText(resolution, 'resolution', 2000);
    const fallout = isUuid(id) ? await ctx.manager.findOne(FalloutEntity, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!fallout) throw new NotFoundError('Fallout', id, 'id');
    const request = await ctx.loaders.outboundRequest.load(fallout.outboundRequestId);
    assertMayHandle(ctx, request!);
    if (fallout.status === FalloutStatus.RESOLVED) throw new ConflictError(`This fallout was already resolved: ${fallout.resolution}`);
    Object.assign(fallout, { status: FalloutStatus.RESOLVED, resolution: text, resolvedAt: new Date(), resolvedBy: ctx.user?.id ?? null });
    const saved = await ctx.manager.save(FalloutEntity, fallout);
    await this.publisher.falloutsChanged(ctx, [saved]);
    return saved;
  }

  /** Resolves the open fallouts of a category that concern any of the records (what made them needed has gone). */
  async resolveFor(ctx: RequestContext, kind: RecordKind, recordIds: string[], category: ErrorCategory, resolution: string): Promise<void> {
    if (recordIds.length === 0) return;
    const links = await ctx.manager.find(kind.falloutLink.entity, { where: { [kind.falloutLink.property]: In(recordIds) } });
    const ids = [...new Set(links.map((l) => (l as { falloutId: string }).falloutId))];
    if (ids.length === 0) return;
    const open = await ctx.manager.find(FalloutEntity, {
      where: { id: In(ids), category, status: FalloutStatus.OPEN },
      lock: { mode: 'pessimistic_write' },
    });
    if (open.length === 0) return;
    const resolvedAt = new Date();
    for (const f of open) Object.assign(f, { status: FalloutStatus.RESOLVED, resolution, resolvedAt, resolvedBy: 'southgate' });
    await ctx.manager.save(FalloutEntity, open);
    await this.publisher.falloutsChanged(ctx, open);
  }
}
