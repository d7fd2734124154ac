import type { FaultRuleInput } from './fault-injection';
import type { RequestMatch } from './request-matcher';
import type { ScenarioRuleInput } from './scenario';
import type { Simulator } from './simulator.api';
import { ADMIN_BASE, type AdjustableOptions } from './simulator.config';
import { badRequest } from './simulator.errors';
import type { Reply, RouteContext, Router } from './simulator.router';
import { isObject } from './tmf-resources';

/**
 * /simulator/*: what tests and demos use to steer the simulator over HTTP. These requests are never
 * counted and never faulted.
 */
export function addAdminRoutes(router: Router, simulator: Simulator): void {
  const route = (method: string, path: string, handle: (ctx: RouteContext) => Reply) =>
    router.add({ method, template: `${ADMIN_BASE}${path}`, apiBase: ADMIN_BASE, handle });
  const ok = (body: unknown): Reply => ({ status: 200, body });
  const noContent: Reply = { status: 204 };

  route('GET', '/health', () => ok({ status: 'ok' }));
  // Without parameters: the full report; with method/path/externalId/name: the count for that filter.
  route('GET', '/requests', ({ query }) => {
    const filter: RequestMatch = Object.fromEntries(
      ['method', 'path', 'externalId', 'name'].filter((k) => query.has(k)).map((k) => [k, query.get(k) as string]),
    );
    return ok(Object.keys(filter).length > 0 ? simulator.countFor(filter) : simulator.requestCounts());
  });
  route('POST', '/reset', () => {
    simulator.reset();
    return noContent;
  });

  route('GET', '/faults', () => ok(simulator.faults()));
  route('POST', '/faults', ({ body }) => ({ status: 201, body: userInput(() => simulator.injectFault(objectBody<FaultRuleInput>(body))) }));
  route('DELETE', '/faults', () => {
    simulator.clearFaults();
    return noContent;
  });

  route('GET', '/scenarios', () => ok(simulator.scenarios()));
  route('POST', '/scenarios', ({ body }) => {
    const input = objectBody<ScenarioRuleInput>(body);
    return { status: 201, body: userInput(() => simulator.setScenario(input.match, input.scenario)) };
  });
  route('DELETE', '/scenarios', () => {
    simulator.clearScenarios();
    return noContent;
  });

  route('GET', '/deliveries', () => ok(simulator.deliveries()));
  route('GET', '/config', () => ok(configView(simulator)));
  // JSON null removes callbackUrl / callbackToken.
  route('PATCH', '/config', ({ body }) => {
    const changes = Object.fromEntries(Object.entries(objectBody<Record<string, unknown>>(body)).map(([k, v]) => [k, v ?? undefined]));
    userInput(() => simulator.setOptions(changes as Partial<AdjustableOptions>));
    return ok(configView(simulator));
  });
}

function configView(simulator: Simulator) {
  const { stepMs, callbackUrl, callbackToken, notify } = simulator.options;
  // The token itself is a secret and is never shown.
  return { stepMs, callbackUrl: callbackUrl ?? null, notify, callbackTokenSet: callbackToken !== undefined };
}

function objectBody<T>(body: unknown): T {
  if (!isObject(body)) throw badRequest('Request body must be a JSON object');
  return body as T;
}

/** Rule and option validation throws plain errors; over HTTP they are the client's mistake (400). */
function userInput<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw badRequest((e as Error).message);
  }
}
