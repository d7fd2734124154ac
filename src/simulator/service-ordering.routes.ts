import type { HubRegistry } from './hub-registry';
import type { ServiceOrderStore } from './service-order.store';
import { SERVICE_ORDERING_BASE } from './simulator.config';
import type { Router } from './simulator.router';
import { isObject } from './tmf-resources';
import { addHubRoutes, collection, createContext, created, found, text, validBody } from './tmf-routes';

const base = SERVICE_ORDERING_BASE;
const apiBase = base;

/** TMF641 v4: serviceOrder, cancelServiceOrder and hub. */
export function addServiceOrderingRoutes(router: Router, orders: ServiceOrderStore, hubs: HubRegistry): void {
  addServiceOrderRoutes(router, orders);
  addCancelServiceOrderRoutes(router, orders);
  addHubRoutes(router, 'TMF641', apiBase, hubs);
}

/** Requests about an order are counted, faulted and given scenarios by the order's externalId. */
function subjectOf(orders: ServiceOrderStore) {
  return (id: unknown) => ({ externalId: typeof id === 'string' ? orders.get(id)?.externalId : undefined });
}

function addServiceOrderRoutes(router: Router, orders: ServiceOrderStore): void {
  const ofOrder = subjectOf(orders);
  router.add({
    method: 'POST',
    template: `${base}/serviceOrder`,
    apiBase,
    subject: ({ body }) => ({ externalId: isObject(body) ? text(body.externalId) : undefined }),
    handle: (ctx) => created(orders.create(validBody('TMF641', 'ServiceOrder_Create', ctx.body), createContext(ctx, 'order'))),
  });
  router.add({
    method: 'GET',
    template: `${base}/serviceOrder`,
    apiBase,
    subject: ({ query }) => ({ externalId: query.get('externalId') ?? undefined }),
    handle: (ctx) => collection(orders.list(), ctx),
  });
  router.add({
    method: 'GET',
    template: `${base}/serviceOrder/{id}`,
    apiBase,
    subject: ({ params }) => ofOrder(params.id),
    handle: ({ params }) => ({ status: 200, body: found(orders.get(params.id), 'serviceOrder', params.id) }),
  });
  router.add({
    method: 'PATCH',
    template: `${base}/serviceOrder/{id}`,
    apiBase,
    subject: ({ params }) => ofOrder(params.id),
    handle: ({ params, body }) => {
      found(orders.get(params.id), 'serviceOrder', params.id);
      return { status: 200, body: orders.patch(params.id, validBody('TMF641', 'ServiceOrder_Update', body)) };
    },
  });
  router.add({
    method: 'DELETE',
    template: `${base}/serviceOrder/{id}`,
    apiBase,
    subject: ({ params }) => ofOrder(params.id),
    handle: ({ params }) => {
      orders.delete(params.id);
      return { status: 204 };
    },
  });
}

function addCancelServiceOrderRoutes(router: Router, orders: ServiceOrderStore): void {
  const ofOrder = subjectOf(orders);
  router.add({
    method: 'POST',
    template: `${base}/cancelServiceOrder`,
    apiBase,
    subject: ({ body }) => ofOrder(isObject(body) && isObject(body.serviceOrder) ? body.serviceOrder.id : undefined),
    handle: (ctx) => created(orders.cancel(validBody('TMF641', 'CancelServiceOrder_Create', ctx.body), createContext(ctx, 'order'))),
  });
  router.add({
    method: 'GET',
    template: `${base}/cancelServiceOrder`,
    apiBase,
    handle: (ctx) => collection(orders.listCancellations(), ctx),
  });
  router.add({
    method: 'GET',
    template: `${base}/cancelServiceOrder/{id}`,
    apiBase,
    subject: ({ params }) => ofOrder(orders.getCancellation(params.id)?.serviceOrder.id),
    handle: ({ params }) => ({ status: 200, body: found(orders.getCancellation(params.id), 'cancelServiceOrder', params.id) }),
  });
}
