import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DomainOrderEntity } from '../../entities/domain-order.entity';
import { DecisionSubject, ErrorCategory, FulfillmentState, OutboundRequestState } from '../../entities/enums';
import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import { FalloutEntity } from '../../entities/fallout.entity';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import { OutboundRequestEntity, type OutboundErrorValue } from '../../entities/outbound-request.entity';
import { TestRunEntity } from '../../entities/test-run.entity';
import { RequestContext } from '../common/request-context';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import { MARK_DELIVERED_SQL } from './dispatch.sql';
import { coveredRecords } from '../outbound/exception.service';
import { revisePath } from '../submission/revision.service';
import { retryDelayMs, type DeliveryFailure } from './delivery-outcome';

/** What one attempt came to. */
export type Attempt =
  | { kind: 'DELIVERED'; status: number; body: unknown; /** The body as JSON text to store. */ bodyJson: string | null }
  | { kind: 'FAILED'; failure: DeliveryFailure; status?: number; body?: unknown; outcomeUnknown?: boolean }
  /** Given back unsent (breaker open, or held too long to send within its lease): no attempt is counted. */
  | { kind: 'RELEASED'; until: Date; claimCountedAttempt: boolean };

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /**
   * After a send whose outcome is unknown (it timed out, or the connection broke after the request went
   * out), the next attempt waits at least this long: the look-up that precedes it must not run while
   * the system is still working on the first request, or it finds nothing and the order is sent twice.
   */
  unknownOutcomeSettleMs: number;
}

const entityOf = (subject: DecisionSubject) => (subject === DecisionSubject.DOMAIN_ORDER ? DomainOrderEntity : TestRunEntity);

/**
 * Writes the outcome of an attempt in one transaction: the request's new state, the covered records'
 * external id/state or ERROR, fallout, what waits behind the request, and the events. Only the
 * instance that still holds the lease may record; a late answer after the lease moved on is dropped.
 */
