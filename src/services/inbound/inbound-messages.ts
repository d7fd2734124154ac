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
import { prepared } from '../common/prepared';

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
    const [row] = await this.recordMany(ctx, [m]);
    if (!row) throw new EventReceivedBefore(m.externalSystemId, m.eventId!);
    return row;
  }

  /**
   * record for several messages in one statement. Each answer is the stored message, or null for an event
   * its system sent before (not stored; what the caller did for it must not be committed).
   */
  async recordMany(ctx: RequestContext, messages: NewInboundMessage[]): Promise<(InboundMessageEntity | null)[]> {
    if (messages.length === 0) return [];
    const rows = messages.map((m) =>
      ctx.manager.create(InboundMessageEntity, {
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
      }),
    );
    // The links, per link table: (message, record) pairs as two parallel arrays.
    const links = new Map<RecordKind['inboundLink'], { messages: string[]; records: string[] }>();
    messages.forEach((m, i) => {
      if (!m.records) return;
      for (const id of new Set(m.records.ids)) {
        const pairs = links.get(m.records.kind.inboundLink) ?? { messages: [], records: [] };
        pairs.messages.push(rows[i].id);
        pairs.records.push(id);
        links.set(m.records.kind.inboundLink, pairs);
      }
    });
    const params: unknown[] = [
      JSON.stringify(
        rows.map((r) => ({
          id: r.id,
          external_system_id: r.externalSystemId,
          channel: r.channel,
          event_id: r.eventId,
          event_type: r.eventType,
          event_time: r.eventTime,
          body: r.body,
          outcome: r.outcome,
          reason: r.reason,
          response_status: r.responseStatus,
        })),
      ),
    ];
    const linkStatements = [...links].map(([link, pairs], n) => {
      params.push(pairs.messages, pairs.records);
      return `, links${n} AS (
         INSERT INTO ${link.table} (inbound_message_id, ${link.column})
         SELECT t.message_id, t.record_id FROM unnest($${params.length - 1}::uuid[], $${params.length}::uuid[]) AS t(message_id, record_id)
          WHERE t.message_id IN (SELECT id FROM message)
       )`;
    });
    // The database numbers and stamps them; RETURNING hands both back without reading the rows again.
    const inserted: { id: string; seq: string | number; received_at: Date | string }[] = await ctx.manager.query(
      prepared(`WITH message AS (
         INSERT INTO inbound_message (id, external_system_id, channel, event_id, event_type, event_time, body, outcome, reason, response_status)
         SELECT id, external_system_id, channel, event_id, event_type, event_time, body, outcome, reason, response_status
           FROM jsonb_to_recordset($1::jsonb) AS m(id uuid, external_system_id uuid, channel text, event_id text, event_type text,
                event_time timestamptz, body jsonb, outcome text, reason text, response_status integer)
         ON CONFLICT (external_system_id, event_id) WHERE event_id IS NOT NULL AND outcome IN ('APPLIED', 'STALE') DO NOTHING
         RETURNING id, seq, received_at
       )${linkStatements.join('')}
       SELECT id, seq, received_at FROM message`),
      params,
    );
    const stored = new Map(inserted.map((r) => [r.id, r]));
    const answers: (InboundMessageEntity | null)[] = [];
    for (const row of rows) {
      const made = stored.get(row.id);
      if (!made) {
        answers.push(null);
        continue;
      }
      row.seq = Number(made.seq);
      row.receivedAt = new Date(made.received_at);
      await this.publisher.inboundMessageReceived(ctx, row);
      this.announce(ctx, row);
      answers.push(row);
    }
    return answers;
  }

  private announce(ctx: RequestContext, row: InboundMessageEntity): void {
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
