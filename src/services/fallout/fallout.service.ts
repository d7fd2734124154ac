import { randomUUID } from 'node:crypto';
import type { ErrorCategory } from '../../entities/enums';
import { FalloutEntity } from '../../entities/fallout.entity';
import { FalloutStatus } from '../../entities/enums';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { ConflictError, NotFoundError } from '../common/domain.errors';
import { isUuid, requireText } from '../common/input-checks';
import { paginate, type Page } from '../common/pagination';
import type { RequestContext } from '../context/request-context';
import { assertMayHandle } from '../records/record-access';

/** Fallout: failures that need a person, opened by the outbox and resolved by operators. */
export class FalloutService {
  /** Opens a fallout about an outbound request, in the caller's transaction. */
  async open(ctx: RequestContext, request: Pick<OutboundRequestEntity, 'id'>, category: ErrorCategory, message: string): Promise<void> {
    await ctx.manager.insert(FalloutEntity, { id: randomUUID(), outboundRequestId: request.id, category, message });
  }

  list(ctx: RequestContext, first?: number | null, after?: string | null, status?: FalloutStatus | null): Promise<Page<FalloutEntity>> {
    const qb = ctx.manager.createQueryBuilder(FalloutEntity, 'f');
    if (status) qb.andWhere('f.status = :status', { status });
    return paginate(qb, first, after);
  }

  async resolve(ctx: RequestContext, id: string, resolution: string): Promise<FalloutEntity> {
    const text = requireText(resolution, 'resolution', 2000);
    const fallout = isUuid(id) ? await ctx.manager.findOne(FalloutEntity, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!fallout) throw new NotFoundError('Fallout', id, 'id');
    const request = await ctx.loaders.outboundRequest.load(fallout.outboundRequestId);
    assertMayHandle(ctx, request!);
    if (fallout.status === FalloutStatus.RESOLVED) throw new ConflictError(`This fallout was already resolved: ${fallout.resolution}`);
    Object.assign(fallout, { status: FalloutStatus.RESOLVED, resolution: text, resolvedAt: new Date(), resolvedBy: ctx.user?.id ?? null });
    return ctx.manager.save(FalloutEntity, fallout);
  }
}
