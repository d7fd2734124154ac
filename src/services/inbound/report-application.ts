import { randomUUID } from 'node:crypto';
import { CancellationEntity } from '../../entities/cancellation.entity';
import {
  CancellationState,
  FalloutSource,
  FulfillmentState,
  InboundOutcome,
  OutboundOperation,
  OutboundRequestState,
} from '../../entities/enums';
import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import type { RequestContext } from '../context/request-context';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import type { FalloutService } from '../fallout/fallout.service';
import { entityColumns, toEntity, updateEachEntity } from '../common/entity-rows';
import { coveredRecords } from '../outbox/outbox';
import { OPEN_CANCELLATION, type Cancellations } from '../records/cancellations';
import type { RecordKind } from '../records/record-kind';
import type { ResourceReport } from '../tmf/resource-report';
import type { InboundMessages, NewInboundMessage } from './inbound-messages';
import { planReport, type ApplicationPlan, type PlanInput } from './report-plan';

/** The CREATE a report is about and the records it carries, locked in id order. */
export interface Target {
  kind: RecordKind;
  request: OutboundRequestEntity;
  records: FulfillmentRecord[];
}

export type TargetLookup = { target: Target } | { missing: string } | { notDelivered: OutboundRequestEntity };

/** How a report is applied, besides the report itself. */
export interface Application {
  message: Omit<NewInboundMessage, 'outcome' | 'reason' | 'records' | 'externalSystemId'>;
  meaning: PlanInput['meaning'];
  fieldPaths?: string[];
  eventTime: Date;
  /** A state mapping other than the kind's (the compact status call's pending/fulfilled/error). */
  fulfillmentStateOf?: PlanInput['fulfillmentStateOf'];
  stillCancelling?: PlanInput['stillCancelling'];
  /** False for polls: nothing is stored when nothing changed. */
  storeWhenStale: boolean;
}

/**
 * Applying what an external system reports to the records it concerns: finding them (by the resource's
 * id, else our correlation key), locking them in a fixed order (so two messages about overlapping records
 * never deadlock and never interleave), planning (report-plan.ts) and writing the plan, the message and
 * its events in the caller's transaction.
 */
export class ReportApplication {
  constructor(
    private readonly publisher: FulfillmentEventPublisher,
    private readonly messages: InboundMessages,
    private readonly fallouts: FalloutService,
    private readonly cancellations: Cancellations,
  ) {}

  /**
   * The CREATE this system was sent that the report is about (by the resource's id, else by our
   * correlation key) and, once it is delivered, the records it carries, locked in id order: one round trip.
   */
  async findTarget(
    ctx: RequestContext,
    system: ExternalSystemEntity,
    kind: RecordKind,
    report: Pick<ResourceReport, 'resourceId' | 'correlationId'>,
  ): Promise<TargetLookup> {
    const { manager } = ctx;
    const rows: Record<string, unknown>[] = await manager.query(
      `WITH req AS MATERIALIZED (
         SELECT * FROM (
           (SELECT o.*, 0 AS preference FROM outbound_request o
             WHERE o.external_system_id = $1 AND o.operation = $2 AND o.subject = $3 AND o.external_id = $4 ORDER BY o.seq DESC LIMIT 1)
           UNION ALL
           (SELECT o.*, 1 FROM outbound_request o
             WHERE o.external_system_id = $1 AND o.operation = $2 AND o.subject = $3 AND o.request_id = $5 ORDER BY o.seq DESC LIMIT 1)
         ) found ORDER BY preference LIMIT 1
       ),
       locked AS MATERIALIZED (
         SELECT r.* FROM ${kind.table} r
          WHERE r.id IN (SELECT l.${kind.link.column} FROM ${kind.link.table} l JOIN req ON l.outbound_request_id = req.id
                          WHERE req.state = $6)
          ORDER BY r.id FOR UPDATE
       )
       SELECT ${entityColumns(manager, OutboundRequestEntity, 'req')}, ${entityColumns(manager, kind.entity, 'r')}
         FROM req LEFT JOIN locked r ON true ORDER BY r.id`,
      [
        system.id,
        OutboundOperation.CREATE,
        kind.subject,
        report.resourceId ?? null,
        report.correlationId ?? null,
        OutboundRequestState.DELIVERED,
      ],
    );
    const request = rows.length > 0 ? toEntity(manager, OutboundRequestEntity, rows[0], 'req') : null;
    if (!request) {
      const named = [report.resourceId && `id ${report.resourceId}`, report.correlationId && `externalId ${report.correlationId}`].filter(
        Boolean,
      );
      return { missing: `${system.name} was never sent a ${kind.resourceKey} with ${named.join(' or ') || 'no id at all'}` };
    }
    if (request.state !== OutboundRequestState.DELIVERED) return { notDelivered: request };
    const records = rows.map((row) => toEntity(manager, kind.entity, row, 'r')).filter((r) => r !== null);
    return { target: { kind, request, records } };
  }

