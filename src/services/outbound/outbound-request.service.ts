import { FalloutEntity } from '../../entities/fallout.entity';
import { FalloutStatus, OutboundOperation, OutboundRequestState } from '../../entities/enums';
import { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { NotFoundError } from '../common/domain.errors';
import { isUuid } from '../common/input-checks';
import { paginate, type Page } from '../common/pagination';
import type { RequestContext } from '../common/request-context';

export interface OutboundRequestFilterValues {
  state?: OutboundRequestState | null;
  requestId?: string | null;
  externalSystemId?: string | null;
  operation?: OutboundOperation | null;
}

/** Reads of the outbound request table and the fallout list. */
export class OutboundRequestService {
  async get(ctx: RequestContext, id: string): Promise<OutboundRequestEntity | null> {
    return isUuid(id) ? ctx.loaders.outboundRequest.load(id) : null;
  }

  async require(ctx: RequestContext, id: string): Promise<OutboundRequestEntity> {
    const request = await this.get(ctx, id);
    if (!request) throw new NotFoundError('Outbound request', id, 'id');
    return request;
  }

  list(
    ctx: RequestContext,
    first?: number | null,
    after?: string | null,
    filter?: OutboundRequestFilterValues | null,
  ): Promise<Page<OutboundRequestEntity>> {
    const qb = ctx.manager.createQueryBuilder(OutboundRequestEntity, 'r');
    if (filter?.state) qb.andWhere('r.state = :state', { state: filter.state });
    if (filter?.requestId) qb.andWhere('r.request_id = :requestId', { requestId: filter.requestId });
    if (filter?.operation) qb.andWhere('r.operation = :operation', { operation: filter.operation });
    if (filter?.externalSystemId) {
      if (!isUuid(filter.externalSystemId)) throw new NotFoundError('External system', filter.externalSystemId, 'filter.externalSystemId');
      qb.andWhere('r.external_system_id = :sid', { sid: filter.externalSystemId });
    }
    return paginate(qb, first, after);
  }

  fallouts(ctx: RequestContext, first?: number | null, after?: string | null, status?: FalloutStatus | null): Promise<Page<FalloutEntity>> {
    const qb = ctx.manager.createQueryBuilder(FalloutEntity, 'f');
    if (status) qb.andWhere('f.status = :status', { status });
    return paginate(qb, first, after);
  }
}
