import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import type { DecisionRuleEntity } from '../../entities/decision-rule.entity';
import { DecisionSubject, OutboundOperation, OutboundRequestState } from '../../entities/enums';
import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import {
  OutboundRequestDomainOrderEntity, OutboundRequestEntity, OutboundRequestTestRunEntity,
} from '../../entities/outbound-request.entity';
import type { RequestContext } from '../common/request-context';
import { insertInChunks } from '../common/tree-input';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';

/** Outbound request states in which a request is still on its way (not ended). */
export const LIVE_STATES = [OutboundRequestState.QUEUED, OutboundRequestState.SENDING, OutboundRequestState.RETRY_SCHEDULED];

export interface QueuedRequest {
  operation: OutboundOperation;
  httpMethod: string;
  /** Null while it waits for the external id its dependency will deliver. */
  path: string;
  payload: object;
  coveredIds: string[];
  /** The request of the same record that must be DELIVERED before this one is sent. */
  dependsOnId: string | null;
}

/**
 * Inserts outbound requests (state QUEUED, due now) with the records each covers, and announces them.
 * Returns the rows in the order given, numbers included.
 */
export async function queueRequests(
  ctx: RequestContext,
  events: FulfillmentEventPublisher,
  batch: {
    subject: DecisionSubject;
    requestId: string;
    system: ExternalSystemEntity;
    rule: DecisionRuleEntity | null;
    requests: QueuedRequest[];
    /** Version of each covered record at queue time. */
    versions: Map<string, number>;
  },
): Promise<OutboundRequestEntity[]> {
  const now = new Date();
  const rows = batch.requests.map((r) =>
    ctx.manager.create(OutboundRequestEntity, {
      id: randomUUID(),
      requestId: batch.requestId,
      subject: batch.subject,
      operation: r.operation,
      api: batch.system.api,
      externalSystemId: batch.system.id,
      ruleId: batch.rule?.id ?? null,
      hierarchical: batch.rule?.hierarchical ?? false,
      state: OutboundRequestState.QUEUED,
      attempts: 0,
      nextAttemptAt: now,
      httpMethod: r.httpMethod,
      path: r.path,
      payload: r.payload,
      dependsOnId: r.dependsOnId,
    }),
  );
  await insertInChunks(rows, (chunk) => ctx.manager.insert(OutboundRequestEntity, chunk as never), 200);
  const links = batch.requests.flatMap((r, i) =>
    r.coveredIds.map((recordId, position) => ({ requestId: rows[i].id, recordId, position, recordVersion: batch.versions.get(recordId) ?? 1 })),
  );
  if (batch.subject === DecisionSubject.DOMAIN_ORDER) {
    await insertInChunks(
      links.map((l) => ({ outboundRequestId: l.requestId, domainOrderId: l.recordId, position: l.position, recordVersion: l.recordVersion })),
      (chunk) => ctx.manager.insert(OutboundRequestDomainOrderEntity, chunk),
      2000,
    );
  } else {
    await insertInChunks(
      links.map((l) => ({ outboundRequestId: l.requestId, testRunId: l.recordId, position: l.position, recordVersion: l.recordVersion })),
      (chunk) => ctx.manager.insert(OutboundRequestTestRunEntity, chunk),
      2000,
    );
  }
  const saved = await ctx.manager.find(OutboundRequestEntity, { where: { id: In(rows.map((r) => r.id)) }, order: { seq: 'ASC' } });
  const byId = new Map(saved.map((r) => [r.id, r]));
  const ordered = rows.map((r) => byId.get(r.id)!);
  await events.outboundRequestsChanged(ctx, ordered);
  return ordered;
}

/** The requests that carry one record, in the given states, newest first. */
export function requestsOfRecord(
  ctx: RequestContext,
  subject: DecisionSubject,
  recordId: string,
  states: readonly OutboundRequestState[],
): Promise<OutboundRequestEntity[]> {
  const [link, column] =
    subject === DecisionSubject.DOMAIN_ORDER
      ? ['outbound_request_domain_order', 'domain_order_id']
      : ['outbound_request_test_run', 'test_run_id'];
  return ctx.manager
    .createQueryBuilder(OutboundRequestEntity, 'r')
    .innerJoin(link, 'l', `l.outbound_request_id = r.id AND l.${column} = :recordId`, { recordId })
    .where('r.state IN (:...states)', { states })
    .orderBy('r.seq', 'DESC')
    .getMany();
}