export class DeliveryRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: FulfillmentEventPublisher,
    private readonly backoff: BackoffOptions,
  ) {}

  /** Records a failed or given-back attempt; deliveries go through recordDelivered, in batches. */
  async record(
    requestId: string,
    owner: string,
    system: ExternalSystemEntity,
    attempt: Exclude<Attempt, { kind: 'DELIVERED' }>,
  ): Promise<OutboundRequestState | null> {
    const ctx = new RequestContext(this.dataSource, null);
    return ctx.transaction(async () => {
      const row = await ctx.manager.findOne(OutboundRequestEntity, {
        where: { id: requestId, state: OutboundRequestState.SENDING, leaseOwner: owner },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) return null;
      Object.assign(row, { leaseOwner: null, leaseExpiresAt: null });
      if (attempt.kind === 'RELEASED') {
        const attempts = row.attempts - (attempt.claimCountedAttempt ? 1 : 0);
        Object.assign(row, {
          attempts,
          state: attempts > 0 ? OutboundRequestState.RETRY_SCHEDULED : OutboundRequestState.QUEUED,
          nextAttemptAt: attempt.until,
        });
        await ctx.manager.save(OutboundRequestEntity, row);
        await this.events.outboundRequestsChanged(ctx, [row]);
      } else {
        Object.assign(row, { responseStatus: attempt.status ?? null, responseBody: attempt.body ?? null });
        if (attempt.outcomeUnknown) row.outcomeUnknown = true;
        const retry = attempt.failure.kind === 'TRANSIENT' && row.attempts < system.maxAttempts;
        if (retry) await this.scheduleRetry(ctx, row, attempt.failure);
        else await this.fail(ctx, [row], toError(attempt.failure, row, system));
      }
      return row.state;
    });
  }

  /**
   * Records many deliveries in one statement (the hot path: most attempts succeed), their events
   * included. Returns the ids recorded; a request whose lease moved on is left alone.
   */
  async recordDelivered(owner: string, items: Delivered[]): Promise<Set<string>> {
    const rows: { id: string }[] = await this.dataSource.query(MARK_DELIVERED_SQL, [
      this.events.channel,
      owner,
      items.map((i) => i.id),
      items.map((i) => i.status),
      items.map((i) => i.bodyJson),
      items.map((i) => field(i.body, 'id')),
      items.map((i) => externalState(field(i.body, 'state'))),
      items.map((i) => revisePath(i.subject, field(i.body, 'id'))),
    ]);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Ends in ERROR whatever still waits behind a request that failed or was discarded, or behind a CREATE
   * that was accepted without an external id (there is no external resource for it to change).
   */
  async failOrphans(): Promise<number> {
    const ctx = new RequestContext(this.dataSource, null);
    return ctx.transaction(async () => {
      const orphans = await ctx.manager
        .createQueryBuilder(OutboundRequestEntity, 'r')
        .innerJoinAndMapOne('r.dependency', OutboundRequestEntity, 'd', 'd.id = r.depends_on_id')
        .where('r.depends_on_id IS NOT NULL AND r.state = :queued', { queued: OutboundRequestState.QUEUED })
        .andWhere(`(d.state IN (:...ended) OR (d.state = :delivered AND r.path = '' AND d.resource_path IS NULL))`, {
          ended: [OutboundRequestState.ERROR, OutboundRequestState.DISCARDED],
          delivered: OutboundRequestState.DELIVERED,
        })
        .setLock('pessimistic_write', undefined, ['r'])
        .setOnLocked('skip_locked')
        .getMany();
      for (const r of orphans as (OutboundRequestEntity & { dependency: OutboundRequestEntity })[]) {
        const d = r.dependency;
        await this.fail(ctx, [r], d.state === OutboundRequestState.DELIVERED ? noResourceError(d.number) : blockedError(d.number));
      }
      return orphans.length;
    });
  }

  private async scheduleRetry(ctx: RequestContext, row: OutboundRequestEntity, failure: DeliveryFailure) {
    const backoff = retryDelayMs(row.attempts, { ...this.backoff, retryAfterMs: failure.retryAfterMs });
    const delay = row.outcomeUnknown ? Math.max(backoff, this.backoff.unknownOutcomeSettleMs) : backoff;
    Object.assign(row, {
      state: OutboundRequestState.RETRY_SCHEDULED,
      nextAttemptAt: new Date(Date.now() + delay),
      error: errorValue(failure, `Attempt ${row.attempts} failed, retrying: ${failure.message}`),
    });
    await ctx.manager.save(OutboundRequestEntity, row);
    await this.events.outboundRequestsChanged(ctx, [row]);
  }

  /**
   * ERROR for the requests, a fallout each, their records to ERROR (re-submission becomes possible), and
   * the same for everything queued behind them, which can never be sent now.
   */
  private async fail(ctx: RequestContext, rows: OutboundRequestEntity[], error: OutboundErrorValue): Promise<void> {
    let level = rows.map((row) => ({ row, error }));
    while (level.length) {
      const next: typeof level = [];
      for (const { row, error: e } of level) {
        Object.assign(row, { state: OutboundRequestState.ERROR, error: e, nextAttemptAt: null, leaseOwner: null, leaseExpiresAt: null });
        await ctx.manager.save(OutboundRequestEntity, row);
        await ctx.manager.insert(FalloutEntity, {
          id: randomUUID(),
          outboundRequestId: row.id,
          category: e.category,
          message: `${row.number} (${row.operation} ${row.httpMethod} ${row.path || '…'}): ${e.message}`,
        });
        await this.events.outboundRequestsChanged(ctx, [row]);
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

  private async recordsToError(ctx: RequestContext, row: OutboundRequestEntity) {
    const records: FulfillmentRecord[] = (await coveredRecords(ctx, row)).filter(
      (r) => r.fulfillmentState !== FulfillmentState.ERROR && r.fulfillmentState !== FulfillmentState.CANCELED,
    );
    if (!records.length) return;
    await ctx.manager
      .createQueryBuilder()
      .update(entityOf(row.subject))
      .set({ fulfillmentState: FulfillmentState.ERROR })
      .whereInIds(records.map((r) => r.id))
      .execute();
    await this.events.fulfillmentStatesChanged(
      ctx,
      row.subject,
      records.map((r) => ({ record: { ...r, fulfillmentState: FulfillmentState.ERROR }, previousState: r.fulfillmentState, request: row })),
    );
  }
}

export interface Delivered {
  id: string;
  subject: DecisionSubject;
  status: number;
  body: unknown;
  bodyJson: string | null;
}

function field(body: unknown, name: 'id' | 'state'): string | null {
  const v = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : null;
}

/** TMF states are short words; whatever else a system answers is cut so that it fits in events. */
function externalState(state: string | null): string | null {
  return state === null ? null : state.slice(0, 100);
}

function errorValue(f: DeliveryFailure, message = f.message): OutboundErrorValue {
  return { category: f.category as ErrorCategory, message, httpStatus: f.httpStatus ?? null, code: f.code ?? null, reason: f.reason ?? null };
}

function toError(f: DeliveryFailure, row: OutboundRequestEntity, system: ExternalSystemEntity): OutboundErrorValue {
  if (f.kind === 'TRANSIENT') {
    return errorValue(f, `Gave up after ${row.attempts} attempt(s) (maxAttempts ${system.maxAttempts} of ${system.name}): ${f.message}`);
  }
  return errorValue(f, `${system.name} refused it: ${f.message}`);
}

function blockedError(dependencyNumber: string, category = ErrorCategory.CONFIGURATION): OutboundErrorValue {
  return {
    category,
    message: `Not sent: it had to wait for outbound request ${dependencyNumber} of the same record, which ended without being delivered`,
  };
}

function noResourceError(dependencyNumber: string): OutboundErrorValue {
  return {
    category: ErrorCategory.REMOTE_BUSINESS,
    message: `Not sent: outbound request ${dependencyNumber} of the same record was accepted without an id, so there is no external resource to change`,
  };
}
