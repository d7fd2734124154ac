import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import pino from 'pino';
import WebSocket from 'ws';
import { createDataSource, openDatabase } from '../../src/database/data-source';
import { startRuntime, type Runtime } from '../../src/runtime';
import type { Simulator } from '../../src/simulator';
import {
  CreateDecisionRuleDocument,
  CreateExternalSystemDocument,
  E2eOutboundRequestStateDocument,
  E2eOutboundRequestsOfDocument,
  E2eRecordStatesDocument,
  E2eTestRunStatesDocument,
  type DecisionRuleInput,
  type DomainOrderInput,
  type E2eOutboundRequestStateQuery,
  type ExternalSystemInput,
  type OutboundRequestState,
} from '../__generated__/graphql';
import { orderInput, unique } from '../graphql/factories';
import type { TestApp } from '../support/app';
import { testDatabaseUrl } from '../support/database';

/** End-to-end helpers: gateway + simulator wiring, waiting for conditions, subscription collectors. */

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Polls `probe` until it returns something truthy; fails naming `what` (and the last value seen) after
 * the deadline. The deadline is a safety net for a hung test, not a claim about speed.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last value: ${JSON.stringify(value)})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The characteristic every e2e order and run carries so that each test routes through rules of its own. */
export const CASE = 'e2eCase';

/** A TMF641 system whose base URL is the simulator's service ordering root (or the URL given). */
export async function orderingSystem(app: TestApp, target: Simulator | string, overrides: Partial<ExternalSystemInput> = {}) {
  const input: ExternalSystemInput = {
    name: unique('Simulated activation'),
    api: 'SERVICE_ORDERING_TMF641',
    baseUrl: typeof target === 'string' ? target : target.serviceOrderingUrl,
    ...overrides,
  };
  return (await app.ok(CreateExternalSystemDocument, { input })).createExternalSystem;
}

/** A TMF653 system whose base URL is the simulator's service test root. */
export async function testSystem(app: TestApp, sim: Simulator, overrides: Partial<ExternalSystemInput> = {}) {
  const input: ExternalSystemInput = {
    name: unique('Simulated diagnostics'),
    api: 'SERVICE_TEST_TMF653',
    baseUrl: sim.serviceTestUrl,
    ...overrides,
  };
  return (await app.ok(CreateExternalSystemDocument, { input })).createExternalSystem;
}

/** A rule that matches only records whose `e2eCase` characteristic is `caseName`. */
export async function caseRule(app: TestApp, systemId: string, caseName: string, overrides: Partial<DecisionRuleInput> = {}) {
  const input: DecisionRuleInput = {
    subject: 'DOMAIN_ORDER',
    name: unique(`rule ${caseName}`),
    priority: 10,
    hierarchical: true,
    externalSystemId: systemId,
    conditions: [{ field: `characteristic.${CASE}`, operator: 'EQUALS', values: [caseName] }],
    ...overrides,
  };
  return (await app.ok(CreateDecisionRuleDocument, { input })).createDecisionRule;
}

/** An order input routed by `caseName`; children inherit the case so the whole tree is consistent. */
export function caseOrder(caseName: string, overrides: Partial<DomainOrderInput> = {}): DomainOrderInput {
  return orderInput({
    characteristics: [
      { name: 'bandwidth', value: '100M' },
      { name: CASE, value: caseName },
    ],
    ...overrides,
  });
}

export type RequestSnapshot = NonNullable<E2eOutboundRequestStateQuery['outboundRequest']>;

export async function requestState(app: TestApp, id: string): Promise<RequestSnapshot> {
  return (await app.ok(E2eOutboundRequestStateDocument, { id })).outboundRequest!;
}

/** Waits until the outbound request is in `state`; fails early if it ends in another final state. */
export async function waitForState(app: TestApp, id: string, state: OutboundRequestState, timeoutMs = 10_000): Promise<RequestSnapshot> {
  const finals: OutboundRequestState[] = ['DELIVERED', 'ERROR', 'DISCARDED'];
  return waitFor(
    async () => {
      const r = await requestState(app, id);
      if (r.state !== state && finals.includes(r.state)) {
        throw new Error(`Outbound request ${r.number} ended ${r.state} while waiting for ${state}: ${JSON.stringify(r.error)}`);
      }
      return r.state === state ? r : null;
    },
    `outbound request ${id} to be ${state}`,
    timeoutMs,
  );
}

/** Every outbound request of a submission, full fields, oldest first. */
export async function requestsOf(app: TestApp, requestId: string) {
  const conn = (await app.ok(E2eOutboundRequestsOfDocument, { filter: { requestId }, first: 100 })).outboundRequests;
  return conn.edges.map((e) => e.node).sort((a, b) => a.number.localeCompare(b.number));
}

