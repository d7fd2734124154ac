import { checkTmf, formatViolations, type TmfSpec } from '../services/tmf/tmf-schema';
import { queryCollection } from './collection-query';
import type { HubRegistry, TmfApi } from './hub-registry';
import { checkScenario } from './scenario';
import type { CreateContext, ServiceOrderStore } from './service-order.store';
import type { ServiceTestStore } from './service-test.store';
import { SERVICE_ORDERING_BASE, SERVICE_TEST_BASE, isHttpUrl } from './simulator.config';
import { badRequest, notFound } from './simulator.errors';
import type { Reply, RequestContext, Router } from './simulator.router';
import { isObject, type Json } from './tmf-resources';

/** Validates a request body against an official TMF definition; 400 naming every offending field otherwise. */
export function validBody(spec: TmfSpec, definition: string, body: unknown): Json {
  if (!isObject(body)) throw badRequest(`Request body must be a JSON object (${spec} ${definition})`);
  const check = checkTmf(spec, definition, body);
  if (!check.valid) throw badRequest(`Request body does not match ${spec} ${definition}: ${formatViolations(check.violations)}`);
  return body;
}

function found<T>(value: T | undefined, what: string, id: string): T {
  if (value === undefined) throw notFound(`No ${what} with id ${id}`);
  return value;
}

function created(resource: Json): Reply {
  return { status: 201, body: resource, headers: { location: String(resource.href) }, created: true };
}

function collection(resources: readonly Json[], ctx: RequestContext): Reply {
  const page = queryCollection(resources, ctx.query);
  return { status: 200, body: page.items, headers: { 'x-total-count': String(page.total), 'x-result-count': String(page.items.length) } };
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** TMF641 v4: serviceOrder, cancelServiceOrder and hub. */
export function addServiceOrderingRoutes(router: Router, orders: ServiceOrderStore, hubs: HubRegistry): void {
  const base = SERVICE_ORDERING_BASE;
  const apiBase = base;
  const ofOrder = (id: unknown) => ({ externalId: typeof id === 'string' ? orders.get(id)?.externalId : undefined });
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
    method: 'POST',
    template: `${base}/cancelServiceOrder`,
    apiBase,
    subject: ({ body }) => ofOrder(isObject(body) && isObject(body.serviceOrder) ? body.serviceOrder.id : undefined),
    handle: (ctx) => created(orders.cancel(validBody('TMF641', 'CancelServiceOrder_Create', ctx.body), createContext(ctx, 'order'))),
  });
  router.add({ method: 'GET', template: `${base}/cancelServiceOrder`, apiBase, handle: (ctx) => collection(orders.listCancellations(), ctx) });
  router.add({
    method: 'GET',
    template: `${base}/cancelServiceOrder/{id}`,
    apiBase,
    subject: ({ params }) => ofOrder(orders.getCancellation(params.id)?.serviceOrder.id),
    handle: ({ params }) => ({ status: 200, body: found(orders.getCancellation(params.id), 'cancelServiceOrder', params.id) }),
  });
  addHubRoutes(router, 'TMF641', apiBase, hubs);
}

/** TMF653 v4.2: serviceTest and hub. */
export function addServiceTestRoutes(router: Router, tests: ServiceTestStore, hubs: HubRegistry): void {
  const base = SERVICE_TEST_BASE;
  const apiBase = base;
  const ofTest = (id: string) => ({ name: tests.get(id)?.name });
  router.add({
    method: 'POST',
    template: `${base}/serviceTest`,
    apiBase,
    subject: ({ body }) => ({ name: isObject(body) ? text(body.name) : undefined }),
    handle: (ctx) => created(tests.create(validBody('TMF653', 'ServiceTest_Create', ctx.body), createContext(ctx, 'test'))),
  });
  router.add({
    method: 'GET',
    template: `${base}/serviceTest`,
    apiBase,
    subject: ({ query }) => ({ name: query.get('name') ?? undefined }),
    handle: (ctx) => collection(tests.list(), ctx),
  });
  router.add({
    method: 'GET',
    template: `${base}/serviceTest/{id}`,
    apiBase,
    subject: ({ params }) => ofTest(params.id),
    handle: ({ params }) => ({ status: 200, body: found(tests.get(params.id), 'serviceTest', params.id) }),
  });
  router.add({
    method: 'PATCH',
    template: `${base}/serviceTest/{id}`,
    apiBase,
    subject: ({ params }) => ofTest(params.id),
    handle: ({ params, body }) => {
      found(tests.get(params.id), 'serviceTest', params.id);
      return { status: 200, body: tests.patch(params.id, validBody('TMF653', 'ServiceTest_Update', body)) };
    },
  });
  addHubRoutes(router, 'TMF653', apiBase, hubs);
}

function addHubRoutes(router: Router, api: TmfApi, base: string, hubs: HubRegistry): void {
  router.add({
    method: 'POST',
    template: `${base}/hub`,
    apiBase: base,
    handle: ({ body }) => {
      const input = validBody(api, 'EventSubscriptionInput', body);
      const callback = input.callback as string;
      if (!isHttpUrl(callback)) throw badRequest(`/callback: must be an absolute http(s) URL, got "${callback}"`);
      return { status: 201, body: hubs.add(api, callback, text(input.query)), created: true };
    },
  });
  router.add({
    method: 'DELETE',
    template: `${base}/hub/{id}`,
    apiBase: base,
    handle: ({ params }) => {
      if (!hubs.remove(api, params.id)) throw notFound(`No hub with id ${params.id}`);
      return { status: 204 };
    },
  });
}

function createContext(ctx: RequestContext, kind: 'order' | 'test'): CreateContext {
  const problems = checkScenario(ctx.scenario, kind);
  if (problems.length > 0) throw badRequest(`Simulator scenario: ${problems.join('; ')}`);
  return { baseUrl: ctx.baseUrl, scenario: ctx.scenario, faults: ctx.eventFaults };
}
