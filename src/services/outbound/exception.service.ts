import { In } from 'typeorm';
import { DecisionSubject, FalloutStatus, FulfillmentState, OutboundOperation, OutboundRequestState } from '../../entities/enums';
import { DomainOrderEntity } from '../../entities/domain-order.entity';
import { FalloutEntity } from '../../entities/fallout.entity';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import {
  OutboundRequestDomainOrderEntity, OutboundRequestEntity, OutboundRequestTestRunEntity,
} from '../../entities/outbound-request.entity';
import { TestRunEntity } from '../../entities/test-run.entity';
import { ROLES, type Role } from '../auth/roles';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/domain.errors';
import { isUuid, requireText } from '../common/input-checks';
import type { RequestContext } from '../common/request-context';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';

/** Errors and exceptions handled by people: retry, discard, resolve fallout. */
export class ExceptionService {
  constructor(
    private readonly events: FulfillmentEventPublisher,
    private readonly wakeDispatcher: () => void,
  ) {}

  /** Re-queues an ERROR request with the same payload and attempts reset. */
  async retry(ctx: RequestContext, id: string): Promise<OutboundRequestEntity> {
    const request = await this.lockRequest(ctx, id);
    if (request.state !== OutboundRequestState.ERROR) {
      throw new ConflictError(`Outbound request ${request.number} is ${request.state}; only a request in ERROR can be retried`);
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
    Object.assign(request, {
      state: OutboundRequestState.QUEUED,
      attempts: 0,
      nextAttemptAt: new Date(),
      error: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      outcomeUnknown: false,
    });
    await ctx.manager.save(OutboundRequestEntity, request);
    await this.setStates(ctx, request, records, FulfillmentState.PENDING);
    await this.events.outboundRequestsChanged(ctx, [request]);
    ctx.onCommit(this.wakeDispatcher);
    return request;
  }

  /** Sets a request aside for good. A queued CREATE leaves its records free for a new request. */
  async discard(ctx: RequestContext, id: string, reason: string): Promise<OutboundRequestEntity> {
    const text = requireText(reason, 'reason', 1000);
    const request = await this.lockRequest(ctx, id);
    const discardable = [OutboundRequestState.ERROR, OutboundRequestState.QUEUED, OutboundRequestState.RETRY_SCHEDULED];
    if (!discardable.includes(request.state)) {
      throw new ConflictError(
        `Outbound request ${request.number} is ${request.state}; only a request in ERROR, QUEUED or RETRY_SCHEDULED can be discarded`,
      );
    }
    const wasLive = request.state !== OutboundRequestState.ERROR;
    Object.assign(request, { state: OutboundRequestState.DISCARDED, discardReason: text, nextAttemptAt: null });
    await ctx.manager.save(OutboundRequestEntity, request);
    if (wasLive && request.operation === OutboundOperation.CREATE) {
      const records = (await coveredRecords(ctx, request)).filter((r) => r.fulfillmentState === FulfillmentState.PENDING);
      await this.setStates(ctx, request, records, FulfillmentState.NOT_REQUESTED);
    }
    await this.events.outboundRequestsChanged(ctx, [request]);
    // What waits behind it can never be sent now; the dispatcher ends it with a message saying why.
    ctx.onCommit(this.wakeDispatcher);
    return request;
  }

  async resolveFallout(ctx: RequestContext, id: string, resolution: string): Promise<FalloutEntity> {
    const text = requireText(resolution, 'resolution', 2000);
    const fallout = isUuid(id)
      ? await ctx.manager.findOne(FalloutEntity, { where: { id }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!fallout) throw new NotFoundError('Fallout', id, 'id');
    const request = await ctx.manager.findOneByOrFail(OutboundRequestEntity, { id: fallout.outboundRequestId });
    assertMayHandle(ctx, request);
    if (fallout.status === FalloutStatus.RESOLVED) throw new ConflictError(`This fallout was already resolved: ${fallout.resolution}`);
    Object.assign(fallout, { status: FalloutStatus.RESOLVED, resolution: text, resolvedAt: new Date(), resolvedBy: ctx.user?.id ?? null });
    return ctx.manager.save(FalloutEntity, fallout);
  }

  private async lockRequest(ctx: RequestContext, id: string): Promise<OutboundRequestEntity> {
    const request = isUuid(id)
      ? await ctx.manager.findOne(OutboundRequestEntity, { where: { id }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!request) throw new NotFoundError('Outbound request', id, 'id');
    assertMayHandle(ctx, request);
    return request;
  }

  private async setStates(ctx: RequestContext, request: OutboundRequestEntity, records: FulfillmentRecord[], state: FulfillmentState) {
    if (records.length === 0) return;
    const entity = request.subject === DecisionSubject.DOMAIN_ORDER ? DomainOrderEntity : TestRunEntity;
    await ctx.manager.createQueryBuilder().update(entity).set({ fulfillmentState: state }).whereInIds(records.map((r) => r.id)).execute();
    await this.events.fulfillmentStatesChanged(
      ctx,
      request.subject,
      records.filter((r) => r.fulfillmentState !== state).map((r) => ({ record: { ...r, fulfillmentState: state }, previousState: r.fulfillmentState, request })),
    );
  }
}

/** Order managers handle order requests, test managers test requests, admins both. */
function assertMayHandle(ctx: RequestContext, request: OutboundRequestEntity): void {
  const allowed: readonly Role[] = request.subject === DecisionSubject.DOMAIN_ORDER ? ROLES.ORDERS : ROLES.TESTS;
  if (!ctx.user?.roles.some((r) => allowed.includes(r))) {
    throw new ForbiddenError(`Outbound request ${request.number} carries ${request.subject === 'DOMAIN_ORDER' ? 'domain orders' : 'test runs'}; it needs one of the roles ${allowed.join(', ')}`);
  }
}

/** The records an outbound request covers, in payload order. */
export async function coveredRecords(ctx: RequestContext, request: OutboundRequestEntity): Promise<FulfillmentRecord[]> {
  if (request.subject === DecisionSubject.DOMAIN_ORDER) {
    const links = await ctx.manager.find(OutboundRequestDomainOrderEntity, { where: { outboundRequestId: request.id }, order: { position: 'ASC' } });
    const rows = await ctx.manager.findBy(DomainOrderEntity, { id: In(links.map((l) => l.domainOrderId)) });
    return links.map((l) => rows.find((r) => r.id === l.domainOrderId)!);
  }
  const links = await ctx.manager.find(OutboundRequestTestRunEntity, { where: { outboundRequestId: request.id }, order: { position: 'ASC' } });
  const rows = await ctx.manager.findBy(TestRunEntity, { id: In(links.map((l) => l.testRunId)) });
  return links.map((l) => rows.find((r) => r.id === l.testRunId)!);
}

