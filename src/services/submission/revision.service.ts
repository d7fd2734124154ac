import { randomUUID } from 'node:crypto';
import { DecisionRuleEntity } from '../../entities/decision-rule.entity';
import type { DomainOrderEntity } from '../../entities/domain-order.entity';
import { DecisionSubject, OutboundOperation, OutboundRequestState } from '../../entities/enums';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import type { TestRunEntity } from '../../entities/test-run.entity';
import type { OpenApiService } from '../admin/open-api.service';
import { ExternalSystemDisabledError, FulfillmentNotAllowedError, NoMatchingRuleError, NoUpdatesAvailableError } from '../common/domain.errors';
import type { RequestContext } from '../common/request-context';
import { SUBJECT_API } from '../decision/decision-rule.service';
import type { DomainOrderService } from '../domain-order/domain-order.service';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import type { ExternalSystemService } from '../external-system/external-system.service';
import { coveredRecords } from '../outbound/exception.service';
import type { TestRunService } from '../test-run/test-run.service';
import { buildServiceOrderRevision } from '../tmf641/service-order.payload';
import { buildServiceTestRevision } from '../tmf653/service-test.payload';
import { LIVE_STATES, queueRequests, requestsOfRecord } from './outbound-queue';
import { orderTree, specificationValue, testRunTree } from './record-nodes';
import { assertValidPayload } from './submission-plan';
import type { FulfillmentRequestResult } from './submission.service';
import { TestMeasureDefinitionEntity, TestSpecificationEntity } from '../../entities/test-specification.entity';

/** Path of the external resource a REVISE changes; empty until its CREATE delivered the external id. */
export function revisePath(subject: DecisionSubject, externalId: string | null): string {
  if (!externalId) return '';
  return `${subject === DecisionSubject.DOMAIN_ORDER ? '/serviceOrder' : '/serviceTest'}/${encodeURIComponent(externalId)}`;
}

/**
 * "Revise Outbound Request": shares in-flight changes (revisions made since the last successful
 * request) as a PATCH of the external order or test. It is queued behind the record's last request
 * and waits for its CREATE's external id; the dispatcher clears updatesAvailable once it is delivered.
 */
export class RevisionService {
  constructor(
    private readonly openApis: OpenApiService,
    private readonly externalSystems: ExternalSystemService,
    private readonly domainOrders: DomainOrderService,
    private readonly testRuns: TestRunService,
    private readonly events: FulfillmentEventPublisher,
    private readonly wakeDispatcher: () => void,
  ) {}

  reviseDomainOrderRequest(ctx: RequestContext, id: string): Promise<FulfillmentRequestResult> {
    return this.revise(ctx, DecisionSubject.DOMAIN_ORDER, id);
  }

  reviseTestRunRequest(ctx: RequestContext, id: string): Promise<FulfillmentRequestResult> {
    return this.revise(ctx, DecisionSubject.TEST_RUN, id);
  }

  private async revise(ctx: RequestContext, subject: DecisionSubject, id: string): Promise<FulfillmentRequestResult> {
    const record =
      subject === DecisionSubject.DOMAIN_ORDER
        ? await this.domainOrders.require(ctx, id, 'domainOrderId')
        : await this.testRuns.require(ctx, id, 'testRunId');
    const label = `${subject === DecisionSubject.DOMAIN_ORDER ? 'Domain order' : 'Test run'} ${record.number}`;
    if (!record.updatesAvailable) throw new NoUpdatesAvailableError(`${label} has no changes since its last successful outbound request`);
    await this.openApis.requireActive(ctx, SUBJECT_API[subject]);
    // The record's requests that did not fail or get discarded, newest first.
    const chain = await requestsOfRecord(ctx, subject, record.id, [...LIVE_STATES, OutboundRequestState.DELIVERED]);
    const create = chain.find((r) => r.operation === OutboundOperation.CREATE);
    if (!create) throw new NoUpdatesAvailableError(`${label} has no successful outbound request to revise`);
    const system = await this.externalSystems.require(ctx, create.externalSystemId, 'externalSystemId');
    if (!system.enabled) throw new ExternalSystemDisabledError(`External system ${system.name} is disabled; enable it before sharing changes`);
    if (create.state === OutboundRequestState.DELIVERED && !create.externalId) {
      throw new FulfillmentNotAllowedError(
        `${label} was accepted by ${system.name} without an id (outbound request ${create.number}): there is no external resource to change`,
      );
    }
    const changed = (await coveredRecords(ctx, create)).filter((r) => r.updatesAvailable);
    const payload = await this.payload(ctx, subject, changed, create.requestId);
    const last = chain[0];
    const requestId = randomUUID();
    const [request] = await queueRequests(ctx, this.events, {
      subject,
      requestId,
      system,
      rule: create.ruleId ? await ctx.manager.findOneBy(DecisionRuleEntity, { id: create.ruleId }) : null,
      requests: [
        {
          operation: OutboundOperation.REVISE,
          httpMethod: 'PATCH',
          path: revisePath(subject, create.externalId),
          payload,
          coveredIds: changed.map((r) => r.id),
          dependsOnId: last.state === OutboundRequestState.DELIVERED ? null : last.id,
        },
      ],
      versions: new Map(changed.map((r) => [r.id, r.version])),
    });
    ctx.onCommit(this.wakeDispatcher);
    const rule = (request.ruleId ? await ctx.loaders.decisionRule.load(request.ruleId) : null) ?? (await this.ruleFor(ctx, subject, system.id));
    return { requestId, hierarchical: request.hierarchical, rule, outboundRequests: [request] };
  }

  /**
   * The rule a revision answers with when the CREATE's rule was deleted since: the first rule of the
   * subject that still sends to the same system. A revision goes where the CREATE went, whatever the
   * table says now, so there is no decision to make, only a rule to show.
   */
  private async ruleFor(ctx: RequestContext, subject: DecisionSubject, systemId: string): Promise<DecisionRuleEntity> {
    const rule = await ctx.manager.findOne(DecisionRuleEntity, {
      where: { subject, externalSystemId: systemId },
      order: { active: 'DESC', priority: 'ASC' },
    });
    if (!rule) {
      throw new NoMatchingRuleError(
        `No decision rule sends ${subject === DecisionSubject.DOMAIN_ORDER ? 'domain orders' : 'test runs'} to this system any more; add one before sharing changes`,
      );
    }
    return rule;
  }

  private async payload(ctx: RequestContext, subject: DecisionSubject, changed: FulfillmentRecord[], createRequestId: string) {
    if (subject === DecisionSubject.DOMAIN_ORDER) {
      const payload = buildServiceOrderRevision(
        changed.map((o) => orderTree([o as DomainOrderEntity])),
        { requestId: createRequestId },
      );
      assertValidPayload('TMF641', 'ServiceOrder_Update', payload);
      return payload;
    }
    const run = changed[0] as TestRunEntity;
    const [spec, definitions] = await Promise.all([
      ctx.manager.findOneByOrFail(TestSpecificationEntity, { id: run.specificationId }),
      ctx.manager.find(TestMeasureDefinitionEntity, { where: { specificationId: run.specificationId }, order: { position: 'ASC' } }),
    ]);
    const node = testRunTree([run], new Map([[spec.id, specificationValue(spec, definitions)]]));
    const payload = buildServiceTestRevision(node, { requestId: createRequestId });
    assertValidPayload('TMF653', 'ServiceTest_Update', payload);
    return payload;
  }
}

