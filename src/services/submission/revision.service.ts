import { randomUUID } from 'node:crypto';
import { DecisionRuleEntity } from '../../entities/decision-rule.entity';
import { DecisionSubject, OutboundOperation, OutboundRequestState } from '../../entities/enums';
import type { OpenApiService } from '../admin/open-api.service';
import {
  ExternalSystemDisabledError,
  FulfillmentNotAllowedError,
  NoMatchingRuleError,
  NoUpdatesAvailableError,
} from '../common/domain.errors';
import type { RequestContext } from '../context/request-context';
import type { ExternalSystemService } from '../external-system/external-system.service';
import { coveredRecords, LIVE_STATES, requestsOfRecord, type Outbox } from '../outbox/outbox';
import { labelOf, resourcePath, type RecordKind } from '../records/record-kind';
import { recordKind } from '../records/record-kinds';
import { requireRecord } from '../records/record-loaders';
import type { FulfillmentRequestResult } from './submission.service';

/**
 * "Revise Outbound Request": shares in-flight changes (revisions made since the last successful
 * request) as a PATCH of the external order or test. It is queued behind the record's last request
 * and waits for its CREATE's external id; the dispatcher clears updatesAvailable once it is delivered.
 */
export class RevisionService {
  constructor(
    private readonly openApis: OpenApiService,
    private readonly externalSystems: ExternalSystemService,
    private readonly outbox: Outbox,
  ) {}

  async revise(ctx: RequestContext, subject: DecisionSubject, id: string): Promise<FulfillmentRequestResult> {
    const kind = recordKind(subject);
    const record = await requireRecord(ctx, kind, id, kind.idArgument);
    const label = labelOf(kind, record);
    if (!record.updatesAvailable) throw new NoUpdatesAvailableError(`${label} has no changes since its last successful outbound request`);
    await this.openApis.requireActive(ctx, kind.api);
    // The record's requests that did not fail or get discarded, newest first.
    const chain = await requestsOfRecord(ctx, kind, record.id, [...LIVE_STATES, OutboundRequestState.DELIVERED]);
    const create = chain.find((r) => r.operation === OutboundOperation.CREATE);
    if (!create) throw new NoUpdatesAvailableError(`${label} has no successful outbound request to revise`);
    const system = await this.externalSystems.require(ctx, create.externalSystemId, 'externalSystemId');
    if (!system.enabled)
      throw new ExternalSystemDisabledError(`External system ${system.name} is disabled; enable it before sharing changes`);
    if (create.state === OutboundRequestState.DELIVERED && !create.externalId) {
      throw new FulfillmentNotAllowedError(
        `${label} was accepted by ${system.name} without an id (outbound request ${create.number}): there is no external resource to change`,
      );
    }
    const changed = (await coveredRecords(ctx, create)).filter((r) => r.updatesAvailable);
    const payload = await kind.revisionPayload(ctx, changed, create.requestId);
    const last = chain[0];
    const requestId = randomUUID();
    const [request] = await this.outbox.queue(ctx, {
      kind,
      requestId,
      system,
      rule: create.ruleId ? await ctx.manager.findOneBy(DecisionRuleEntity, { id: create.ruleId }) : null,
      requests: [
        {
          operation: OutboundOperation.REVISE,
          httpMethod: 'PATCH',
          path: resourcePath(kind, create.externalId),
          payload,
          coveredIds: changed.map((r) => r.id),
          dependsOnId: last.state === OutboundRequestState.DELIVERED ? null : last.id,
        },
      ],
      versions: new Map(changed.map((r) => [r.id, r.version])),
    });
    const rule =
      (request.ruleId ? await ctx.loaders.decisionRule.load(request.ruleId) : null) ?? (await this.ruleFor(ctx, kind, system.id));
    return { requestId, hierarchical: request.hierarchical, rule, outboundRequests: [request] };
  }

  /**
   * The rule a revision answers with when the CREATE's rule was deleted since: the first rule of the
   * subject that still sends to the same system. A revision goes where the CREATE went, whatever the
   * table says now, so there is no decision to make, only a rule to show.
   */
  private async ruleFor(ctx: RequestContext, kind: RecordKind, systemId: string): Promise<DecisionRuleEntity> {
    const rule = await ctx.manager.findOne(DecisionRuleEntity, {
      where: { subject: kind.subject, externalSystemId: systemId },
      order: { active: 'DESC', priority: 'ASC' },
    });
    if (!rule)
      throw new NoMatchingRuleError(`No decision rule sends ${kind.plural} to this system any more; add one before sharing changes`);
    return rule;
  }
}
