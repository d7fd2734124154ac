import type { DataSource } from 'typeorm';
import { CancellationEntity } from '../../entities/cancellation.entity';
import { InboundChannel, InboundOutcome, OutboundRequestState } from '../../entities/enums';
import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import type { InboundMessageEntity } from '../../entities/inbound-message.entity';
import { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { RequestContext } from '../context/request-context';
import { advances, type Cancellations } from '../records/cancellations';
import type { RecordKind } from '../records/record-kind';
import { emptyReport, type Json } from '../tmf/resource-report';
import { untilDelivered, type Try } from './awaiting-delivery';
import { Rejection, tmfError, type CallbackAnswer } from './callback-answers';
import { readEnvelope, type InboundEnvelope } from './inbound-envelope';
import { EventReceivedBefore, type InboundMessages } from './inbound-messages';
import type { Application, Applying, ReportApplication, Target } from './report-application';
import { GroupCommit, type Settled } from '../common/group-commit';
import type { ResourceReport } from '../tmf/resource-report';

/** Where specification events go (the test specifications' own module). */
export interface SpecificationEvents {
  apply(
    ctx: RequestContext,
    system: ExternalSystemEntity,
    specification: Json,
    deleted: boolean,
  ): Promise<{ changed: boolean; reason: string | null }>;
}

/** A state, milestone or similar report of the listener, waiting to be applied. */
interface ListenerReport {
  system: ExternalSystemEntity;
  kind: RecordKind;
  report: ResourceReport;
  how: Application;
  envelope: InboundEnvelope;
  refuse: (status: number, code: string, reason: string, message: string) => Rejection;
}

/** The answer to a listener event that was stored: 201 with the message and what became of it. */
const stored = (m: Pick<InboundMessageEntity, 'id' | 'outcome'>): CallbackAnswer => ({
  status: 201,
  body: { id: m.id, outcome: m.outcome },
});

/** Batches of reports under way at once: one is being written while the next is planned. */
const REPORT_BATCHES_IN_FLIGHT = 2;
/** Reports in one transaction at most (their records are locked together until it commits). */
const MAX_REPORT_BATCH = 64;

/**
 * The TMF listener: POST /callbacks/{id}/listener/{eventName}. Each event is applied in one transaction
 * with the message that carried it (reports that arrive while earlier ones are being written share
 * one, see applyTogether): a repeated eventId is a DUPLICATE, an event about a resource this
 * system was never sent is refused (404), and one about a request whose delivery is still being recorded
 * waits for it briefly (the system's answer can overtake our record of its acceptance).
 */
export class ListenerEvents {
  private readonly reports = new Map<RecordKind, GroupCommit<ListenerReport, CallbackAnswer>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: InboundMessages,
    private readonly application: ReportApplication,
    private readonly cancellations: Cancellations,
    private readonly specifications: SpecificationEvents,
  ) {}

  async handle(system: ExternalSystemEntity, kind: RecordKind, eventName: string, body: Json): Promise<CallbackAnswer> {
    const meaning = kind.listenerEvents[eventName];
    if (!meaning) {
      const known = Object.keys(kind.listenerEvents).join(', ');
      throw new Rejection(tmfError(404, 'NOT_FOUND', 'Unknown event', `${eventName} is not an event of ${system.api} (one of: ${known})`));
    }
    const key =
      meaning === 'specification' || meaning === 'specificationDeleted'
        ? 'serviceTestSpecification'
        : meaning.startsWith('cancel')
          ? kind.cancelTaskKey
          : kind.resourceKey;
    const envelope = readEnvelope(body, key ?? kind.resourceKey);
    const refuse = (status: number, code: string, reason: string, message: string) =>
      new Rejection(tmfError(status, code, reason, message), envelope.eventId, envelope.eventType ?? eventName);
    if (!envelope.resource) throw refuse(400, 'INVALID_BODY', 'Invalid body', `The event carries no event.${key}`);
    const resource = envelope.resource;
    const base = {
      channel: InboundChannel.EVENT,
      eventId: envelope.eventId,
      eventType: envelope.eventType ?? eventName,
      eventTime: envelope.eventTime,
      body,
    };
    if (meaning === 'specification' || meaning === 'specificationDeleted') {
      return this.once(system, envelope, async (ctx) => {
        const { changed, reason } = await this.specifications.apply(ctx, system, resource, meaning === 'specificationDeleted');
        const m = await this.messages.record(ctx, {
          ...base,
          externalSystemId: system.id,
          outcome: changed ? InboundOutcome.APPLIED : InboundOutcome.STALE,
          reason,
          responseStatus: 201,
        });
        return { answer: stored(m) };
      });
    }
    if (meaning === 'cancelTask' || meaning === 'cancelInformationRequired') {
      return this.once(system, envelope, (ctx) => this.cancelTaskEvent(ctx, system, kind, envelope, meaning, base, refuse));
    }
    const report = kind.readReport(resource);
    const how: Application = {
      message: { ...base, responseStatus: 201 },
      meaning,
      fieldPaths: envelope.fieldPaths,
      eventTime: envelope.eventTime ?? new Date(),
      storeWhenStale: true,
    };
    return this.reportsOf(kind).submit({ system, kind, report, how, envelope, refuse });
  }

  /** Reports of one kind arriving together go in one transaction (group commit, see applyTogether). */
  private reportsOf(kind: RecordKind): GroupCommit<ListenerReport, CallbackAnswer> {
    let reports = this.reports.get(kind);
    if (!reports) {
      reports = new GroupCommit((batch) => this.applyTogether(kind, batch), {
        inFlight: REPORT_BATCHES_IN_FLIGHT,
        maxBatch: MAX_REPORT_BATCH,
        keys: ({ system, report, envelope }) =>
          [
            report.resourceId && `${system.id} resource ${report.resourceId}`,
            report.correlationId && `${system.id} correlation ${report.correlationId}`,
            envelope.eventId && `${system.id} event ${envelope.eventId}`,
          ].filter((k): k is string => !!k),
      });
      this.reports.set(kind, reports);
    }
    return reports;
  }

  /**
   * Reports that arrived together, in one transaction: their targets found and locked in one statement,
   * their messages stored in one, their records written in one per distinct change. An event received
   * before is stored as a DUPLICATE once the batch is over; a report that cannot join (its request's
   * delivery is not recorded yet, its records are another's of the batch) is answered on its own
   * afterwards, as is every report of a batch whose transaction failed: a batch never answers for what a
   * single report would not have done.
   */
  private async applyTogether(kind: RecordKind, batch: ListenerReport[]): Promise<Settled<CallbackAnswer>[]> {
    const answers: (Settled<CallbackAnswer> | null)[] = batch.map(() => null);
    let committed = false;
    // Events this system sent before: nothing was done for them; each is stored as a DUPLICATE after the batch.
    let repeats: number[] = [];
    try {
      const ctx = new RequestContext(this.dataSource, null);
      await ctx.transaction(async () => {
        ctx.onCommit(() => (committed = true));
        const lookups = await this.application.findTargets(ctx, kind, batch);
        const held = new Set<string>();
        const joining: (Applying & { index: number })[] = [];
        lookups.forEach((lookup, index) => {
          const { system, report, how, refuse } = batch[index];
          if ('missing' in lookup) answers[index] = { error: refuse(404, 'NOT_FOUND', 'Unknown resource', lookup.missing) };
          if (!('target' in lookup)) return;
          const ids = [lookup.target.request.id, ...lookup.target.records.map((r) => r.id)];
          if (ids.some((id) => held.has(id))) return;
          for (const id of ids) held.add(id);
          joining.push({ index, system, target: lookup.target, report, how });
        });
        const applied = await this.application.applyMany(ctx, joining);
        applied.forEach((done, n) => {
          const { index } = joining[n];
          if ('receivedBefore' in done) repeats.push(index);
          else answers[index] = { value: stored(done.message!) };
        });
      });
    } catch (err) {
      // Committed, then an after-commit hook threw: trying each alone would apply them twice. The error is
      // each one's answer, as it would have been alone (the system sends again and gets DUPLICATE).
      if (committed) throw err;
      // Whatever failed the batch (a deadlock, a record that cannot be written) is met again, or not, by each alone.
      answers.fill(null);
      repeats = [];
    }
    for (const index of repeats) {
      const { system, envelope } = batch[index];
      answers[index] = { value: this.duplicate(system, envelope, envelope.eventId!) };
    }
    return answers.map((answer, index) => answer ?? { value: this.alone(batch[index]) });
  }

  /** One report in a transaction of its own, waiting for its request's delivery to be recorded if need be. */
  private alone({ system, kind, report, how, envelope, refuse }: ListenerReport): Promise<CallbackAnswer> {
    return this.once(system, envelope, async (ctx) => {
      const lookup = await this.application.findTarget(ctx, system, kind, report);
      if ('missing' in lookup) throw refuse(404, 'NOT_FOUND', 'Unknown resource', lookup.missing);
      if ('notDelivered' in lookup) return { notDelivered: lookup.notDelivered };
      const { message } = await this.application.apply(ctx, system, lookup.target, report, how);
      return { answer: stored(message!) };
    });
  }

  /**
   * Runs `work` in one transaction, waiting for the delivery it answers (awaiting-delivery.ts). An event
   * this system sent before (a repeated eventId that was applied or found stale) is found when its message
   * is stored: the transaction rolls back, and the repeat is stored as a DUPLICATE of the first.
   */
  private async once(
    system: ExternalSystemEntity,
    envelope: InboundEnvelope,
    work: (ctx: RequestContext) => Promise<Try>,
  ): Promise<CallbackAnswer> {
    try {
      return await untilDelivered(this.dataSource, envelope, work);
    } catch (err) {
      if (!(err instanceof EventReceivedBefore)) throw err;
      return this.duplicate(system, envelope, err.eventId);
    }
  }

  /** A repeat of an event this system sent before (applied or found stale), stored as a DUPLICATE of the first. */
  private duplicate(system: ExternalSystemEntity, envelope: InboundEnvelope, eventId: string): Promise<CallbackAnswer> {
    const ctx = new RequestContext(this.dataSource, null);
    return ctx.transaction(async () => {
      const seen = await this.messages.receivedBefore(ctx, system.id, eventId);
      const m = await this.messages.record(ctx, {
        externalSystemId: system.id,
        channel: InboundChannel.EVENT,
        eventId: envelope.eventId,
        eventType: envelope.eventType,
        eventTime: envelope.eventTime,
        body: null,
        outcome: InboundOutcome.DUPLICATE,
        reason: `Event ${eventId} was received before${seen ? ` (inbound message ${seen.id}, ${seen.outcome})` : ''}`,
        responseStatus: 201,
      });
      return stored(m);
    });
  }

  /** A cancel task's create or state change (or its request for information): the cancellation follows it. */
  private async cancelTaskEvent(
    ctx: RequestContext,
    system: ExternalSystemEntity,
    kind: RecordKind,
    envelope: InboundEnvelope,
    meaning: 'cancelTask' | 'cancelInformationRequired',
    base: Omit<Application['message'], 'responseStatus'>,
    refuse: (status: number, code: string, reason: string, message: string) => Rejection,
  ): Promise<Try> {
    const task = kind.readCancelTask(envelope.resource!);
    const found = task ? await this.findCancellation(ctx, system, task.taskId, task.serviceOrderId) : null;
    if (!task || !found) {
      throw refuse(
        404,
        'NOT_FOUND',
        'Unknown cancel task',
        `${system.name} was never sent a cancellation for task ${task?.taskId ?? '(no id)'} or order ${task?.serviceOrderId ?? '(none named)'}`,
      );
    }
    const cancel = await ctx.manager.findOneByOrFail(OutboundRequestEntity, { id: found.outboundRequestId });
    const create = await ctx.manager.findOne(OutboundRequestEntity, {
      where: { externalSystemId: system.id, externalId: found.resourceId, state: OutboundRequestState.DELIVERED },
      order: { seq: 'DESC' },
    });
    if (!create) throw refuse(404, 'NOT_FOUND', 'Unknown resource', `${system.name} was never sent the order ${found.resourceId}`);
    // The records first, then the cancellation (read again, locked): the lock order of every message about
    // these records and of the CANCEL's delivery, so none of them waits for another that waits for it.
    const target: Target = { kind, request: create, records: await this.application.lockCovered(ctx, kind, cancel) };
    const cancellation = await ctx.manager.findOneOrFail(CancellationEntity, {
      where: { outboundRequestId: found.outboundRequestId },
      lock: { mode: 'pessimistic_write' },
    });
    if (meaning === 'cancelInformationRequired') {
      const how: Application = {
        message: { ...base, responseStatus: 201 },
        meaning: 'informationRequired',
        fieldPaths: envelope.fieldPaths,
        eventTime: envelope.eventTime ?? new Date(),
        storeWhenStale: true,
      };
      const { message } = await this.application.apply(ctx, system, target, emptyReport(), how);
      return { answer: stored(message!) };
    }
    const state = task.cancellationState;
    const moved = state !== undefined && advances(cancellation, state, task.taskId);
    const m = await this.messages.record(ctx, {
      ...base,
      externalSystemId: system.id,
      outcome: moved ? InboundOutcome.APPLIED : InboundOutcome.STALE,
      reason: moved
        ? null
        : `The cancellation is already ${cancellation.state}; the task's state ${task.state ?? '(none)'} changes nothing`,
      responseStatus: 201,
      records: { kind, ids: target.records.map((r) => r.id) },
    });
    if (moved) {
      const why = task.errors.map((e) => [e.code, e.reason, e.message].filter(Boolean).join(': ')).join('; ');
      await this.cancellations.advance(ctx, kind, cancellation, target.records, {
        state,
        externalId: task.taskId ?? null,
        request: cancel,
        inboundMessageId: m.id,
        refusal: `${system.name} refused cancellation ${cancel.number}${why ? `: ${why}` : ''}`,
      });
    }
    return { answer: stored(m) };
  }

  /** A cancellation of this system, by its task's id, else by the resource it cancels (the latest); not locked. */
  private findCancellation(
    ctx: RequestContext,
    system: ExternalSystemEntity,
    taskId?: string,
    resourceId?: string,
  ): Promise<CancellationEntity | null> {
    if (!taskId && !resourceId) return Promise.resolve(null);
    const qb = ctx.manager
      .createQueryBuilder(CancellationEntity, 'c')
      .innerJoin(OutboundRequestEntity, 'r', 'r.id = c.outbound_request_id AND r.external_system_id = :sid', { sid: system.id })
      .orderBy('c.requested_at', 'DESC');
    if (taskId && resourceId)
      qb.where('(c.external_id = :taskId OR (c.external_id IS NULL AND c.resource_id = :resourceId))', { taskId, resourceId });
    else if (taskId) qb.where('c.external_id = :taskId', { taskId });
    else qb.where('c.resource_id = :resourceId', { resourceId });
    return qb.getOne();
  }
}