export async function orderStates(app: TestApp, id: string) {
  return (await app.ok(E2eRecordStatesDocument, { id })).domainOrder!;
}

export async function runStates(app: TestApp, id: string) {
  return (await app.ok(E2eTestRunStatesDocument, { id })).testRun!;
}

/** A TCP port that nothing listens on: bound once to get a free one, then closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A request a stub peer received. */
export interface PeerRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How a stub peer answers: a JSON body, or `raw` text as it is; `hang` never answers (for timeouts). */
export interface PeerAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  raw?: string;
  hang?: boolean;
}

export interface StubPeer {
  /** The TMF API root to give an external system as its base URL. */
  readonly baseUrl: string;
  readonly requests: PeerRequest[];
  /** How it answers each request; tests replace it. By default 404. */
  answer: (req: PeerRequest) => PeerAnswer;
  close(): Promise<void>;
}

/**
 * A tiny external system played by the test itself (node:http on a random port): it records every
 * request and answers what `answer` says, for answers the simulator does not give (bad JSON, huge
 * bodies, no answer at all).
 */
export async function startStubPeer(apiRoot = '/tmf-api/serviceTestManagement/v4'): Promise<StubPeer> {
  const requests: PeerRequest[] = [];
  const peer: StubPeer & { baseUrl: string } = {
    baseUrl: '',
    requests,
    answer: () => ({ status: 404, body: { code: '404', reason: 'Not found' } }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', peer.baseUrl),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      const a = peer.answer(received);
      if (a.hang) return;
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers });
      res.end(a.raw ?? JSON.stringify(a.body ?? null));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${apiRoot}`;
  return peer;
}

export interface Collector<R> {
  readonly events: R[];
  readonly errors: unknown[];
  /** Resolves once `n` events arrived; fails on a subscription error or after the deadline. */
  untilCount(n: number, what: string): Promise<R[]>;
  stop(): void;
}

/**
 * Subscribes over graphql-ws and collects every event. Resolves once the server has registered the
 * subscription on its event bus (so nothing published afterwards can be missed).
 */
export async function collect<R, V>(
  instance: { runtime: Runtime },
  client: Client,
  doc: TypedDocumentNode<R, V>,
  variables: V,
): Promise<Collector<R>> {
  const events: R[] = [];
  const errors: unknown[] = [];
  const bus = instance.runtime.services.eventBus;
  const before = bus.subscriberCount;
  const stop = client.subscribe<R>(
    { query: print(doc), variables: variables as Record<string, unknown> },
    {
      next: (value) => (value.errors?.length ? errors.push(value.errors) : events.push(value.data as R)),
      error: (err) => errors.push(err),
      complete: () => undefined,
    },
  );
  await waitFor(() => bus.subscriberCount > before || errors.length > 0, 'the subscription to be registered');
  if (errors.length) throw new Error(`Subscription failed: ${JSON.stringify(errors)}`);
  return {
    events,
    errors,
    stop,
    untilCount: async (n, what) => {
      await waitFor(() => events.length >= n || errors.length > 0, what);
      if (errors.length) throw new Error(`Subscription failed: ${JSON.stringify(errors)}`);
      return events;
    },
  };
}

export interface SecondInstance {
  runtime: Runtime;
  /** Runs an operation against this instance's HTTP endpoint; fails on any GraphQL error. */
  ok<R, V>(doc: TypedDocumentNode<R, V>, variables: V, token: string): Promise<R>;
  /** A graphql-ws client connected to this instance. */
  wsClient(token: string): Client;
  /** Log records of this instance (level debug and up), parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * Starts another gateway process-alike on the SAME PostgreSQL schema as `app` (its own data source,
 * LISTEN connection, dispatcher and HTTP port), as a second instance in a scale-out would run.
 * PostgreSQL only: the embedded database lives inside one process.
 */
export async function startSecondInstance(app: TestApp): Promise<SecondInstance> {
  if (!testDatabaseUrl || !app.db.schema) throw new Error('A second instance needs PostgreSQL (TEST_DATABASE_URL)');
  const config = { ...app.runtime.config, port: 0 };
  const dataSource = await openDatabase(
    createDataSource({ databaseUrl: testDatabaseUrl, databaseSchema: app.db.schema, dataDir: '' }, { poolSize: 5 }),
  );
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const runtime = await startRuntime(config, logger, { dataSource, inMemory: true });
  const clients: Client[] = [];
  return {
    runtime,
    logs,
    wsClient: (token) => {
      const client = createClient({
        url: `${runtime.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
      clients.push(client);
      return client;
    },
    ok: async (doc, variables, token) => {
      const res = await fetch(`${runtime.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: print(doc), variables }),
      });
      const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
      if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data as never;
    },
    close: async () => {
      await Promise.all(clients.map(async (c) => c.dispose()));
      await runtime.stop();
      await dataSource.destroy();
    },
  };
}
