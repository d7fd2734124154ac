import type { HubRegistry } from './hub-registry';
import type { ServiceTestSpecificationStore } from './service-test-specification.store';
import type { ServiceTestStore } from './service-test.store';
import { SERVICE_TEST_BASE } from './simulator.config';
import type { Router } from './simulator.router';
import { isObject } from './tmf-resources';
import { addHubRoutes, collection, createContext, created, found, text, validBody } from './tmf-routes';

const base = SERVICE_TEST_BASE;
const apiBase = base;

/** TMF653 v4.2: serviceTest, serviceTestSpecification and hub. */
export function addServiceTestRoutes(
  router: Router,
  tests: ServiceTestStore,
  specifications: ServiceTestSpecificationStore,
  hubs: HubRegistry,
): void {
  addTestRoutes(router, tests);
  addSpecificationRoutes(router, specifications);
  addHubRoutes(router, 'TMF653', apiBase, hubs);
}

function addTestRoutes(router: Router, tests: ServiceTestStore): void {
  // Requests about a test are counted, faulted and given scenarios by the test's name.
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
  router.add({
    method: 'DELETE',
    template: `${base}/serviceTest/{id}`,
    apiBase,
    subject: ({ params }) => ofTest(params.id),
    handle: ({ params }) => {
      tests.delete(params.id);
      return { status: 204 };
    },
  });
}

function addSpecificationRoutes(router: Router, specifications: ServiceTestSpecificationStore): void {
  const path = `${base}/serviceTestSpecification`;
  router.add({
    method: 'POST',
    template: path,
    apiBase,
    handle: ({ body, baseUrl }) => created(specifications.create(validBody('TMF653', 'ServiceTestSpecification_Create', body), baseUrl)),
  });
  router.add({ method: 'GET', template: path, apiBase, handle: (ctx) => collection(specifications.list(), ctx) });
  router.add({
    method: 'GET',
    template: `${path}/{id}`,
    apiBase,
    handle: ({ params }) => ({ status: 200, body: found(specifications.get(params.id), 'serviceTestSpecification', params.id) }),
  });
  router.add({
    method: 'PATCH',
    template: `${path}/{id}`,
    apiBase,
    handle: ({ params, body }) => {
      found(specifications.get(params.id), 'serviceTestSpecification', params.id);
      return { status: 200, body: specifications.patch(params.id, validBody('TMF653', 'ServiceTestSpecification_Update', body)) };
    },
  });
  router.add({
    method: 'DELETE',
    template: `${path}/{id}`,
    apiBase,
    handle: ({ params }) => {
      specifications.delete(params.id);
      return { status: 204 };
    },
  });
}
