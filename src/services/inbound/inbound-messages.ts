import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import { InboundChannel, InboundOutcome } from '../../entities/enums';
import { InboundMessageEntity } from '../../entities/inbound-message.entity';
import { NotFoundError } from '../common/domain.errors';
import { isUuid } from '../common/input-checks';
import { paginate, type Page, type PageRequest } from '../common/pagination';
import type { RequestContext } from '../context/request-context';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import { quietTelemetry, type Telemetry } from '../metrics/telemetry';
import type { RecordKind } from '../records/record-kind';
import { RECORD_KINDS } from '../records/record-kinds';

export interface NewInboundMessage {
  id?: string;
  externalSystemId: string;
  channel: InboundChannel;
  eventId?: string | null;
  eventType?: string | null;
  eventTime?: Date | null;
  body: unknown;
  outcome: InboundOutcome;
  reason?: string | null;
  responseStatus?: number | null;
  /** The records it touched (or, when stale or a duplicate, the ones it named). */
  records?: { kind: RecordKind; ids: string[] };
}

export interface InboundMessageFilterValues {
  externalSystemId?: string | null;
  channel?: InboundChannel | null;
  outcome?: InboundOutcome | null;
  recordId?: string | null;
}

/** Thrown by InboundMessages.record for an event the system sent before (see there). */
export class EventReceivedBefore extends Error {
  constructor(
    readonly externalSystemId: string,
    readonly eventId: string,
  ) {
    super(`Event ${eventId} was received before`);
  }
}

/** The inbound message table: every message of an authenticated system, kept with what became of it. */
export class InboundMessages {
  constructor(
    private readonly publisher: FulfillmentEventPublisher,
    private readonly telemetry: Telemetry = quietTelemetry(),
  ) {}

  /**
   * Stores a message with its outcome and the records it touched, in the caller's transaction (one
   * statement); announced on commit. An event this system sent before that was applied or found stale
   * (a repeated eventId) is not stored: EventReceivedBefore is thrown, and the caller's transaction, which
   * must not commit what it did for the repeat, rolls back. A copy arriving at the same moment (on this
   * instance or another) waits for the first one's transaction here, on the unique index, and then sees it.
   */
  async record(ctx: RequestContext, m: NewInboundMessage): Promise<InboundMessageEntity> {
    const row = ctx.manager.create(InboundMessageEntity, {
      id: m.id ?? randomUUID(),
      externalSystemId: m.externalSystemId,
      channel: m.channel,
      eventId: m.eventId ?? null,
      eventType: m.eventType ?? null,
      eventTime: m.eventTime ?? null,
      body: m.body ?? null,
      outcome: m.outcome,
      reason: m.reason?.slice(0, 2000) ?? null,
      responseStatus: m.responseStatus ?? null,
    });
    const ids = [...new Set(m.records?.ids ?? [])];
    const link = m.records && ids.length > 0 ? m.records.kind.inboundLink : null;
    // The database numbers and stamps it; RETURNING hands both back without reading the row again.
    const inserted: { seq: string | number; received_at: Date | string }[] = await ctx.manager.query(
      `WITH message AS (
         INSERT INTO inbound_message (id, external_system_id, channel, event_id, event_type, event_time, body, outcome, reason, response_status)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10)
         ON CONFLICT (external_system_id, event_id) WHERE event_id IS NOT NULL AND outcome IN ('APPLIED', 'STALE') DO NOTHING
         RETURNING id, seq, received_at
       )${
         link
           ? `, links AS (
         INSERT INTO ${link.table} (inbound_message_id, ${link.column}) SELECT message.id, t.id FROM message, unnest($11::uuid[]) AS t(id)
       )`
           : ''
       }
       SELECT seq, received_at FROM message`,
      [
        row.id,
        row.externalSystemId,
        row.channel,
        row.eventId,
        row.eventType,
        row.eventTime,
        row.body === null ? null : JSON.stringify(row.body),
        row.outcome,
        row.reason,
        row.responseStatus,
        ...(link ? [ids] : []),
      ],
    );
    if (inserted.length === 0) throw new EventReceivedBefore(row.externalSystemId, row.eventId!);
    row.seq = Number(inserted[0].seq);
    row.receivedAt = new Date(inserted[0].received_at);
    await this.publisher.inboundMessageReceived(ctx, row);
    ctx.onCommit(() => {
      this.telemetry.metrics.inboundMessages.inc({ channel: row.channel, outcome: row.outcome });
      const line = {
        inboundMessage: row.id,
        system: row.externalSystemId,
        channel: row.channel,
        eventType: row.eventType ?? undefined,
        outcome: row.outcome,
        reason: row.reason ?? undefined,
      };
      if (row.outcome === InboundOutcome.REJECTED) this.telemetry.logger.info(line, 'inbound message rejected');
      else this.telemetry.logger.debug(line, 'inbound message stored');
    });
    return row;
  }

  /** The message that applied (or found stale) this system's event with this id, if one did. */
  receivedBefore(ctx: RequestContext, externalSystemId: string, eventId: string): Promise<InboundMessageEntity | null> {
    return ctx.manager.findOne(InboundMessageEntity, {
      where: { externalSystemId, eventId, outcome: In([InboundOutcome.APPLIED, InboundOutcome.STALE]) },
    });
  }

  async get(ctx: RequestContext, id: string): Promise<InboundMessageEntity | null> {
    return isUuid(id) ? ctx.loaders.inboundMessage.load(id) : null;
  }

  list(ctx: RequestContext, page: PageRequest, filter?: InboundMessageFilterValues | null): Promise<Page<InboundMessageEntity>> {
    const qb = ctx.manager.createQueryBuilder(InboundMessageEntity, 'm');
    if (filter?.externalSystemId) {
      if (!isUuid(filter.externalSystemId)) throw new NotFoundError('External system', filter.externalSystemId, 'filter.externalSystemId');
      qb.andWhere('m.external_system_id = :sid', { sid: filter.externalSystemId });
    }
    if (filter?.channel) qb.andWhere('m.channel = :channel', { channel: filter.channel });
    if (filter?.outcome) qb.andWhere('m.outcome = :outcome', { outcome: filter.outcome });
    if (filter?.recordId) {
      if (!isUuid(filter.recordId)) throw new NotFoundError('Domain order or test run', filter.recordId, 'filter.recordId');
      // The record's messages from its link tables' (record, message) indexes, then their newest page:
      // EXISTS per message would walk every message newest first until it found the record's.
      const touched = RECORD_KINDS.map(
        (k) => `SELECT l.inbound_message_id FROM ${k.inboundLink.table} l WHERE l.${k.inboundLink.column} = :recordId`,
      );
      qb.andWhere(`m.id IN (${touched.join(' UNION ALL ')})`, { recordId: filter.recordId });
    }
    return paginate(ctx.loaders, qb, page);
  }

  /** The messages that touched one record, newest first. */
  ofRecord(ctx: RequestContext, kind: RecordKind, recordId: string, page: PageRequest): Promise<Page<InboundMessageEntity>> {
    const qb = ctx.manager
      .createQueryBuilder(InboundMessageEntity, 'm')
      .innerJoin(kind.inboundLink.table, 'l', `l.inbound_message_id = m.id AND l.${kind.inboundLink.column} = :recordId`, { recordId });
    return paginate(ctx.loaders, qb, page);
  }
}
