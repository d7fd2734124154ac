import { randomUUID } from 'node:crypto';
import { DecisionRuleEntity } from '../../entities/decision-rule.entity';
import { FulfillmentState, OutboundOperation, OutboundRequestState } from '../../entities/enums';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import type { OpenApiService } from '../admin/open-api.service';
import { CancellationNotAllowedError, ConflictError, ExternalSystemDisabledError, PointOfNoReturnError } from '../common/domain.errors';
import { optionalText } from '../common/input-checks';
import type { RequestContext } from '../context/request-context';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import type { ExternalSystemService } from '../external-system/external-system.service';
import { coveredRecords, LIVE_STATES, requestsOfRecord, type Outbox } from '../outbox/outbox';
import type { RequestTransitions } from '../outbox/request-transitions';
import type { Cancellations } from '../records/cancellations';
import { changeFulfillmentStates } from '../records/fulfillment-states';
import { labelOf, type RecordKind } from '../records/record-kind';
import { recordKind } from '../records/record-kinds';
import { loadSubtree } from '../records/record-lifecycle';
import { requireRecord } from '../records/record-loaders';

/** External states after which there is nothing left to cancel. */
const FINAL_EXTERNAL = new Set(['completed', 'cancelled', 'canceled']);

interface SentGroup {
  create: OutboundRequestEntity;
  /** The records of the subtree the CREATE carries. */
  records: FulfillmentRecord[];
}

/**
 * cancelDomainOrder / cancelTestRun: the record and every descendant. What was never sent is CANCELED at
 * once; what an external system has is cancelled there: a CANCEL per delivered CREATE (TMF641
 * cancelServiceOrder, TMF653 PATCH state cancelled), the records kept as they are (a domain order shows
 * CANCELLATION_IN_PROGRESS) until the system answers. A CREATE not sent yet is discarded instead; one being
 * sent right now is waited for (CONFLICT). Only the root of what one request carries can be cancelled at
 * the system: a descendant of it is CANCELLATION_NOT_ALLOWED, naming the root.
 */
export class CancellationService {
  constructor(
    private readonly openApis: OpenApiService,
    private readonly externalSystems: ExternalSystemService,
    private readonly outbox: Outbox,
    private readonly transitions: RequestTransitions,
    private readonly cancellations: Cancellations,
    private readonly publisher: FulfillmentEventPublisher,
  ) {}

  async cancel(ctx: RequestContext, subject: string, id: string, reason: string | null | undefined): Promise<FulfillmentRecord> {
    const kind = recordKind(subject);
    const record = await requireRecord(ctx, kind, id, 'id');
    const text = optionalText(reason, 'reason', 1000);
    const locked = await loadSubtree(ctx, kind, record);
    if (locked[0].fulfillmentState === FulfillmentState.CANCELED) throw new ConflictError(`${labelOf(kind, record)} is already canceled`);
    const subtree = locked.filter((r) => r.fulfillmentState !== FulfillmentState.CANCELED);
    const atPonr = subtree.find((r) => kind.atPointOfNoReturn(r));
    if (atPonr) throw new PointOfNoReturnError(`${labelOf(kind, atPonr)} is at its point of no return; the hierarchy cannot be canceled`);
    const { sent, local } = await this.sort(ctx, kind, subtree);
    await changeFulfillmentStates(ctx, this.publisher, kind, {
      records: local,
      state: FulfillmentState.CANCELED,
      also: { ...kind.canceledColumns, version: () => 'version + 1' },
    });
    for (const group of sent) await this.shareCancellation(ctx, kind, group, text);
    return ctx.manager.findOneByOrFail(kind.entity, { id: record.id });
  }

