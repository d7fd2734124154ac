import { DomainOrderEntity } from '../../entities/domain-order.entity';
import { DecisionSubject, DomainOrderState, TmfApi } from '../../entities/enums';
import { FalloutDomainOrderEntity } from '../../entities/fallout.entity';
import { InboundMessageDomainOrderEntity } from '../../entities/inbound-message.entity';
import { OutboundRequestDomainOrderEntity } from '../../entities/outbound-request.entity';
import { ROLES } from '../auth/roles';
import type { DomainOrderNode } from '../model/record-model';
import {
  TMF_ORDER_ITEM_ACTION,
  buildCancelServiceOrder,
  buildServiceOrderRevision,
  CANCEL_SERVICE_ORDER_COLLECTION,
  SERVICE_ORDER_COLLECTION,
} from '../tmf641/service-order.payload';
import {
  CANCELLATION_STATES,
  readCancelServiceOrder,
  readServiceOrder,
  SERVICE_ORDER_EVENTS,
  serviceOrderFulfillmentState,
} from '../tmf641/service-order.report';
import { planOrderSubmission } from '../tmf641/service-order.plan';
import { assertValidPayload } from '../tmf/tmf-schema';
import type { RecordKind } from './record-kind';
import { orderTree } from './record-nodes';

/** Domain service orders, fulfilled through TMF641 Service Ordering. */
export const DOMAIN_ORDERS: RecordKind<DomainOrderEntity, DomainOrderNode> = {
  subject: DecisionSubject.DOMAIN_ORDER,
  key: 'domainOrder',
  label: 'Domain order',
  plural: 'domain orders',
  idArgument: 'domainOrderId',
  entity: DomainOrderEntity,
  table: 'domain_order',
  link: {
    entity: OutboundRequestDomainOrderEntity,
    table: 'outbound_request_domain_order',
    column: 'domain_order_id',
    property: 'domainOrderId',
  },
  inboundLink: {
    entity: InboundMessageDomainOrderEntity,
    table: 'inbound_message_domain_order',
    column: 'domain_order_id',
    property: 'domainOrderId',
  },
  falloutLink: { entity: FalloutDomainOrderEntity, table: 'fallout_domain_order', column: 'domain_order_id', property: 'domainOrderId' },
  api: TmfApi.SERVICE_ORDERING_TMF641,
  policy: 'Service Order Outbound Policy',
  roles: ROLES.ORDERS,
  collection: SERVICE_ORDER_COLLECTION,
  resourceKey: 'serviceOrder',
  cancelTaskKey: 'cancelServiceOrder',
  listenerEvents: SERVICE_ORDER_EVENTS,
  canceledColumns: { state: DomainOrderState.CANCELED, stateBeforeCancellation: null },
  notApplicableFields: ['mode'],
  treeColumns: [
    'name',
    'category',
    'domain',
    'action',
    'serviceSpecification',
    'serviceId',
    'characteristics',
  ] satisfies (keyof DomainOrderEntity)[],

  atPointOfNoReturn(order) {
    return order.pointOfNoReturn;
  },

  cancellingColumns(order) {
    return { state: DomainOrderState.CANCELLATION_IN_PROGRESS, stateBeforeCancellation: order.stateBeforeCancellation ?? order.state };
  },

  restoredColumns(order) {
    return { state: order.stateBeforeCancellation ?? order.state, stateBeforeCancellation: null };
  },

  mayBeCancelling(order) {
    return order.stateBeforeCancellation !== null;
  },

  stillCancelling(state) {
    return CANCELLATION_STATES.has(state);
  },

  decidingValues(order) {
    return {
      category: order.category,
      action: TMF_ORDER_ITEM_ACTION[order.action],
      domain: order.domain,
      'specification.id': order.serviceSpecification.id,
      'specification.name': order.serviceSpecification.name,
      'relatedService.id': order.serviceId,
    };
  },

  toTree(_ctx, rows) {
    return Promise.resolve(orderTree(rows));
  },

  planCreate: planOrderSubmission,

  revisionPayload(_ctx, changed, createRequestId) {
    const payload = buildServiceOrderRevision(
      changed.map((o) => orderTree([o])),
      { requestId: createRequestId },
    );
    assertValidPayload('TMF641', 'ServiceOrder_Update', payload);
    return Promise.resolve(payload);
  },

  // TMF641 lets the client set externalId, and ours is the submission's requestId.
  lookUpPath(requestId) {
    return `${SERVICE_ORDER_COLLECTION}?externalId=${encodeURIComponent(requestId)}`;
  },

  readReport: readServiceOrder,
  fulfillmentStateOf: serviceOrderFulfillmentState,

  // TMF641 cancels an order through a cancel task: POST /cancelServiceOrder naming the order.
  cancelRequest(externalId, reason) {
    const payload = buildCancelServiceOrder(externalId, reason);
    assertValidPayload('TMF641', 'CancelServiceOrder_Create', payload);
    return { httpMethod: 'POST', path: CANCEL_SERVICE_ORDER_COLLECTION, payload };
  },

  readCancelTask: readCancelServiceOrder,

  // TMF641 reports no results.
  saveResults() {
    return Promise.resolve();
  },
};
