import { randomUUID } from 'node:crypto';
import { DecisionRuleEntity } from '../../entities/decision-rule.entity';
import { DecisionSubject, FulfillmentState, OutboundOperation } from '../../entities/enums';
import { ExternalSystemEntity } from '../../entities/external-system.entity';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import type { OpenApiService } from '../admin/open-api.service';
import {
  ConflictError,
  ExternalSystemDisabledError,
  FulfillmentNotAllowedError,
  NoMatchingRuleError,
  NotFoundError,
} from '../common/domain.errors';
import { entityColumns, toEntity } from '../common/entity-rows';
import { prepared } from '../common/prepared';
import type { RequestContext } from '../context/request-context';
import { evaluateRules, noMatchMessage } from '../decision/decision';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import type { PollSchedules } from '../inbound/poll-schedules';
import type { PlannedRequest } from '../model/record-model';
import { LIVE_STATES, requestsOfRecord, type Outbox } from '../outbox/outbox';
import { changeFulfillmentStates } from '../records/fulfillment-states';
import { labelOf, type RecordKind, type RecordNode } from '../records/record-kind';
import { recordKind } from '../records/record-kinds';
import { canRequestFulfillment, loadSubtree, lockSubtreeById } from '../records/record-lifecycle';
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
    const subtree = forSubmission ? await this.lockedLiveSubtree(ctx, kind, id) : await this.liveSubtree(ctx, kind, id, false);
    const self = subtree[0];
    if (self.fulfillmentState === FulfillmentState.CANCELED) {
      throw new FulfillmentNotAllowedError(`${labelOf(kind, self)} is canceled`);
    }
    const node = await kind.toTree(ctx, subtree);
    const { rule, system } = await this.decide(ctx, kind, node);
    const covered = rule.hierarchical ? subtree : [self];
    if (forSubmission) await this.assertSubmittable(ctx, kind, covered);
    const requestId = randomUUID();
    const plan = kind.planCreate(node, rule.hierarchical, requestId);
    return { kind, top: self, covered, rule, system, requestId, plan };
  }

  /** The record and its descendants that are not canceled, locked when asked. */
  private async liveSubtree(ctx: RequestContext, kind: RecordKind, id: string, lock: boolean) {
    const top = await requireRecord(ctx, kind, id, 'subjectId');
    return withoutCanceled(await loadSubtree(ctx, kind, top, lock));
  }

  /**
   * liveSubtree, locked, for a submission: only while the kind's Open API is active (API_NOT_ACTIVE
   * first, then NOT_FOUND), read in one statement with that check; the refusals take the slow way.
   */
  private async lockedLiveSubtree(ctx: RequestContext, kind: RecordKind, id: string) {
    const tree = await lockSubtreeById(ctx, kind, id, this.openApis.activeGuard(kind.api));
    if (tree.length) return withoutCanceled(tree);
    await this.openApis.requireActive(ctx, kind.api);
    return this.liveSubtree(ctx, kind, id, true);
  }

  /** The first active rule that matches, with its external system (one statement). */
  private async decide(ctx: RequestContext, kind: RecordKind, node: RecordNode) {
    const m = ctx.manager;
    const rows = await m.query<Record<string, unknown>[]>(
      prepared(`SELECT ${entityColumns(m, DecisionRuleEntity, 'r', 'rule')}, ${entityColumns(m, ExternalSystemEntity, 's', 'system')}
         FROM decision_rule r LEFT JOIN external_system s ON s.id = r.external_system_id
        WHERE r.subject = $1 AND r.active
        ORDER BY r.priority ASC`),
      [kind.subject],
    );
    const rules = rows.map((row) => ({
      rule: toEntity(m, DecisionRuleEntity, row, 'rule')!,
      system: toEntity(m, ExternalSystemEntity, row, 'system'),
    }));
    const match = evaluateRules(
      kind.subject,
      node,
      rules.map((r) => r.rule),
    );
    if (!match) throw new NoMatchingRuleError(noMatchMessage(kind.subject, node));
    const { rule, system } = rules.find((r) => r.rule.id === match.id)!;
    if (!system) throw new NotFoundError('External system', rule.externalSystemId, 'rule.externalSystemId');
    return { rule, system };
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

/** A canceled record's descendants are canceled with it (and a canceled record gets no children). */
function withoutCanceled([self, ...descendants]: FulfillmentRecord[]): FulfillmentRecord[] {
  return [self, ...descendants.filter((r) => r.fulfillmentState !== FulfillmentState.CANCELED)];
}