  /** Splits the subtree into what external systems have (by the CREATE that carries it) and what they never got. */
  private async sort(ctx: RequestContext, kind: RecordKind, subtree: FulfillmentRecord[]) {
    const inTree = new Set(subtree.map((r) => r.id));
    const groups = new Map<string, SentGroup>();
    const local: FulfillmentRecord[] = [];
    for (const record of subtree) {
      const live = await requestsOfRecord(ctx, kind, record.id, [...LIVE_STATES, OutboundRequestState.DELIVERED]);
      const cancel = live.find((r) => r.operation === OutboundOperation.CANCEL);
      if (cancel) throw new ConflictError(`${labelOf(kind, record)} is already being cancelled (outbound request ${cancel.number})`);
      const create = live.find((r) => r.operation === OutboundOperation.CREATE);
      if (!create || record.fulfillmentState === FulfillmentState.NOT_REQUESTED) {
        local.push(record);
        continue;
      }
      if (create.state !== OutboundRequestState.DELIVERED) {
        await this.withdraw(ctx, kind, record, create);
        local.push(record);
        continue;
      }
      const group = groups.get(create.id) ?? { create, records: [] };
      group.records.push(record);
      groups.set(create.id, group);
    }
    for (const group of groups.values()) await this.assertCancellable(ctx, kind, group, inTree);
    return { sent: [...groups.values()], local };
  }

  /** A CREATE not sent yet is set aside: the system never sees the record. One on its way now cannot be. */
  private async withdraw(ctx: RequestContext, kind: RecordKind, record: FulfillmentRecord, create: OutboundRequestEntity) {
    if (create.state === OutboundRequestState.SENDING || create.outcomeUnknown) {
      throw new ConflictError(
        `${labelOf(kind, record)} is being sent to its external system right now (outbound request ${create.number}); cancel it again once it was accepted`,
      );
    }
    if (create.state === OutboundRequestState.QUEUED || create.state === OutboundRequestState.RETRY_SCHEDULED) {
      await this.transitions.discard(ctx, create, `Canceled before it was sent (${labelOf(kind, record)})`);
    }
  }

  private async assertCancellable(ctx: RequestContext, kind: RecordKind, group: SentGroup, inTree: Set<string>) {
    const covered = await coveredRecords(ctx, group.create);
    const root = covered[0];
    if (!inTree.has(root.id)) {
      throw new CancellationNotAllowedError(
        `${labelOf(kind, group.records[0])} was sent as part of ${root.number} (outbound request ${group.create.number}); only ${root.number} can be cancelled at the external system`,
      );
    }
    const final = covered.find(
      (r) => r.id === root.id && (r.fulfillmentState === FulfillmentState.FULFILLED || FINAL_EXTERNAL.has(r.externalState ?? '')),
    );
    if (final) {
      throw new CancellationNotAllowedError(
        `${labelOf(kind, final)} is ${final.externalState ?? final.fulfillmentState} at its external system; there is nothing left to cancel`,
      );
    }
    if (!group.create.externalId) {
      throw new CancellationNotAllowedError(
        `${labelOf(kind, root)} was accepted without an id (outbound request ${group.create.number}): there is no external resource to cancel`,
      );
    }
  }

  private async shareCancellation(ctx: RequestContext, kind: RecordKind, group: SentGroup, reason: string | null) {
    await this.openApis.requireActive(ctx, kind.api);
    const system = await this.externalSystems.require(ctx, group.create.externalSystemId, 'externalSystemId');
    if (!system.enabled)
      throw new ExternalSystemDisabledError(`External system ${system.name} is disabled; enable it before cancelling what it has`);
    const covered = (await coveredRecords(ctx, group.create)).filter((r) => r.fulfillmentState !== FulfillmentState.CANCELED);
    const plan = kind.cancelRequest(group.create.externalId!, reason);
    // Behind whatever of the record is still on its way (a REVISE): the system sees them in order.
    const last = (await requestsOfRecord(ctx, kind, covered[0].id, LIVE_STATES))[0] ?? null;
    const [request] = await this.outbox.queue(ctx, {
      kind,
      requestId: randomUUID(),
      system,
      rule: group.create.ruleId ? await ctx.manager.findOneBy(DecisionRuleEntity, { id: group.create.ruleId }) : null,
      requests: [{ operation: OutboundOperation.CANCEL, ...plan, coveredIds: covered.map((r) => r.id), dependsOnId: last?.id ?? null }],
      versions: new Map(covered.map((r) => [r.id, r.version + 1])),
    });
    await ctx.manager
      .createQueryBuilder()
      .update(kind.entity)
      .set({ version: () => 'version + 1' })
      .whereInIds(covered.map((r) => r.id))
      .execute();
    await this.cancellations.start(ctx, kind, { request, resourceId: group.create.externalId!, reason }, covered);
  }
}
