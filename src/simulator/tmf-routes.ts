import { checkTmf, formatViolations, type TmfSpec } from '../services/tmf/tmf-schema';
import { queryCollection } from './collection-query';
import type { HubRegistry, TmfApi } from './hub-registry';
import { checkScenario } from './scenario';
import type { CreateContext } from './service-order.store';
import { isHttpUrl } from './simulator.config';
import { badRequest, notFound } from './simulator.errors';
import type { Reply, RouteContext, Router } from './simulator.router';
import { isObject, type Json } from './tmf-resources';

// What the TMF641 and TMF653 routes share: body validation, TMF replies, collections, hub, scenarios.

/** Validates a request body against an official TMF definition; 400 naming every offending field otherwise. */
export function validBody(spec: TmfSpec, definition: string, body: unknown): Json {
  if (!isObject(body)) throw badRequest(`Request body must be a JSON object (${spec} ${definition})`);
  const check = checkTmf(spec, definition, body);
  if (!check.valid) throw badRequest(`Request body does not match ${spec} ${definition}: ${formatViolations(check.violations)}`);
  return body;
}

export function found<T>(value: T | undefined, what: string, id: string): T {
  if (value === undefined) throw notFound(`No ${what} with id ${id}`);
  return value;
}

export function created(resource: Json): Reply {
  return { status: 201, body: resource, headers: { location: String(resource.href) }, created: true };
}

export function collection(resources: readonly Json[], ctx: RouteContext): Reply {
  const page = queryCollection(resources, ctx.query);
  return { status: 200, body: page.items, headers: { 'x-total-count': String(page.total), 'x-result-count': String(page.items.length) } };
}

export const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * TMF v4 hub: `POST /hub` (201 `{id, callback, query?}`) and `DELETE /hub/{id}` (204). A fault rule on
 * path `/hub` makes them refuse like any other route, for the client's "hub refused" path.
 */
export function addHubRoutes(router: Router, api: TmfApi, base: string, hubs: HubRegistry): void {
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

export function createContext(ctx: RouteContext, kind: 'order' | 'test'): CreateContext {
  const problems = checkScenario(ctx.scenario, kind);
  if (problems.length > 0) throw badRequest(`Simulator scenario: ${problems.join('; ')}`);
  return { baseUrl: ctx.baseUrl, scenario: ctx.scenario, faults: ctx.eventFaults };
}
