import { CancellationState, ErrorCategory, FulfillmentState, OutboundOperation, OutboundRequestState } from '../../entities/enums';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import { OutboundRequestEntity, type OutboundErrorValue } from '../../entities/outbound-request.entity';
import type { RequestContext } from '../context/request-context';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import type { FalloutService } from '../fallout/fallout.service';
import { quietTelemetry, type Telemetry } from '../metrics/telemetry';
import type { Cancellations } from '../records/cancellations';
import { changeFulfillmentStates } from '../records/fulfillment-states';
import type { RecordKind } from '../records/record-kind';
import { recordKind } from '../records/record-kinds';
import { isObject, type Json } from '../tmf/resource-report';
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
    private readonly cancellations: Cancellations,
    private readonly telemetry: Telemetry = quietTelemetry(),
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
   * the same for everything queued behind them, which can never be sent now. A CANCEL that fails leaves
   * its records as they were before it: the cancellation ends TERMINATED_WITH_ERROR (a system that
   * refused it with a 4xx opens a CANCELLATION_REFUSED fallout).
   */
  async fail(ctx: RequestContext, rows: OutboundRequestEntity[], error: OutboundErrorValue): Promise<void> {
    let level = rows.map((row) => ({ row, error }));
    while (level.length) {
      const next: typeof level = [];
      for (const { row, error: e } of level) {
        Object.assign(row, { state: OutboundRequestState.ERROR, error: e, nextAttemptAt: null, leaseOwner: null, leaseExpiresAt: null });
        await ctx.manager.save(OutboundRequestEntity, row);
        await this.reportError(ctx, row, e);
        const kind = recordKind(row.subject);
        // Locked before the cancellation a failed CANCEL ends (records, then cancellation: the one lock order).
        const records = await coveredRecords(ctx, row, { lock: true });
        const refused = row.operation === OutboundOperation.CANCEL && PERMANENT_REFUSALS.has(e.category);
        await this.fallouts.open(ctx, {
          request: row,
          kind,
          recordIds: records.map((r) => r.id),
          category: refused ? ErrorCategory.CANCELLATION_REFUSED : e.category,
          message: `${row.number} (${row.operation} ${row.httpMethod} ${row.path || '…'}): ${e.message}`,
        });
        await this.publisher.outboundRequestsChanged(ctx, [row]);
        if (row.operation === OutboundOperation.CANCEL) await this.cancellationFailed(ctx, row, records);
        else await this.recordsToError(ctx, row, records);
        const waiting = await ctx.manager.find(OutboundRequestEntity, {
          where: { dependsOnId: row.id, state: OutboundRequestState.QUEUED },
          lock: { mode: 'pessimistic_write' },
        });
        for (const w of waiting) next.push({ row: w, error: blockedError(row.number, e.category) });
      }
      level = next;
    }
  }

  /** An ERROR is a warning and a count once it is committed (an operator acts on every one). */
  private async reportError(ctx: RequestContext, row: OutboundRequestEntity, e: OutboundErrorValue): Promise<void> {
    const system = (await ctx.loaders.externalSystem.load(row.externalSystemId))?.name ?? row.externalSystemId;
    ctx.onCommit(() => {
      this.telemetry.metrics.errors.inc({ system, category: e.category });
      this.telemetry.logger.warn(
        { outboundRequest: row.number, system, category: e.category, httpStatus: e.httpStatus ?? undefined, error: e.message },
        'outbound request ended in ERROR',
      );
    });
  }

  /**
   * DELIVERED for a REVISE or a CANCEL (CREATEs are recorded in batches by the database function): a
   * revision clears updatesAvailable on the records it carried (if not revised again since) and answers
   * the information they waited for; a cancellation follows the system's answer (its cancel task, or for
   * TMF653 the patched test itself: done).
   */
  async delivered(ctx: RequestContext, row: OutboundRequestEntity, answer: { status: number; body: unknown }): Promise<void> {
    const body = isObject(answer.body) ? answer.body : {};
    Object.assign(row, {
      state: OutboundRequestState.DELIVERED,
      responseStatus: answer.status,
      responseBody: answer.body ?? null,
      externalId: (typeof body.id === 'string' ? body.id : null) ?? row.externalId,
      resourcePath: row.path,
      deliveredAt: new Date(),
      nextAttemptAt: null,
      error: null,
      outcomeUnknown: false,
      leaseOwner: null,
      leaseExpiresAt: null,
    });
    await ctx.manager.save(OutboundRequestEntity, row);
    await this.publisher.outboundRequestsChanged(ctx, [row]);
    const kind = recordKind(row.subject);
    // Locked before the cancellation (records, then cancellation: the order every inbound message keeps).
    const records = await coveredRecords(ctx, row, { lock: true });
    if (row.operation === OutboundOperation.REVISE) await this.revisionDelivered(ctx, kind, row, records);
    if (row.operation === OutboundOperation.CANCEL) await this.cancellationDelivered(ctx, kind, row, records, body);
  }

  private async revisionDelivered(ctx: RequestContext, kind: RecordKind, row: OutboundRequestEntity, records: FulfillmentRecord[]) {
    await ctx.manager
      .createQueryBuilder()
      .update(kind.entity)
      .set({ updatesAvailable: false })
      .where(
        `id IN (SELECT l.${kind.link.column} FROM ${kind.link.table} l WHERE l.outbound_request_id = :rid AND l.record_version = version)`,
        {
          rid: row.id,
        },
      )
      .execute();
    const answered = records.filter((r) => (r as { informationRequired?: unknown }).informationRequired);
    if (answered.length === 0) return;
    await ctx.manager
      .createQueryBuilder()
      .update(kind.entity)
      .set({ informationRequired: null })
      .whereInIds(answered.map((r) => r.id))
      .execute();
    await this.fallouts.resolveFor(
      ctx,
      kind,
      answered.map((r) => r.id),
      ErrorCategory.INFORMATION_REQUIRED,
      `Answered by revision ${row.number}, delivered`,
    );
  }

  private async cancellationDelivered(
    ctx: RequestContext,
    kind: RecordKind,
    row: OutboundRequestEntity,
    records: FulfillmentRecord[],
    body: Json,
  ) {
    const [cancellation] = await this.cancellations.byRequests(ctx, [row.id]);
    if (!cancellation) return;
    const task = kind.readCancelTask(body);
    // TMF653 has no cancel task: the test was patched to cancelled, so the cancellation is done.
    const state = task ? (task.cancellationState ?? CancellationState.ACKNOWLEDGED) : CancellationState.DONE;
    const why = task?.errors.map((e) => [e.code, e.reason, e.message].filter(Boolean).join(': ')).join('; ');
    await this.cancellations.advance(ctx, kind, cancellation, records, {
      state,
      externalId: task?.taskId ?? null,
      externalState: task ? null : kind.readReport(body).state,
      request: row,
      refusal: `${row.number}: the external system refused the cancellation${why ? `: ${why}` : ''}`,
    });
  }

  private async cancellationFailed(ctx: RequestContext, row: OutboundRequestEntity, records: FulfillmentRecord[]) {
    const [cancellation] = await this.cancellations.byRequests(ctx, [row.id]);
    const kind = recordKind(row.subject);
    if (cancellation)
      await this.cancellations.advance(ctx, kind, cancellation, records, { state: CancellationState.TERMINATED_WITH_ERROR, request: row });
    else await this.cancellations.restore(ctx, kind, records);
  }

  private async recordsToError(ctx: RequestContext, row: OutboundRequestEntity, covered: FulfillmentRecord[]): Promise<void> {
    const records = covered.filter(
      (r) => r.fulfillmentState !== FulfillmentState.ERROR && r.fulfillmentState !== FulfillmentState.CANCELED,
    );
    await changeFulfillmentStates(ctx, this.publisher, recordKind(row.subject), { records, state: FulfillmentState.ERROR, request: row });
  }
}

/** Answers of a system that is up and says no: for a CANCEL, a refusal of the cancellation. */
const PERMANENT_REFUSALS = new Set<string>([ErrorCategory.REMOTE_VALIDATION, ErrorCategory.REMOTE_BUSINESS]);

/** Why a request that waited for another of the same record was never sent. */
export function blockedError(dependencyNumber: string, category = ErrorCategory.CONFIGURATION): OutboundErrorValue {
  return {
    category,
    message: `Not sent: it had to wait for outbound request ${dependencyNumber} of the same record, which ended without being delivered`,
  };
}
