import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import type { DecisionRuleEntity } from '../../entities/decision-rule.entity';
import { OutboundOperation, OutboundRequestState } from '../../entities/enums';
import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { insertEntities } from '../common/entity-rows';
import type { RequestContext } from '../context/request-context';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import { linkedRecordId, type RecordKind } from '../records/record-kind';
import { recordKind } from '../records/record-kinds';

/** Outbound request states in which a request is still on its way (not ended). */
export const LIVE_STATES = [OutboundRequestState.QUEUED, OutboundRequestState.SENDING, OutboundRequestState.RETRY_SCHEDULED];

export interface QueuedRequest {
  operation: OutboundOperation;
  httpMethod: string;
  /** Empty while it waits for the external id its dependency will deliver (the claim fills it in). */
  path: string;
  payload: object;
  coveredIds: string[];
  /** The request of the same record that must be DELIVERED before this one is sent. */
  dependsOnId: string | null;
}

export interface QueueBatch {
  kind: RecordKind;
  requestId: string;
  system: ExternalSystemEntity;
  rule: DecisionRuleEntity | null;
  requests: QueuedRequest[];
  /** Version of each covered record at queue time. */
  versions: Map<string, number>;
}

/** The columns of a queued request that only sending fills in, as the table's defaults have them. */
const UNSENT = {
  leaseOwner: null,
  leaseExpiresAt: null,
  responseStatus: null,
  responseBody: null,
  externalId: null,
  resourcePath: null,
  error: null,
  outcomeUnknown: false,
  discardReason: null,
  deliveredAt: null,
} satisfies Partial<OutboundRequestEntity>;

/**
 * The outbound request table: the one place that inserts into it and reads which records a request
 * carries. State changes after queueing are in request-transitions.ts and the dispatcher's database
 * functions (dispatch/dispatch.sql.ts).
 */
export class Outbox {
  constructor(
    private readonly publisher: FulfillmentEventPublisher,
    /** Wakes the local dispatcher; called after the commit that queued work. */
    private readonly wakeDispatcher: () => void,
  ) {}

  /**
   * Inserts outbound requests (state QUEUED, due now) with the records each covers, announces them, and
   * wakes the dispatcher once the transaction commits. Returns the rows in the order given, numbers included.
   */
  async queue(ctx: RequestContext, batch: QueueBatch): Promise<OutboundRequestEntity[]> {
    const now = new Date();
    const rows = batch.requests.map((r) =>
      ctx.manager.create(OutboundRequestEntity, {
        id: randomUUID(),
        requestId: batch.requestId,
        subject: batch.kind.subject,
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
        ...UNSENT,
      }),
    );
    // The links as one INSERT of four arrays, however big the tree (a 10,000-node one took five
    // 2,000-row INSERTs through TypeORM, most of a second), in the requests' own statement.
    const links = batch.requests.flatMap((r, i) =>
      r.coveredIds.map((recordId, position) => [rows[i].id, recordId, position, batch.versions.get(recordId) ?? 1] as const),
    );
    // RETURNING the generated columns (seq, number, timestamps) completes each row in place: no read-back.
    await insertEntities(ctx.manager, OutboundRequestEntity, rows, {
      sql: (p) =>
        `INSERT INTO ${batch.kind.link.table} (outbound_request_id, ${batch.kind.link.column}, position, record_version)
         SELECT * FROM unnest($${p}::uuid[], $${p + 1}::uuid[], $${p + 2}::int[], $${p + 3}::int[])`,
      params: [0, 1, 2, 3].map((c) => links.map((l) => l[c])),
    });
    await this.publisher.outboundRequestsChanged(ctx, rows);
    ctx.onCommit(this.wakeDispatcher);
    return rows;
  }
}

/** The requests that carry one record, in the given states, newest first. */
export function requestsOfRecord(
  ctx: RequestContext,
  kind: RecordKind,
  recordId: string,
  states: readonly OutboundRequestState[],
): Promise<OutboundRequestEntity[]> {
  return ctx.manager
    .createQueryBuilder(OutboundRequestEntity, 'r')
    .innerJoin(kind.link.table, 'l', `l.outbound_request_id = r.id AND l.${kind.link.column} = :recordId`, { recordId })
    .where('r.state IN (:...states)', { states })
    .orderBy('r.seq', 'DESC')
    .getMany();
}

/**
 * The records an outbound request covers, in payload order. With `lock`, they are locked in id order
 * first: a transaction that goes on to a cancellation must lock the records before it (the order every
 * inbound message keeps, see ReportApplication.lockCovered), or the two wait for each other.
 */
export async function coveredRecords(
  ctx: RequestContext,
  request: OutboundRequestEntity,
  options: { lock?: boolean } = {},
): Promise<FulfillmentRecord[]> {
  const kind = recordKind(request.subject);
  const links = await ctx.manager.find(kind.link.entity, { where: { outboundRequestId: request.id }, order: { position: 'ASC' } });
  const ids = links.map((l) => linkedRecordId(kind, l));
  const rows: FulfillmentRecord[] = options.lock
    ? await ctx.manager.find(kind.entity, { where: { id: In(ids) }, order: { id: 'ASC' }, lock: { mode: 'pessimistic_write' } })
    : await ctx.manager.findBy(kind.entity, { id: In(ids) });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)!);
}
