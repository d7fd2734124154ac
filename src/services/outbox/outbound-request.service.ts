import { FulfillmentState, OutboundOperation, OutboundRequestState } from '../../entities/enums';
import { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { ConflictError, NotFoundError } from '../common/domain.errors';
import { isUuid, requireText } from '../common/input-checks';
import { paginate, type Page, type PageRequest } from '../common/pagination';
import type { RequestContext } from '../context/request-context';
import { assertMayHandle } from '../records/record-access';
import { coveredRecords } from './outbox';
import type { RequestTransitions } from './request-transitions';

export interface OutboundRequestFilterValues {
  state?: OutboundRequestState | null;
  requestId?: string | null;
  externalSystemId?: string | null;
  operation?: OutboundOperation | null;
}

const DISCARDABLE = [OutboundRequestState.ERROR, OutboundRequestState.QUEUED, OutboundRequestState.RETRY_SCHEDULED];

/** The outbound request table as people see it: lists, and the operators' retry and discard. */
export class OutboundRequestService {
  constructor(
    private readonly transitions: RequestTransitions,
    private readonly wakeDispatcher: () => void,
  ) {}

  async get(ctx: RequestContext, id: string): Promise<OutboundRequestEntity | null> {
    return isUuid(id) ? ctx.loaders.outboundRequest.load(id) : null;
  }

  list(ctx: RequestContext, page: PageRequest, filter?: OutboundRequestFilterValues | null): Promise<Page<OutboundRequestEntity>> {
    const qb = ctx.manager.createQueryBuilder(OutboundRequestEntity, 'r');
    if (filter?.state) qb.andWhere('r.state = :state', { state: filter.state });
    if (filter?.requestId) qb.andWhere('r.request_id = :requestId', { requestId: filter.requestId });
    if (filter?.operation) qb.andWhere('r.operation = :operation', { operation: filter.operation });
    if (filter?.externalSystemId) {
      if (!isUuid(filter.externalSystemId)) throw new NotFoundError('External system', filter.externalSystemId, 'filter.externalSystemId');
      qb.andWhere('r.external_system_id = :sid', { sid: filter.externalSystemId });
    }
    return paginate(ctx.loaders, qb, page);
  }

  /** Re-queues an ERROR request with the same payload and attempts reset. */
  async retry(ctx: RequestContext, id: string): Promise<OutboundRequestEntity> {
    const request = await this.lock(ctx, id);
    if (request.state !== OutboundRequestState.ERROR) {
      throw new ConflictError(`Outbound request ${request.number} is ${request.state}; only a request in ERROR can be retried`);
    }
    if (request.operation === OutboundOperation.CANCEL) {
      throw new ConflictError(
        `Outbound request ${request.number} is a cancellation that ended in ERROR; cancel the record again to share a new cancellation`,
      );
    }
    const records = await coveredRecords(ctx, request);
    if (request.operation === OutboundOperation.CREATE) {
      const moved = records.find((r) => r.fulfillmentState !== FulfillmentState.ERROR);
      if (moved) {
        throw new ConflictError(
          `${moved.number} is ${moved.fulfillmentState} since outbound request ${request.number} failed (submitted again?); retrying would send it twice`,
        );
      }
    }
    await this.transitions.requeue(ctx, request, records);
    ctx.onCommit(this.wakeDispatcher);
    return request;
  }

  /** Sets a request aside for good. A queued CREATE leaves its records free for a new request. */
  async discard(ctx: RequestContext, id: string, reason: string): Promise<OutboundRequestEntity> {
    const text = requireText(reason, 'reason', 1000);
    const request = await this.lock(ctx, id);
    if (!DISCARDABLE.includes(request.state)) {
      throw new ConflictError(
        `Outbound request ${request.number} is ${request.state}; only a request in ERROR, QUEUED or RETRY_SCHEDULED can be discarded`,
      );
    }
    await this.transitions.discard(ctx, request, text);
    // What waits behind it can never be sent now; the dispatcher ends it with a message saying why.
    ctx.onCommit(this.wakeDispatcher);
    return request;
  }

  private async lock(ctx: RequestContext, id: string): Promise<OutboundRequestEntity> {
    const request = isUuid(id)
      ? await ctx.manager.findOne(OutboundRequestEntity, { where: { id }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!request) throw new NotFoundError('Outbound request', id, 'id');
    assertMayHandle(ctx, request);
    return request;
  }
}
