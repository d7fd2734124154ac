import { randomUUID } from 'node:crypto';
import { In, type EntityTarget } from 'typeorm';
import { DecisionRuleEntity } from '../../entities/decision-rule.entity';
import { DomainOrderEntity } from '../../entities/domain-order.entity';
import { DecisionSubject, FulfillmentState, OutboundOperation } from '../../entities/enums';
import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { TestMeasureDefinitionEntity, TestSpecificationEntity } from '../../entities/test-specification.entity';
import { TestRunEntity } from '../../entities/test-run.entity';
import type { OpenApiService } from '../admin/open-api.service';
import {
  ConflictError, ExternalSystemDisabledError, FulfillmentNotAllowedError, NoMatchingRuleError, TestMeasureDefinitionIdMissingError,
} from '../common/domain.errors';
import { canRequestFulfillment, loadSubtree } from '../common/record-lifecycle';
import type { RequestContext } from '../common/request-context';
import { evaluateRules, noMatchMessage } from '../decision/decision';
import type { DecisionRuleValue, TestSpecificationValue } from '../decision/decision.types';
import { SUBJECT_API } from '../decision/decision-rule.service';
import type { DomainOrderService } from '../domain-order/domain-order.service';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import type { ExternalSystemService } from '../external-system/external-system.service';
import type { TestRunService } from '../test-run/test-run.service';
import { missingDefinitionIds } from '../tmf653/service-test.payload';
import { orderTree, specificationValue, testRunTree } from './record-nodes';
import { planOrderSubmission, planTestRunSubmission, preOrder, type PlannedRequest } from './submission-plan';
import { LIVE_STATES, queueRequests, requestsOfRecord, type QueuedRequest } from './outbound-queue';

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
  subject: DecisionSubject;
  top: FulfillmentRecord;
  covered: FulfillmentRecord[];
  rule: DecisionRuleEntity;
  system: ExternalSystemEntity;
  requestId: string;
  plan: PlannedRequest[];
}

const ENTITY: Record<DecisionSubject, EntityTarget<FulfillmentRecord>> = {
  DOMAIN_ORDER: DomainOrderEntity,
  TEST_RUN: TestRunEntity,
};
const LABEL: Record<DecisionSubject, string> = { DOMAIN_ORDER: 'Domain order', TEST_RUN: 'Test run' };

/**
 * "Create Outbound Fulfillment Request": decide with the decision table, build the TMF payloads and
 * queue them in the outbound request table, all in the caller's transaction. Nothing is sent here;
 * the dispatcher sends after commit.
 */
export class SubmissionService {
  constructor(
    private readonly openApis: OpenApiService,
    private readonly externalSystems: ExternalSystemService,
    private readonly domainOrders: DomainOrderService,
    private readonly testRuns: TestRunService,
    private readonly events: FulfillmentEventPublisher,
    private readonly wakeDispatcher: () => void,
  ) {}

  /** Dry run: the rule, the target and the exact payloads (under a fresh requestId), without sending. */
  async evaluate(ctx: RequestContext, subject: DecisionSubject, subjectId: string): Promise<DecisionResult> {
    const p = await this.prepare(ctx, subject, subjectId, false);
    return { rule: p.rule, hierarchical: p.rule.hierarchical, externalSystem: p.system, payloads: p.plan.map((r) => r.payload) };
  }

  submitDomainOrder(ctx: RequestContext, id: string): Promise<FulfillmentRequestResult> {
    return this.submit(ctx, DecisionSubject.DOMAIN_ORDER, id);
  }

  submitTestRun(ctx: RequestContext, id: string): Promise<FulfillmentRequestResult> {
    return this.submit(ctx, DecisionSubject.TEST_RUN, id);
  }

  private async submit(ctx: RequestContext, subject: DecisionSubject, id: string): Promise<FulfillmentRequestResult> {
    await this.openApis.requireActive(ctx, SUBJECT_API[subject]);
    const p = await this.prepare(ctx, subject, id, true);
    if (!p.system.enabled) {
      throw new ExternalSystemDisabledError(
        `External system ${p.system.name} is disabled; enable it, or change decision rule "${p.rule.name}", before submitting ${LABEL[subject].toLowerCase()} ${p.top.number}`,
      );
    }
    const queued: QueuedRequest[] = p.plan.map((r) => ({
      ...r,
      operation: OutboundOperation.CREATE,
      dependsOnId: null,
    }));
    const requests = await queueRequests(ctx, this.events, {
      subject,
      requestId: p.requestId,
      system: p.system,
      rule: p.rule,
      requests: queued,
      versions: new Map(p.covered.map((r) => [r.id, r.version])),
    });
    const requestOf = new Map(p.plan.flatMap((planned, i) => planned.coveredIds.map((id) => [id, requests[i]] as const)));
    await this.markPending(ctx, subject, p.covered, requestOf);
    ctx.onCommit(this.wakeDispatcher);
    return { requestId: p.requestId, hierarchical: p.rule.hierarchical, rule: p.rule, outboundRequests: requests };
  }