  /** The records a request carries, locked, in id order: the one lock order every inbound message uses. */
  async lockCovered(ctx: RequestContext, kind: RecordKind, request: OutboundRequestEntity): Promise<FulfillmentRecord[]> {
    return ctx.manager
      .createQueryBuilder(kind.entity, 'r')
      .where(`r.id IN (SELECT l.${kind.link.column} FROM ${kind.link.table} l WHERE l.outbound_request_id = :rid)`, { rid: request.id })
      .orderBy('r.id', 'ASC')
      .setLock('pessimistic_write')
      .getMany();
  }

  /** Plans and applies a report to its target; stores the message (unless a poll changed nothing). */
  async apply(ctx: RequestContext, system: ExternalSystemEntity, target: Target, report: ResourceReport, how: Application) {
    const { kind } = target;
    const cancellation = target.records.some((r) => kind.mayBeCancelling(r)) ? await this.openCancellation(ctx, target) : null;
    const receivedAt = new Date();
    const plan = planReport({
      records: target.records,
      resourceId: target.request.externalId,
      report,
      meaning: how.meaning,
      fieldPaths: how.fieldPaths,
      eventTime: how.eventTime,
      receivedAt,
      fulfillmentStateOf: how.fulfillmentStateOf ?? ((s) => kind.fulfillmentStateOf(s)),
      stillCancelling: how.stillCancelling ?? ((s) => kind.stillCancelling(s)),
      pointOfNoReturnMilestone: system.pointOfNoReturnMilestone,
      cancellation,
      canceledColumns: kind.canceledColumns,
    });
    const applied = plan.updates.length > 0;
    if (!applied && !how.storeWhenStale) return { plan, message: null };
    const message = await this.messages.record(ctx, {
      ...how.message,
      id: how.message.id ?? randomUUID(),
      externalSystemId: system.id,
      outcome: applied ? InboundOutcome.APPLIED : InboundOutcome.STALE,
      reason: plan.staleReason,
      records: { kind, ids: target.records.map((r) => r.id) },
    });
    if (applied) await this.write(ctx, target, plan, message.id, cancellation);
    return { plan, message };
  }

  private async write(
    ctx: RequestContext,
    target: Target,
    plan: ApplicationPlan,
    inboundMessageId: string,
    cancellation: CancellationEntity | null,
  ) {
    const { kind, request } = target;
    await updateEachEntity(
      ctx.manager,
      kind.entity,
      plan.updates.map((u) => ({ id: u.record.id, set: u.set })),
    );
    const changes = plan.updates.filter((u) => u.stateChange !== null);
    await this.publisher.fulfillmentStatesChanged(
      ctx,
      kind.subject,
      changes.map((u) => ({
        record: { ...u.record, fulfillmentState: u.stateChange!.next, externalState: u.stateChange!.externalState },
        previousState: u.stateChange!.previous,
        request,
        inboundMessageId,
      })),
    );
    for (const { recordId, measures } of plan.measures) {
      await kind.saveResults(
        ctx,
        target.records.find((r) => r.id === recordId)!,
        measures,
      );
    }
    for (const f of plan.fallouts) {
      await this.fallouts.open(ctx, { ...f, request, kind, source: FalloutSource.INBOUND, inboundMessageId });
    }
    if (cancellation) await this.followCancellation(ctx, target, plan, cancellation, inboundMessageId);
  }

  /** A report that cancels the records completes their cancellation; one that shows them going on ends it refused. */
  private async followCancellation(
    ctx: RequestContext,
    target: Target,
    plan: ApplicationPlan,
    cancellation: CancellationEntity,
    inboundMessageId: string,
  ) {
    const canceled = plan.updates.some((u) => u.stateChange?.next === FulfillmentState.CANCELED);
    const refused = plan.cancellationRefusal !== null;
    if (!canceled && !refused) return;
    const cancel = await ctx.manager.findOneByOrFail(OutboundRequestEntity, { id: cancellation.outboundRequestId });
    const records = await coveredRecords(ctx, cancel);
    await this.cancellations.advance(ctx, target.kind, cancellation, records, {
      state: canceled ? CancellationState.DONE : CancellationState.TERMINATED_WITH_ERROR,
      request: cancel,
      inboundMessageId,
      refusal: plan.cancellationRefusal?.message,
    });
  }

  /** The cancellation under way for the target's resource, locked. */
  private async openCancellation(ctx: RequestContext, target: Target): Promise<CancellationEntity | null> {
    if (!target.request.externalId) return null;
    const { manager } = ctx;
    const [row]: Record<string, unknown>[] = await manager.query(
      `SELECT ${entityColumns(manager, CancellationEntity, 'c')}
         FROM cancellation c JOIN outbound_request r ON r.id = c.outbound_request_id
        WHERE c.resource_id = $1 AND r.external_system_id = $2 AND c.state = ANY($3::text[])
        ORDER BY c.requested_at DESC LIMIT 1 FOR UPDATE OF c`,
      [target.request.externalId, target.request.externalSystemId, OPEN_CANCELLATION],
    );
    return row ? toEntity(manager, CancellationEntity, row, 'c') : null;
  }
}
