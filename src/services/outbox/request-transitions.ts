import { ErrorCategory, FulfillmentState, OutboundOperation, OutboundRequestState } from '../../entities/enums';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import { OutboundRequestEntity, type OutboundErrorValue } from '../../entities/outbound-request.entity';
import type { RequestContext } from '../context/request-context';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import type { FalloutService } from '../fallout/fallout.service';
import { changeFulfillmentStates } from '../records/fulfillment-states';
import { recordKind } from '../records/record-kinds';
import { coveredRecords } from './outbox';

/**
 * Every change of an outbound request's state after it was queued, except the two the dispatcher makes
 * in the database (claiming and delivering, see dispatch/dispatch.sql.ts): each writes the request, the
 * records it covers and the events in the caller's transaction.
 */
export class RequestTransitions {
  constructor(
    private readonly publisher: FulfillmentEventPublisher,
    private readonly fallouts: FalloutService,
  ) {}

  /** Back to QUEUED, due now, attempts reset, its records PENDING again (an operator's retry). */
  async requeue(ctx: RequestContext, request: OutboundRequestEntity, records: FulfillmentRecord[]): Promise<void> {
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
    await changeFulfillmentStates(ctx, this.publisher, recordKind(request.subject), { records, state: FulfillmentState.PENDING, request });
    await this.publisher.outboundRequestsChanged(ctx, [request]);
  }

  /** Set aside for good. A CREATE that was still on its way leaves its records free for a new request. */
  async discard(ctx: RequestContext, request: OutboundRequestEntity, reason: string): Promise<void> {
    const wasLive = request.state !== OutboundRequestState.ERROR;
    Object.assign(request, { state: OutboundRequestState.DISCARDED, discardReason: reason, nextAttemptAt: null });
    await ctx.manager.save(OutboundRequestEntity, request);
    if (wasLive && request.operation === OutboundOperation.CREATE) {
      const records = (await coveredRecords(ctx, request)).filter((r) => r.fulfillmentState === FulfillmentState.PENDING);
      await changeFulfillmentStates(ctx, this.publisher, recordKind(request.subject), {
        records,
        state: FulfillmentState.NOT_REQUESTED,
        request,
      });
    }
    await this.publisher.outboundRequestsChanged(ctx, [request]);
  }

  /** Given back unsent (breaker open, or held too long): due again at `until`, the claim's attempt not counted. */
  async release(ctx: RequestContext, row: OutboundRequestEntity, until: Date, claimCountedAttempt: boolean): Promise<void> {
    const attempts = row.attempts - (claimCountedAttempt ? 1 : 0);
    Object.assign(row, {
      leaseOwner: null,
      leaseExpiresAt: null,
      attempts,
      state: attempts > 0 ? OutboundRequestState.RETRY_SCHEDULED : OutboundRequestState.QUEUED,
      nextAttemptAt: until,
    });
    await ctx.manager.save(OutboundRequestEntity, row);
    await this.publisher.outboundRequestsChanged(ctx, [row]);
  }

  /** RETRY_SCHEDULED at `at`, with the failure that caused it. */
  async scheduleRetry(ctx: RequestContext, row: OutboundRequestEntity, at: Date, error: OutboundErrorValue): Promise<void> {
    Object.assign(row, { state: OutboundRequestState.RETRY_SCHEDULED, nextAttemptAt: at, error, leaseOwner: null, leaseExpiresAt: null });
    await ctx.manager.save(OutboundRequestEntity, row);
    await this.publisher.outboundRequestsChanged(ctx, [row]);
  }

  /**
   * ERROR for the requests, a fallout each, their records to ERROR (re-submission becomes possible), and
   * the same for everything queued behind them, which can never be sent now.
   */
  async fail(ctx: RequestContext, rows: OutboundRequestEntity[], error: OutboundErrorValue): Promise<void> {
    let level = rows.map((row) => ({ row, error }));
    while (level.length) {
      const next: typeof level = [];
      for (const { row, error: e } of level) {
        Object.assign(row, { state: OutboundRequestState.ERROR, error: e, nextAttemptAt: null, leaseOwner: null, leaseExpiresAt: null });
        await ctx.manager.save(OutboundRequestEntity, row);
        await this.fallouts.open(
          ctx,
          row,
          e.category,
          `${row.number} (${row.operation} ${row.httpMethod} ${row.path || '…'}): ${e.message}`,
        );
        await this.publisher.outboundRequestsChanged(ctx, [row]);
        await this.recordsToError(ctx, row);
        const waiting = await ctx.manager.find(OutboundRequestEntity, {
          where: { dependsOnId: row.id, state: OutboundRequestState.QUEUED },
          lock: { mode: 'pessimistic_write' },
        });
        for (const w of waiting) next.push({ row: w, error: blockedError(row.number, e.category) });
      }
      level = next;
    }
  }

  private async recordsToError(ctx: RequestContext, row: OutboundRequestEntity): Promise<void> {
    const records = (await coveredRecords(ctx, row)).filter(
      (r) => r.fulfillmentState !== FulfillmentState.ERROR && r.fulfillmentState !== FulfillmentState.CANCELED,
    );
    await changeFulfillmentStates(ctx, this.publisher, recordKind(row.subject), { records, state: FulfillmentState.ERROR, request: row });
  }
}

/** Why a request that waited for another of the same record was never sent. */
export function blockedError(dependencyNumber: string, category = ErrorCategory.CONFIGURATION): OutboundErrorValue {
  return {
    category,
    message: `Not sent: it had to wait for outbound request ${dependencyNumber} of the same record, which ended without being delivered`,
  };
}
