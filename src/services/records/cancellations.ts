import type DataLoader from 'dataloader';
import { In } from 'typeorm';
import { CancellationEntity } from '../../entities/cancellation.entity';
import { CancellationState, ErrorCategory, FalloutSource, FulfillmentState } from '../../entities/enums';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { updateEachEntity } from '../common/entity-rows';
import type { RequestContext } from '../context/request-context';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import { changeFulfillmentStates } from './fulfillment-states';
import type { RecordKind } from './record-kind';

/** Where a refused cancellation's fallout goes: the fallout service (which depends on records, so not imported here). */
export interface RefusalFallouts {
  open(
    ctx: RequestContext,
    f: {
      request: Pick<OutboundRequestEntity, 'id'>;
      kind: RecordKind;
      recordIds: string[];
      category: ErrorCategory;
      message: string;
      source: FalloutSource;
      inboundMessageId: string | null;
    },
  ): Promise<unknown>;
}

/** States of a cancellation that is still under way. */
export const OPEN_CANCELLATION = [CancellationState.REQUESTED, CancellationState.ACKNOWLEDGED, CancellationState.IN_PROGRESS];

/**
 * A cancellation shared with the external system: a row per CANCEL request that follows the system's
 * answer, and the records' way there and back. The records keep their fulfillment state meanwhile (the
 * system still works on them); a domain order shows CANCELLATION_IN_PROGRESS and keeps the state to return
 * to if the cancellation is refused.
 */
export class Cancellations {
  constructor(
    private readonly publisher: FulfillmentEventPublisher,
    private readonly fallouts: RefusalFallouts,
  ) {}

  /** Opens the cancellation of `records` by the CANCEL request just queued. */
  async start(
    ctx: RequestContext,
    kind: RecordKind,
    cancel: { request: Pick<OutboundRequestEntity, 'id'>; resourceId: string; reason: string | null },
    records: FulfillmentRecord[],
  ) {
    await ctx.manager.insert(CancellationEntity, {
      outboundRequestId: cancel.request.id,
      state: CancellationState.REQUESTED,
      reason: cancel.reason,
      resourceId: cancel.resourceId,
    });
    await updateEachEntity(
      ctx.manager,
      kind.entity,
      records.map((r) => ({ id: r.id, set: kind.cancellingColumns(r) })),
    );
  }

  /**
   * Moves a cancellation to `state` (never backwards, never out of an end state): DONE cancels the
   * records it covers, TERMINATED_WITH_ERROR gives them back their state from before and, when the
   * system refused (`refusal` says why), opens the one CANCELLATION_REFUSED fallout on the CANCEL request,
   * whichever message told it first (the cancel task, or the order going on). Returns whether anything
   * changed.
   */
  async advance(
    ctx: RequestContext,
    kind: RecordKind,
    cancellation: CancellationEntity,
    records: FulfillmentRecord[],
    to: {
      state: CancellationState;
      externalId?: string | null;
      request: Pick<OutboundRequestEntity, 'id' | 'requestId'>;
      inboundMessageId?: string | null;
      refusal?: string;
      /** The external state the system reported with the cancellation (TMF653: the patched test's). */
      externalState?: string | null;
    },
  ): Promise<boolean> {
    if (!advances(cancellation, to.state, to.externalId)) return false;
    const done = to.state === CancellationState.DONE;
    const refused = to.state === CancellationState.TERMINATED_WITH_ERROR;
    Object.assign(cancellation, {
      state: to.state,
      externalId: cancellation.externalId ?? to.externalId ?? null,
      completedAt: done || refused ? new Date() : null,
    });
    await ctx.manager.save(CancellationEntity, cancellation);
    const open = records.filter((r) => r.fulfillmentState !== FulfillmentState.CANCELED);
    if (done) {
      await changeFulfillmentStates(ctx, this.publisher, kind, {
        records: open,
        state: FulfillmentState.CANCELED,
        also: { ...kind.canceledColumns, ...(to.externalState ? { externalState: to.externalState } : {}) },
        request: to.request,
        inboundMessageId: to.inboundMessageId,
      });
    } else if (refused) {
      await this.restore(ctx, kind, open);
      if (to.refusal !== undefined) {
        await this.fallouts.open(ctx, {
          request: to.request,
          kind,
          recordIds: records.map((r) => r.id),
          category: ErrorCategory.CANCELLATION_REFUSED,
          message: to.refusal,
          source: to.inboundMessageId ? FalloutSource.INBOUND : FalloutSource.OUTBOUND,
          inboundMessageId: to.inboundMessageId ?? null,
        });
      }
    }
    return true;
  }

  /** Gives records back the state they had before their cancellation. */
  async restore(ctx: RequestContext, kind: RecordKind, records: FulfillmentRecord[]): Promise<void> {
    await updateEachEntity(
      ctx.manager,
      kind.entity,
      records.map((r) => ({ id: r.id, set: kind.restoredColumns(r) })),
    );
  }

  /** The cancellations of CANCEL requests, by request id, locked for the caller's change. */
  byRequests(ctx: RequestContext, requestIds: string[]): Promise<CancellationEntity[]> {
    if (requestIds.length === 0) return Promise.resolve([]);
    return ctx.manager.find(CancellationEntity, { where: { outboundRequestId: In(requestIds) }, lock: { mode: 'pessimistic_write' } });
  }
}

/** Whether moving `cancellation` to `state` (with the task's id) changes it: never backwards, never out of an end state. */
export function advances(
  cancellation: Pick<CancellationEntity, 'state' | 'externalId'>,
  state: CancellationState,
  externalId?: string | null,
) {
  const ended = !OPEN_CANCELLATION.includes(cancellation.state);
  const backwards =
    OPEN_CANCELLATION.indexOf(state) >= 0 && OPEN_CANCELLATION.indexOf(state) < OPEN_CANCELLATION.indexOf(cancellation.state);
  const newExternalId = Boolean(externalId) && !cancellation.externalId;
  return !ended && !backwards && (state !== cancellation.state || newExternalId);
}

/** The latest cancellation shared for each record of a kind (null where there was none). */
export function cancellationOfRecordLoader(ctx: RequestContext, kind: RecordKind): DataLoader<string, CancellationEntity | null> {
  return ctx.loaders.loader(`cancellationOf:${kind.key}`, async (ids, m) => {
    // DISTINCT ON keeps each record's newest cancellation: one row per record, however many it had.
    const rows = await m.query<{ record_id: string; outbound_request_id: string }[]>(
      `SELECT DISTINCT ON (l.${kind.link.column}) l.${kind.link.column} AS record_id, c.outbound_request_id
         FROM cancellation c JOIN ${kind.link.table} l ON l.outbound_request_id = c.outbound_request_id
        WHERE l.${kind.link.column} = ANY ($1)
        ORDER BY l.${kind.link.column}, c.requested_at DESC`,
      [[...ids]],
    );
    const cancellations = await m.find(CancellationEntity, { where: { outboundRequestId: In(rows.map((r) => r.outbound_request_id)) } });
    const byRequest = new Map(cancellations.map((c) => [c.outboundRequestId, c]));
    const latest = new Map(rows.map((r) => [r.record_id, byRequest.get(r.outbound_request_id) ?? null]));
    return ids.map((id) => latest.get(id) ?? null);
  });
}
