import { randomUUID } from 'node:crypto';
import { DecisionRuleEntity } from '../../entities/decision-rule.entity';
import { DecisionSubject, FulfillmentState, OutboundOperation } from '../../entities/enums';
import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import type { OpenApiService } from '../admin/open-api.service';
import { ConflictError, ExternalSystemDisabledError, FulfillmentNotAllowedError, NoMatchingRuleError } from '../common/domain.errors';
import type { RequestContext } from '../context/request-context';
import { evaluateRules, noMatchMessage } from '../decision/decision';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import type { ExternalSystemService } from '../external-system/external-system.service';
import type { PollSchedules } from '../inbound/poll-schedules';
import type { PlannedRequest } from '../model/record-model';
import { LIVE_STATES, requestsOfRecord, type Outbox } from '../outbox/outbox';
import { changeFulfillmentStates } from '../records/fulfillment-states';
import { labelOf, type RecordKind, type RecordNode } from '../records/record-kind';
import { recordKind } from '../records/record-kinds';
import { canRequestFulfillment, loadSubtree } from '../records/record-lifecycle';
import { requireRecord } from '../records/record-loaders';

export interface DecisionResult {
  rule: DecisionRuleEntity;
  hierarchical: boolean;
  externalSystem: ExternalSystemEntity;
  payloads: unknown[];
}

export interface FulfillmentRequestResult {
  requestId: string;
  hierarchical: boolean;
  rule: DecisionRuleEntity;
  outboundRequests: OutboundRequestEntity[];
}

interface Prepared {
  kind: RecordKind;
  top: FulfillmentRecord;
  covered: FulfillmentRecord[];
  rule: DecisionRuleEntity;
  system: ExternalSystemEntity;
  requestId: string;
  plan: PlannedRequest[];
}

/**
 * "Create Outbound Fulfillment Request": decide with the decision table, build the TMF payloads and
 * queue them in the outbound request table, all in the caller's transaction. Nothing is sent here;
 * the dispatcher sends after commit.
 */
export class SubmissionService {
  constructor(
    private readonly openApis: OpenApiService,
    private readonly externalSystems: ExternalSystemService,
    private readonly outbox: Outbox,
    private readonly publisher: FulfillmentEventPublisher,
    private readonly polls: PollSchedules,
  ) {}

  /** Dry run: the rule, the target and the exact payloads (under a fresh requestId), without sending. */
  async evaluate(ctx: RequestContext, subject: DecisionSubject, subjectId: string): Promise<DecisionResult> {
    const p = await this.prepare(ctx, recordKind(subject), subjectId, false);
    return { rule: p.rule, hierarchical: p.rule.hierarchical, externalSystem: p.system, payloads: p.plan.map((r) => r.payload) };
  }

  async submit(ctx: RequestContext, subject: DecisionSubject, id: string): Promise<FulfillmentRequestResult> {
    const kind = recordKind(subject);
    await this.openApis.requireActive(ctx, kind.api);
    const p = await this.prepare(ctx, kind, id, true);
    if (!p.system.enabled) {
      throw new ExternalSystemDisabledError(
        `External system ${p.system.name} is disabled; enable it, or change decision rule "${p.rule.name}", before submitting ${kind.label.toLowerCase()} ${p.top.number}`,
      );
    }
    const requests = await this.outbox.queue(ctx, {
      kind,
      requestId: p.requestId,
      system: p.system,
      rule: p.rule,
      requests: p.plan.map((r) => ({ ...r, operation: OutboundOperation.CREATE, dependsOnId: null })),
      versions: new Map(p.covered.map((r) => [r.id, r.version])),
    });
    await this.polls.schedule(ctx, p.system, requests);
    const requestOf = new Map(p.plan.flatMap((planned, i) => planned.coveredIds.map((id) => [id, requests[i]] as const)));
    await changeFulfillmentStates(ctx, this.publisher, kind, {
      records: p.covered,
      state: FulfillmentState.PENDING,
      also: { externalState: null, externalId: null, updatesAvailable: false },
      request: (r) => requestOf.get(r.id) ?? null,
    });
    return { requestId: p.requestId, hierarchical: p.rule.hierarchical, rule: p.rule, outboundRequests: requests };
  }

  private async prepare(ctx: RequestContext, kind: RecordKind, id: string, forSubmission: boolean): Promise<Prepared> {
    const top = await requireRecord(ctx, kind, id, 'subjectId');
    const subtree = await this.liveSubtree(ctx, kind, top, forSubmission);
    const self = subtree[0];
    if (self.fulfillmentState === FulfillmentState.CANCELED) {
      throw new FulfillmentNotAllowedError(`${labelOf(kind, self)} is canceled`);
    }
    const node = await kind.toTree(ctx, subtree);
    const rule = await this.decide(ctx, kind, node);
    const covered = rule.hierarchical ? subtree : [self];
    if (forSubmission) await this.assertSubmittable(ctx, kind, covered);
    const requestId = randomUUID();
    const plan = kind.planCreate(node, rule.hierarchical, requestId);
    const system = await this.externalSystems.require(ctx, rule.externalSystemId, 'rule.externalSystemId');
    return { kind, top: self, covered, rule, system, requestId, plan };
  }

  /** The record and its descendants that are not canceled, locked for the submission when asked. */
  private async liveSubtree(ctx: RequestContext, kind: RecordKind, top: FulfillmentRecord, lock: boolean) {
    const [self, ...descendants] = await loadSubtree(ctx, kind, top, lock);
    // A canceled record's descendants are canceled with it (and a canceled record gets no children).
    return [self, ...descendants.filter((r) => r.fulfillmentState !== FulfillmentState.CANCELED)];
  }

  private async decide(ctx: RequestContext, kind: RecordKind, node: RecordNode) {
    const rules = await ctx.manager.find(DecisionRuleEntity, {
      where: { subject: kind.subject, active: true },
      order: { priority: 'ASC' },
    });
    const match = evaluateRules(kind.subject, node, rules);
    if (!match) throw new NoMatchingRuleError(noMatchMessage(kind.subject, node));
    return rules.find((r) => r.id === match.id)!;
  }

  /**
   * Every covered record must allow a new request. A record whose request is still on its way means two
   * submissions raced (or a double click): CONFLICT. One already accepted: FULFILLMENT_NOT_ALLOWED.
   */
  private async assertSubmittable(ctx: RequestContext, kind: RecordKind, covered: FulfillmentRecord[]) {
    const blocked = covered.filter((r) => !canRequestFulfillment(r));
    if (blocked.length === 0) return;
    const first = blocked[0];
    const inFlight = (await requestsOfRecord(ctx, kind, first.id, LIVE_STATES)).find((r) => r.operation === OutboundOperation.CREATE);
    if (inFlight) {
      throw new ConflictError(`${labelOf(kind, first)} is already being submitted (outbound request ${inFlight.number}); wait for it`);
    }
    throw new FulfillmentNotAllowedError(
      `${labelOf(kind, first)} already has a successful outbound request (fulfillment state ${first.fulfillmentState}); a new one is allowed only when it is in ERROR`,
    );
  }
}
