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
import { entityColumns, plainColumns, toEntity, updateEachEntity } from '../common/entity-rows';
import { coveredRecords } from '../outbox/outbox';
import { OPEN_CANCELLATION, type Cancellations } from '../records/cancellations';
import type { RecordKind } from '../records/record-kind';
import type { ResourceReport } from '../tmf/resource-report';
import type { InboundMessageEntity } from '../../entities/inbound-message.entity';
import { EventReceivedBefore, type InboundMessages, type NewInboundMessage } from './inbound-messages';
import { planReport, type ApplicationPlan, type PlanInput } from './report-plan';
import { prepared } from '../common/prepared';

/** The CREATE a report is about and the records it carries, locked in id order. */
export interface Target {
  kind: RecordKind;
  request: OutboundRequestEntity;
  records: FulfillmentRecord[];
}

/** A report to apply (ReportApplication.applyMany). */
export interface Applying {
  system: ExternalSystemEntity;
  target: Target;
  report: ResourceReport;
  how: Application;
}

/** What applying a report came to: its plan and stored message (null for a poll that changed nothing), or a repeat of an event. */
export type Applied = { plan: ApplicationPlan; message: InboundMessageEntity | null } | { receivedBefore: true };

interface Planned extends Applying {
  plan: ApplicationPlan;
  cancellation: CancellationEntity | null;
  message: InboundMessageEntity | null;
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
    const [lookup] = await this.findTargets(ctx, kind, [{ system, report }]);
    return lookup;
  }

  /**
   * findTarget for several reports of one kind in one round trip. The records of all of them are locked
   * together, in id order, so a batch never deadlocks with another batch or with a single message. A
   * look-up by an id the report does not carry is skipped at run time (the `IS NOT NULL` gates): the
   * plan is made once for all of the batch's reports and cannot know which ids each one has.
   */
  async findTargets(
    ctx: RequestContext,
    kind: RecordKind,
    wanted: { system: ExternalSystemEntity; report: Pick<ResourceReport, 'resourceId' | 'correlationId'> }[],
  ): Promise<TargetLookup[]> {
    const { manager } = ctx;
    const { link } = kind;
    const rows: Record<string, unknown>[] = await manager.query(
      prepared(`WITH wanted AS (
         SELECT * FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[]) AS w(i, system_id, resource_id, correlation_id)
       ),
       req AS MATERIALIZED (
         SELECT w.i, ${plainColumns(manager, OutboundRequestEntity, 'found')} FROM wanted w CROSS JOIN LATERAL (
           SELECT ${plainColumns(manager, OutboundRequestEntity, 'candidates')} FROM (
             (SELECT ${plainColumns(manager, OutboundRequestEntity, 'o')}, 0 AS preference FROM outbound_request o
               WHERE w.resource_id IS NOT NULL AND o.external_system_id = w.system_id AND o.operation = $5 AND o.subject = $6
                 AND o.external_id = w.resource_id
               ORDER BY o.seq DESC LIMIT 1)
             UNION ALL
             (SELECT ${plainColumns(manager, OutboundRequestEntity, 'o')}, 1 FROM outbound_request o
               WHERE w.correlation_id IS NOT NULL AND o.external_system_id = w.system_id AND o.operation = $5 AND o.subject = $6
                 AND o.request_id = w.correlation_id
               ORDER BY o.seq DESC LIMIT 1)
           ) candidates ORDER BY candidates.preference LIMIT 1
         ) found
       ),
       locked AS MATERIALIZED (
         SELECT ${plainColumns(manager, kind.entity, 'r')} FROM ${kind.table} r
          WHERE r.id IN (SELECT l.${link.column} FROM ${link.table} l JOIN req ON l.outbound_request_id = req.id WHERE req.state = $7)
          ORDER BY r.id FOR UPDATE
       )
       SELECT req.i AS "wanted", ${entityColumns(manager, OutboundRequestEntity, 'req')}, ${entityColumns(manager, kind.entity, 'r')}
         FROM req LEFT JOIN ${link.table} l ON l.outbound_request_id = req.id AND req.state = $7
              LEFT JOIN locked r ON r.id = l.${link.column}
        ORDER BY req.i, r.id`),
      [
        wanted.map((_, i) => i),
        wanted.map((w) => w.system.id),
        wanted.map((w) => w.report.resourceId ?? null),
        wanted.map((w) => w.report.correlationId ?? null),
        OutboundOperation.CREATE,
        kind.subject,
        OutboundRequestState.DELIVERED,
      ],
    );
    const found = wanted.map(() => ({ request: null as OutboundRequestEntity | null, records: [] as FulfillmentRecord[] }));
    for (const row of rows) {
      const one = found[Number(row.wanted)];
      one.request ??= toEntity(manager, OutboundRequestEntity, row, 'req');
      const record = toEntity(manager, kind.entity, row, 'r');
      if (record) one.records.push(record);
    }
    return found.map(({ request, records }, i): TargetLookup => {
      if (!request) {
        const { system, report } = wanted[i];
        const named = [report.resourceId && `id ${report.resourceId}`, report.correlationId && `externalId ${report.correlationId}`].filter(
          Boolean,
        );
        return { missing: `${system.name} was never sent a ${kind.resourceKey} with ${named.join(' or ') || 'no id at all'}` };
      }
      if (request.state !== OutboundRequestState.DELIVERED) return { notDelivered: request };
      return { target: { kind, request, records } };
    });
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
    const [done] = await this.applyMany(ctx, [{ system, target, report, how }]);
    if ('receivedBefore' in done) throw new EventReceivedBefore(system.id, how.message.eventId!);
    return done;
  }

  /**
   * apply for several reports, each about a target of its own (no record in two of them): one statement
   * stores all their messages, one per distinct change writes their records, one NOTIFY at commit. A
   * report whose event its system sent before is not stored and changes nothing (`receivedBefore`); the
   * caller must not commit the transaction as the answer to that event.
   */
  async applyMany(ctx: RequestContext, reports: Applying[]): Promise<Applied[]> {
    const planned: Planned[] = [];
    for (const r of reports) {
      const { kind } = r.target;
      const cancellation = r.target.records.some((rec) => kind.mayBeCancelling(rec)) ? await this.openCancellation(ctx, r.target) : null;
      const plan = planReport({
        records: r.target.records,
        resourceId: r.target.request.externalId,
        report: r.report,
        meaning: r.how.meaning,
        fieldPaths: r.how.fieldPaths,
        eventTime: r.how.eventTime,
        receivedAt: new Date(),
        fulfillmentStateOf: r.how.fulfillmentStateOf ?? ((state) => kind.fulfillmentStateOf(state)),
        stillCancelling: r.how.stillCancelling ?? ((state) => kind.stillCancelling(state)),
        pointOfNoReturnMilestone: r.system.pointOfNoReturnMilestone,
        cancellation,
        canceledColumns: kind.canceledColumns,
      });
      planned.push({ ...r, plan, cancellation, message: null });
    }
    const storing = planned.filter((p) => p.plan.updates.length > 0 || p.how.storeWhenStale);
    const stored = await this.messages.recordMany(
      ctx,
      storing.map((p) => ({
        ...p.how.message,
        id: p.how.message.id ?? randomUUID(),
        externalSystemId: p.system.id,
        outcome: p.plan.updates.length > 0 ? InboundOutcome.APPLIED : InboundOutcome.STALE,
        reason: p.plan.staleReason,
        records: { kind: p.target.kind, ids: p.target.records.map((rec) => rec.id) },
      })),
    );
    const repeated = new Set<Planned>();
    storing.forEach((p, i) => {
      if (stored[i]) p.message = stored[i];
      else repeated.add(p);
    });
    await this.write(
      ctx,
      planned.filter((p) => p.message && p.plan.updates.length > 0),
    );
    return planned.map((p) => (repeated.has(p) ? { receivedBefore: true as const } : { plan: p.plan, message: p.message }));
  }

  /** The records' changes, one statement per kind and distinct set, then each report's results, fallouts and cancellation. */
  private async write(ctx: RequestContext, planned: Planned[]) {
    for (const kind of new Set(planned.map((p) => p.target.kind))) {
      const ofKind = planned.filter((p) => p.target.kind === kind);
      await updateEachEntity(
        ctx.manager,
        kind.entity,
        ofKind.flatMap((p) => p.plan.updates.map((u) => ({ id: u.record.id, set: u.set }))),
      );
      await this.publisher.fulfillmentStatesChanged(
        ctx,
        kind.subject,
        ofKind.flatMap((p) =>
          p.plan.updates
            .filter((u) => u.stateChange !== null)
            .map((u) => ({
              record: { ...u.record, fulfillmentState: u.stateChange!.next, externalState: u.stateChange!.externalState },
              previousState: u.stateChange!.previous,
              request: p.target.request,
              inboundMessageId: p.message!.id,
            })),
        ),
      );
    }
    for (const { target, plan, message, cancellation } of planned) {
      const { kind, request } = target;
      for (const { recordId, measures } of plan.measures) {
        await kind.saveResults(
          ctx,
          target.records.find((r) => r.id === recordId)!,
          measures,
        );
      }
      for (const f of plan.fallouts) {
        await this.fallouts.open(ctx, { ...f, request, kind, source: FalloutSource.INBOUND, inboundMessageId: message!.id });
      }
      if (cancellation) await this.followCancellation(ctx, target, plan, cancellation, message!.id);
    }
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
