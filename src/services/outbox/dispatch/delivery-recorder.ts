import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ErrorCategory, OutboundRequestState } from '../../../entities/enums';
import type { ExternalSystemEntity } from '../../../entities/external-system.entity';
import { OutboundRequestEntity, type OutboundErrorValue } from '../../../entities/outbound-request.entity';
import { retryingConflicts, sqlStateOf } from '../../common/transient-conflict';
import { RequestContext } from '../../context/request-context';
import type { FulfillmentEventPublisher } from '../../events/fulfillment-event.publisher';
import { resourcePath } from '../../records/record-kind';
import { recordKind } from '../../records/record-kinds';
import { blockedError, type RequestTransitions } from '../request-transitions';
import { retryDelayMs, type DeliveryFailure } from '../../southbound/delivery-outcome';
import type { Exchange } from '../../southbound/southbound-client';
import { MARK_DELIVERED_SQL } from './dispatch.sql';

/** What one attempt came to: an exchange with the system, or given back unsent (breaker open, or held too long to send within its lease: no attempt is counted). */
export type Attempt = Exchange | { kind: 'RELEASED'; until: Date; claimCountedAttempt: boolean };

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

/**
 * Writes the outcome of an attempt in one transaction: the request's new state, the covered records'
 * external id/state or ERROR, fallout, what waits behind the request, and the events. Only the
 * instance that still holds the lease may record; a late answer after the lease moved on is dropped.
 */
export class DeliveryRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: FulfillmentEventPublisher,
    private readonly transitions: RequestTransitions,
    private readonly backoff: BackoffOptions,
    private readonly logger: Logger,
  ) {}

  /** Records a failed or given-back attempt; deliveries go through recordDelivered, in batches. */
  async record(
    requestId: string,
    owner: string,
    system: ExternalSystemEntity,
    attempt: Exclude<Attempt, { kind: 'DELIVERED' }>,
  ): Promise<OutboundRequestState | null> {
    return this.underLease(requestId, owner, async (ctx, row) => {
      if (attempt.kind === 'RELEASED') {
        await this.transitions.release(ctx, row, attempt.until, attempt.claimCountedAttempt);
      } else {
        Object.assign(row, { responseStatus: attempt.status ?? null, responseBody: attempt.body ?? null });
        if (attempt.outcomeUnknown) row.outcomeUnknown = true;
        const retry = attempt.failure.kind === 'TRANSIENT' && row.attempts < system.maxAttempts;
        if (retry) await this.scheduleRetry(ctx, row, attempt.failure);
        else await this.transitions.fail(ctx, [row], toError(attempt.failure, row, system));
      }
    });
  }

  /** Records a delivered REVISE or CANCEL, with its effects, if this instance still holds its lease. */
  async recordDelivery(requestId: string, owner: string, answer: { status: number; body: unknown }): Promise<OutboundRequestState | null> {
    return this.underLease(requestId, owner, (ctx, row) => this.transitions.delivered(ctx, row, answer));
  }

  /**
   * Runs `change` on the request, locked, in one transaction, if it is still SENDING under this owner's
   * lease; returns its new state. A transaction PostgreSQL aborted for a deadlock is run again at once:
   * left to the lease, the system's answer would be lost and the request sent again.
   */
  private underLease(
    requestId: string,
    owner: string,
    change: (ctx: RequestContext, row: OutboundRequestEntity) => Promise<void>,
  ): Promise<OutboundRequestState | null> {
    return retryingConflicts(
      () => {
        const ctx = new RequestContext(this.dataSource, null);
        return ctx.transaction(async () => {
          const row = await ctx.manager.findOne(OutboundRequestEntity, {
            where: { id: requestId, state: OutboundRequestState.SENDING, leaseOwner: owner },
            lock: { mode: 'pessimistic_write' },
          });
          if (!row) return null;
          await change(ctx, row);
          return row.state;
        });
      },
      { onRetry: (err) => this.conflicted(err, { outboundRequestId: requestId }) },
    );
  }

  /** PostgreSQL aborted a recording so that another transaction could go on: it is run again, and said. */
  private conflicted(err: unknown, about: Record<string, unknown>): void {
    this.logger.warn(
      { ...about, sqlState: sqlStateOf(err) },
      'dispatcher: recording an outcome conflicted with another transaction; recording it again',
    );
  }

  /**
   * Records many deliveries in one statement (the hot path: most attempts succeed), their events
   * included. Returns the ids recorded; a request whose lease moved on is left alone.
   */
  async recordDelivered(owner: string, items: Delivered[]): Promise<Set<string>> {
    const rows: { id: string }[] = await retryingConflicts(
      () =>
        this.dataSource.query(MARK_DELIVERED_SQL, [
          this.publisher.channel,
          owner,
          items.map((i) => i.id),
          items.map((i) => i.status),
          items.map((i) => i.bodyJson),
          items.map((i) => field(i.body, 'id')),
          items.map((i) => externalState(field(i.body, 'state'))),
          items.map((i) => resourcePath(recordKind(i.subject), field(i.body, 'id'))),
        ]),
      { onRetry: (err) => this.conflicted(err, { deliveries: items.length }) },
    );
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
        await this.transitions.fail(
          ctx,
          [r],
          d.state === OutboundRequestState.DELIVERED ? noResourceError(d.number) : blockedError(d.number),
        );
      }
      return orphans.length;
    });
  }

  private async scheduleRetry(ctx: RequestContext, row: OutboundRequestEntity, failure: DeliveryFailure) {
    const backoff = retryDelayMs(row.attempts, { ...this.backoff, retryAfterMs: failure.retryAfterMs });
    const delay = row.outcomeUnknown ? Math.max(backoff, this.backoff.unknownOutcomeSettleMs) : backoff;
    const error = errorValue(failure, `Attempt ${row.attempts} failed, retrying: ${failure.message}`);
    await this.transitions.scheduleRetry(ctx, row, new Date(Date.now() + delay), error);
  }
}

export interface Delivered {
  id: string;
  subject: string;
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
  return {
    category: f.category as ErrorCategory,
    message,
    httpStatus: f.httpStatus ?? null,
    code: f.code ?? null,
    reason: f.reason ?? null,
  };
}

function toError(f: DeliveryFailure, row: OutboundRequestEntity, system: ExternalSystemEntity): OutboundErrorValue {
  if (f.kind === 'TRANSIENT') {
    return errorValue(f, `Gave up after ${row.attempts} attempt(s) (maxAttempts ${system.maxAttempts} of ${system.name}): ${f.message}`);
  }
  return errorValue(f, `${system.name} refused it: ${f.message}`);
}

function noResourceError(dependencyNumber: string): OutboundErrorValue {
  return {
    category: ErrorCategory.REMOTE_BUSINESS,
    message: `Not sent: outbound request ${dependencyNumber} of the same record was accepted without an id, so there is no external resource to change`,
  };
}
