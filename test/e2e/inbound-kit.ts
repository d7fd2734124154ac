import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator';
import {
  ActivateOpenApiDocument,
  CreateDomainOrderDocument,
  CreateFulfillmentRequestDocument,
  InboundMessagesDocument,
  OrderReportsDocument,
  RunReportsDocument,
  type DomainOrderInput,
  type ExternalSystemInput,
  type InboundMessageFilter,
  type OrderReportsQuery,
  type RunReportsQuery,
} from '../__generated__/graphql';
import { unique } from '../graphql/factories';
import { startTestApp, type TestApp } from '../support/app';
import type { Logger } from 'typeorm';
import { caseOrder, caseRule, orderingSystem, testSystem, waitFor, waitForState } from './e2e-kit';

/** Helpers of the inbound end-to-end tests: systems that call back, raw callbacks, waiting on reported states. */

export type OrderReport = NonNullable<OrderReportsQuery['domainOrder']>;
export type RunReport = NonNullable<RunReportsQuery['testRun']>;

/** A gateway with both APIs active and a simulator whose events are delivered patiently (8 attempts): one test file's world. */
export async function startInboundWorld(options: Partial<SimulatorOptions> = {}): Promise<{ app: TestApp; sim: Simulator }> {
  const sim = await startSimulator({ stepMs: 5, deliveryAttempts: 8, ...options });
  const app = await startTestApp();
  await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
  await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_TEST_TMF653' });
  return { app, sim };
}

export async function closeInboundWorld(world: { app?: TestApp; sim?: Simulator }): Promise<void> {
  await world.app?.close();
  await world.sim?.close();
}

/**
 * The world of a test that sends the events itself: a gateway with TMF641 active (its statements go to
 * `sqlLogger`), a simulator that accepts orders and never calls back, a system with an inbound token and
 * a rule sending the case's orders to it.
 */
export async function silentOrderingWorld(caseName: string, sqlLogger: Logger) {
  const sim = await startSimulator({ stepMs: 600_000, notify: 'none' });
  const app = await startTestApp({ sqlLogger });
  await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
  const { system, token } = await callingBackSystem(app, sim, 'orders', { notify: 'none' });
  await caseRule(app, system.id, caseName);
  return { app, sim, systemId: system.id, token };
}

/** A system with an inbound token whose simulator calls this gateway back (TMF events by default). */
export async function callingBackSystem(
  app: TestApp,
  sim: Simulator,
  api: 'orders' | 'tests',
  options: { notify?: 'events' | 'outboundresponse' | 'none'; overrides?: Partial<ExternalSystemInput> } = {},
) {
  const token = unique('inbound-token-').replace(/\s/g, '-').padEnd(24, 'x');
  const make = api === 'orders' ? orderingSystem : testSystem;
  const system = await make(app, sim, { inboundToken: token, ...options.overrides });
  sim.setOptions({ callbackUrl: `${app.url}${system.callbackPath}`, callbackToken: token, notify: options.notify ?? 'events' });
  return { system, token };
}

/**
 * A TMF641 system that calls back, a rule sending `caseName`'s orders to it, and an order of that case
 * (`input`, by default a plain one) submitted and DELIVERED: `create` is its CREATE as delivered.
 */
export async function deliveredOrder(
  app: TestApp,
  sim: Simulator,
  caseName: string,
  input: DomainOrderInput = caseOrder(caseName),
  options: { notify?: 'events' | 'outboundresponse' | 'none' } = {},
) {
  const { system, token } = await callingBackSystem(app, sim, 'orders', options);
  await caseRule(app, system.id, caseName);
  const order = (await app.ok(CreateDomainOrderDocument, { input })).createDomainOrder;
  const [request] = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest.outboundRequests;
  const create = await waitForState(app, request.id, 'DELIVERED');
  return { system, token, order, create };
}

export interface CallbackResult {
  status: number;
  body: any;
  headers: Headers;
}

/** A callback as an external system would make it: POST (or the method given) under /callbacks/{id}. */
export async function callback(
  app: TestApp,
  path: string,
  body: unknown,
  options: { token?: string | null; method?: string; contentType?: string; raw?: string } = {},
): Promise<CallbackResult> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${app.url}/callbacks/${path}`, {
    method: options.method ?? 'POST',
    headers,
    body: options.raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // kept as text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export async function orderReport(app: TestApp, id: string): Promise<OrderReport> {
  return (await app.ok(OrderReportsDocument, { id })).domainOrder!;
}

export async function runReport(app: TestApp, id: string): Promise<RunReport> {
  return (await app.ok(RunReportsDocument, { id })).testRun!;
}

/** Waits until the order (as GraphQL shows it) satisfies `ok`; fails naming `what` with the last state seen. */
export function untilOrder(app: TestApp, id: string, ok: (o: OrderReport) => boolean, what: string, timeoutMs = 15_000) {
  return waitFor(
    async () => {
      const o = await orderReport(app, id);
      return ok(o) ? o : null;
    },
    what,
    timeoutMs,
  );
}

export function untilRun(app: TestApp, id: string, ok: (r: RunReport) => boolean, what: string, timeoutMs = 15_000) {
  return waitFor(
    async () => {
      const r = await runReport(app, id);
      return ok(r) ? r : null;
    },
    what,
    timeoutMs,
  );
}

export async function inboundMessages(app: TestApp, filter: InboundMessageFilter) {
  return (await app.ok(InboundMessagesDocument, { first: 500, filter })).inboundMessages;
}

/** A TMF641 event envelope as a system would post it. */
export function orderEvent(eventType: string, serviceOrder: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    eventId: `evt-${Math.random().toString(36).slice(2)}`,
    eventTime: new Date().toISOString(),
    eventType,
    event: { serviceOrder },
    ...extra,
  };
}
