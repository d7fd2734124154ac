import type { DataSource } from 'typeorm';
import { FulfillmentState, InboundChannel, OutboundOperation, OutboundRequestState } from '../../entities/enums';
import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import type { RequestContext } from '../context/request-context';
import type { RecordKind } from '../records/record-kind';
import { emptyReport, list, text, type Json } from '../tmf/resource-report';
import { untilDelivered } from './awaiting-delivery';
import { Rejection, tmfError, type CallbackAnswer } from './callback-answers';
import type { Application, ReportApplication } from './report-application';

/** The compact states of the status call, as the system being replaced named them. */
const COMPACT_STATES: Record<string, FulfillmentState> = {
  pending: FulfillmentState.PENDING,
  fulfilled: FulfillmentState.FULFILLED,
  error: FulfillmentState.ERROR,
};

const invalid = (message: string) => new Rejection(tmfError(400, 'INVALID_PAYLOAD', 'Invalid payload', message), null, 'outboundresponse');

/**
 * The compact status calls of the system Southgate replaces: POST …/serviceOrder/outboundresponse with
 * item states of one submission (all or nothing, each problem its own 400 message, worded as that system
 * worded them so callers need not change), and PATCH …/serviceTest/{id} with a TMF653 ServiceTest.
 */
export class StatusCalls {
  constructor(
    private readonly dataSource: DataSource,
    private readonly application: ReportApplication,
  ) {}

  async outboundResponse(system: ExternalSystemEntity, kind: RecordKind, body: Json): Promise<CallbackAnswer> {
    if (kind.resourceKey !== 'serviceOrder') {
      throw new Rejection(
        tmfError(404, 'NOT_FOUND', 'Not found', `${system.name} is a ${system.api} system; outboundresponse is for service orders`),
      );
    }
    const externalId = text(body.externalId, 200);
    if (!externalId) throw invalid('Invalid payload: externalId is missing');
    if (!Array.isArray(body.serviceOrderItem) || body.serviceOrderItem.length === 0)
      throw invalid('Invalid payload: serviceOrderItem is missing');
    const items = list(body.serviceOrderItem);
    if (items.length !== body.serviceOrderItem.length || items.some((i) => !text(i.id, 200)))
      throw invalid('Invalid payload: serviceOrderItem id is missing');
    if (items.some((i) => !text(i.state, 100))) throw invalid('Invalid payload: serviceOrderItem state is missing');
    if (items.some((i) => !(String(i.state).trim().toLowerCase() in COMPACT_STATES))) {
      throw invalid('Invalid fulfilment state: Please provide correct fulfilment state');
    }
    const report = emptyReport();
    report.partStates = items.map((i) => ({ recordNumber: text(i.id, 200)!, state: String(i.state).trim().toLowerCase() }));
    const how: Application = {
      message: { channel: InboundChannel.STATUS_CALL, eventType: 'outboundresponse', body, responseStatus: 201 },
      meaning: 'resource',
      eventTime: new Date(),
      fulfillmentStateOf: (s) => COMPACT_STATES[s] ?? FulfillmentState.PENDING,
      // The compact call knows no cancellation: it never reads as a refusal of one.
      stillCancelling: () => true,
      storeWhenStale: true,
    };
    return untilDelivered(this.dataSource, { eventType: 'outboundresponse' }, async (ctx) => {
      const request = await ctx.manager.findOne(OutboundRequestEntity, {
        where: { externalSystemId: system.id, requestId: externalId, operation: OutboundOperation.CREATE, subject: kind.subject },
        order: { seq: 'DESC' },
      });
      if (!request || request.state === OutboundRequestState.ERROR || request.state === OutboundRequestState.DISCARDED) {
        throw invalid('Invalid external id. Please pass the correct external id');
      }
      if (request.state !== OutboundRequestState.DELIVERED) return { notDelivered: request };
      const records = await this.application.lockCovered(ctx, kind, request);
      const numbers = new Set(records.map((r) => r.number));
      for (const item of report.partStates) {
        if (numbers.has(item.recordNumber)) continue;
        const exists = await ctx.manager.existsBy(kind.entity, { number: item.recordNumber });
        throw invalid(
          exists
            ? 'Domain order id passed is not associated with external id'
            : 'Invalid domain order id. Please pass the correct domain order id',
        );
      }
      report.resourceId = request.externalId ?? undefined;
      const { message } = await this.application.apply(ctx, system, { kind, request, records }, report, how);
      const echoed = report.partStates.map((p) => ({ id: p.recordNumber, state: p.state }));
      return { answer: { status: 201, body: { externalId, serviceOrderItem: echoed, outcome: message!.outcome } } };
    });
  }

  /** PATCH …/serviceTest/{externalId or TR number}: a TMF653 ServiceTest, applied as a state change event would be. */
  async serviceTestUpdate(system: ExternalSystemEntity, kind: RecordKind, ref: string, body: Json): Promise<CallbackAnswer> {
    if (kind.resourceKey !== 'serviceTest') {
      throw new Rejection(
        tmfError(404, 'NOT_FOUND', 'Not found', `${system.name} is a ${system.api} system; serviceTest updates are for test runs`),
      );
    }
    const report = kind.readReport(body);
    const how: Application = {
      message: { channel: InboundChannel.STATUS_CALL, eventType: 'serviceTestUpdate', body, responseStatus: 200 },
      meaning: 'resource',
      eventTime: new Date(),
      storeWhenStale: true,
    };
    return untilDelivered(this.dataSource, { eventType: 'serviceTestUpdate' }, async (ctx) => {
      const byId = await this.application.findTarget(ctx, system, kind, { resourceId: ref });
      const lookup = 'target' in byId || 'notDelivered' in byId ? byId : await this.byNumber(ctx, system, kind, ref);
      if ('notDelivered' in lookup) return { notDelivered: lookup.notDelivered };
      if (!('target' in lookup)) {
        throw new Rejection(
          tmfError(404, 'NOT_FOUND', 'Unknown test', `${system.name} was never sent a serviceTest ${ref} (by its id or a TR number)`),
          null,
          'serviceTestUpdate',
        );
      }
      const { message } = await this.application.apply(
        ctx,
        system,
        lookup.target,
        { ...report, resourceId: lookup.target.request.externalId ?? undefined },
        how,
      );
      return { answer: { status: 200, body: { id: message!.id, outcome: message!.outcome } } };
    });
  }

  /** The test run's delivered CREATE at this system, found by the run's number. */
  private async byNumber(ctx: RequestContext, system: ExternalSystemEntity, kind: RecordKind, number: string) {
    const record = await ctx.manager.findOne(kind.entity, { where: { number } });
    if (!record?.externalId) return { missing: number };
    return this.application.findTarget(ctx, system, kind, { resourceId: record.externalId });
  }
}