  private async markPending(
    ctx: RequestContext,
    subject: DecisionSubject,
    records: FulfillmentRecord[],
    requestOf: Map<string, OutboundRequestEntity>,
  ) {
    await ctx.manager
      .createQueryBuilder()
      .update(ENTITY[subject])
      .set({ fulfillmentState: FulfillmentState.PENDING, externalState: null, externalId: null, updatesAvailable: false })
      .whereInIds(records.map((r) => r.id))
      .execute();
    await this.events.fulfillmentStatesChanged(
      ctx,
      subject,
      records.map((r) => ({
        record: { ...r, fulfillmentState: FulfillmentState.PENDING, externalState: null },
        previousState: r.fulfillmentState,
        request: requestOf.get(r.id) ?? null,
      })),
    );
  }

  private async prepare(ctx: RequestContext, subject: DecisionSubject, id: string, forSubmission: boolean): Promise<Prepared> {
    const top =
      subject === DecisionSubject.DOMAIN_ORDER
        ? await this.domainOrders.require(ctx, id, 'subjectId')
        : await this.testRuns.require(ctx, id, 'subjectId');
    const subtree = await this.liveSubtree(ctx, subject, top, forSubmission);
    const self = subtree[0];
    if (self.fulfillmentState === FulfillmentState.CANCELED) {
      throw new FulfillmentNotAllowedError(`${LABEL[subject]} ${self.number} is canceled`);
    }
    const node =
      subject === DecisionSubject.DOMAIN_ORDER
        ? orderTree(subtree as DomainOrderEntity[])
        : testRunTree(subtree as TestRunEntity[], await this.specifications(ctx, subtree as TestRunEntity[]));
    const rule = await this.decide(ctx, subject, node);
    const covered = rule.hierarchical ? subtree : [self];
    if (forSubmission) await this.assertSubmittable(ctx, subject, covered);
    const requestId = randomUUID();
    const plan =
      subject === DecisionSubject.DOMAIN_ORDER
        ? planOrderSubmission(node as ReturnType<typeof orderTree>, rule.hierarchical, requestId)
        : this.planTests(node as ReturnType<typeof testRunTree>, rule.hierarchical, requestId);
    const system = await this.externalSystems.require(ctx, rule.externalSystemId, 'rule.externalSystemId');
    return { subject, top: self, covered, rule, system, requestId, plan };
  }

  /** The record and its descendants that are not canceled, locked for the submission when asked. */
  private async liveSubtree(ctx: RequestContext, subject: DecisionSubject, top: FulfillmentRecord, lock: boolean) {
    const [self, ...descendants] = await loadSubtree(ctx, ENTITY[subject], top, lock);
    // A canceled record's descendants are canceled with it (and a canceled record gets no children).
    return [self, ...descendants.filter((r) => r.fulfillmentState !== FulfillmentState.CANCELED)];
  }

  private async decide(ctx: RequestContext, subject: DecisionSubject, node: Parameters<typeof evaluateRules>[1]) {
    const rules = await ctx.manager.find(DecisionRuleEntity, { where: { subject, active: true }, order: { priority: 'ASC' } });
    const match = evaluateRules(subject, node as never, rules as DecisionRuleValue[]);
    if (!match) throw new NoMatchingRuleError(noMatchMessage(subject, node as never));
    return rules.find((r) => r.id === match.id)!;
  }

  /**
   * Every covered record must allow a new request. A record whose request is still on its way means two
   * submissions raced (or a double click): CONFLICT. One already accepted: FULFILLMENT_NOT_ALLOWED.
   */
  private async assertSubmittable(ctx: RequestContext, subject: DecisionSubject, covered: FulfillmentRecord[]) {
    const blocked = covered.filter((r) => !canRequestFulfillment(r));
    if (blocked.length === 0) return;
    const first = blocked[0];
    const inFlight = (await requestsOfRecord(ctx, subject, first.id, LIVE_STATES)).find((r) => r.operation === OutboundOperation.CREATE);
    if (inFlight) {
      throw new ConflictError(`${LABEL[subject]} ${first.number} is already being submitted (outbound request ${inFlight.number}); wait for it`);
    }
    throw new FulfillmentNotAllowedError(
      `${LABEL[subject]} ${first.number} already has a successful outbound request (fulfillment state ${first.fulfillmentState}); a new one is allowed only when it is in ERROR`,
    );
  }

  private async specifications(ctx: RequestContext, runs: TestRunEntity[]): Promise<Map<string, TestSpecificationValue>> {
    const ids = [...new Set(runs.map((r) => r.specificationId))];
    const [specs, definitions] = await Promise.all([
      ctx.manager.findBy(TestSpecificationEntity, { id: In(ids) }),
      ctx.manager.find(TestMeasureDefinitionEntity, { where: { specificationId: In(ids) }, order: { position: 'ASC' } }),
    ]);
    return new Map(specs.map((s) => [s.id, specificationValue(s, definitions.filter((d) => d.specificationId === s.id))]));
  }

  private planTests(root: ReturnType<typeof testRunTree>, hierarchical: boolean, requestId: string): PlannedRequest[] {
    const runs = hierarchical ? preOrder(root) : [root];
    const problems = runs.flatMap((run) =>
      missingDefinitionIds(run.specification).map(
        (d) => `${run.number}: "${d.metricName}" of test specification ${run.specification.externalId}`,
      ),
    );
    if (problems.length) {
      throw new TestMeasureDefinitionIdMissingError(
        `The id field of the test measure definition must be filled before the run is sent; missing for ${[...new Set(problems)].join('; ')}`,
      );
    }
    return planTestRunSubmission(root, hierarchical, requestId);
  }
}


