import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import pino from 'pino';
import { Agent, request } from 'undici';
import type { Logger as SqlLogger } from 'typeorm';
import { loadConfig, type Config } from '../src/config';
import type { Services } from '../src/container';
import { createDataSource, openDatabase } from '../src/database/data-source';
import { DecisionSubject, OrderItemAction, OutboundAuthType, OutboundRequestState, TmfApi } from '../src/entities/enums';
import { startRuntime, type Runtime } from '../src/runtime';
import { Role } from '../src/services/auth/roles';
import { RequestContext } from '../src/services/context/request-context';
import type { EventBus } from '../src/services/events/event-bus';
import { routingKey, TOPICS, type OutboundRequestChangedEvent } from '../src/services/events/fulfillment.events';

/** What the bench scenarios share: the databases, configuration, a TMF peer, a routed system, queued orders. */

/** One database the scenarios run on: PostgreSQL (BENCH_DATABASE_URL) or embedded PGlite in memory. */
export interface BenchDatabase {
  name: 'postgresql' | 'pglite';
  url: string | null;
}

export const JWT_SECRET = 'bench-secret-bench-secret';

let schemas = 0;

/** The bench's gateway configuration; on PostgreSQL a schema and channel of its own (`name` tells scenarios apart). */
export function benchConfig(db: BenchDatabase, name: string, env: Record<string, string> = {}): Config {
  const schema = `bench_${name}_${process.pid}_${++schemas}`;
  return loadConfig({
    JWT_SECRET,
    ENCRYPTION_KEY: '1'.repeat(64),
    LOG_LEVEL: 'silent',
    ...(db.url ? { DATABASE_URL: db.url, DATABASE_SCHEMA: schema, NOTIFY_CHANNEL: schema } : {}),
    ...env,
  });
}

/** Drops the scenario's schema (PostgreSQL; the embedded database lived in memory). */
export async function dropSchema(config: Config): Promise<void> {
  if (!config.databaseUrl) return;
  const client = new Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${config.databaseSchema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** The whole gateway (GraphQL, callbacks, dispatcher unless switched off) on a random port, quiet. */
export async function startGateway(
  db: BenchDatabase,
  name: string,
  env: Record<string, string> = {},
  sqlLogger?: SqlLogger,
): Promise<Runtime & { close(): Promise<void> }> {
  const config = benchConfig(db, name, { PORT: '0', HOST: '127.0.0.1', POLL_ENABLED: 'false', ...env });
  // PGlite keeps its data in memory unless the scenario gives it a directory (DATA_DIR).
  const inMemory = !env.DATA_DIR;
  const dataSource = sqlLogger ? await openDatabase(createDataSource(config, { inMemory, logger: sqlLogger, poolSize: 20 })) : undefined;
  const runtime = await startRuntime(config, pino({ level: 'silent' }), { inMemory, dataSource });
  return {
    ...runtime,
    close: async () => {
      await clients.get(runtime.url)?.close();
      clients.delete(runtime.url);
      await runtime.stop();
      if (dataSource) await dataSource.destroy();
      await dropSchema(config);
    },
  };
}

/**
 * The bench's GraphQL connections, one pool per gateway (closed with it: a later gateway may get the same
 * port). Idle ones are closed after 1 s, before the gateway's server closes them (5 s), so a request never
 * goes out on a socket the server is closing.
 */
const clients = new Map<string, Agent>();
const tokens: Record<string, string> = {};
const clientsOf = (url: string) =>
  clients.get(url) ?? clients.set(url, new Agent({ connections: 64, keepAliveTimeout: 1_000, keepAliveMaxTimeout: 1_000 })).get(url)!;

/** Posts a GraphQL operation with an admin token; fails on any error. */
export async function graphql<T>(runtime: Runtime, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const token = (tokens[runtime.url] ??= runtime.services.tokens.issue('bench', [Role.ADMIN]));
  const res = await request(`${runtime.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    dispatcher: clientsOf(runtime.url),
  });
  const body = (await res.body.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return body.data;
}

/**
 * A TMF peer that accepts every order at once (the bench measures the gateway, not the peer);
 * `received` hears of each POST as soon as its body has arrived.
 */
export function startPeer(received?: (body: string, req: IncomingMessage) => void): Promise<{ server: Server; url: string }> {
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => received && chunks.push(c));
    req.on('end', () => {
      received?.(Buffer.concat(chunks).toString('utf8'), req);
      const body = JSON.stringify({ id: `SO-${++n}`, state: 'acknowledged' });
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  // Longer than the client's keep-alive, as servers usually keep idle connections: the client closes
  // them first, so a connection left idle while the next round is queued is never reset under a request.
  server.keepAliveTimeout = 60_000;
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () =>
      ok({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tmf-api/serviceOrdering/v4` }),
    ),
  );
}

export const adminContext = (services: Services) => new RequestContext(services.dataSource, { id: 'bench', roles: [Role.ADMIN] });

/** TMF641 active, a system at `peerUrl` (with `inboundToken` if given) and a rule routing every order to it. */
export async function configure(services: Services, peerUrl: string, inboundToken?: string): Promise<string> {
  const admin = adminContext(services);
  return admin.transaction(async () => {
    await services.openApis.setActive(admin, TmfApi.SERVICE_ORDERING_TMF641, true);
    const system = await services.externalSystems.create(admin, {
      name: 'bench peer',
      api: TmfApi.SERVICE_ORDERING_TMF641,
      baseUrl: peerUrl,
      auth: { type: OutboundAuthType.NONE },
      inboundToken,
    });
    await services.decisionRules.create(admin, {
      subject: DecisionSubject.DOMAIN_ORDER,
      name: 'all',
      priority: 1,
      hierarchical: true,
      externalSystemId: system.id,
    });
    return system.id;
  });
}

/** The order every scenario creates: one record, one characteristic, with `children` below it. */
export function orderInput(children: number = 0) {
  const node = (i: number) => ({
    action: OrderItemAction.ADD,
    name: `node ${i}`,
    serviceSpecification: { id: 'bench-spec', name: 'Bench service' },
    characteristics: [{ name: 'bandwidth', value: '100M' }],
  });
  return { ...node(0), children: Array.from({ length: children }, (_, i) => node(i + 1)) };
}

/** Creates n orders (untimed set-up), each in its own transaction; returns their ids and numbers. */
export async function createOrders(services: Services, n: number, children = 0): Promise<{ id: string; number: string }[]> {
  const orders: { id: string; number: string }[] = [];
  for (let i = 0; i < n; i++) {
    const ctx = adminContext(services);
    orders.push(await ctx.transaction(() => services.domainOrders.create(ctx, orderInput(children))));
  }
  return orders;
}

/**
 * Creates n orders and submits each (set-up, untimed; 8 at a time on PostgreSQL): n outbound requests
 * QUEUED. Returns their ids, payloads and order numbers, in queueing order.
 */
export async function queue(services: Services, n: number): Promise<{ ids: string[]; payloads: unknown[]; numbers: string[] }> {
  const queued: { id: string; payload: unknown; number: string; seq: number }[] = [];
  // PGlite has one connection: its transactions would only queue behind each other.
  const workers = 'url' in services.dataSource.options && services.dataSource.options.url ? 8 : 1;
  await concurrently(n, workers, async () => {
    const ctx = adminContext(services);
    await ctx.transaction(async () => {
      const order = await services.domainOrders.create(ctx, orderInput());
      const [request] = (await services.submissions.submit(ctx, DecisionSubject.DOMAIN_ORDER, order.id)).outboundRequests;
      queued.push({ id: request.id, payload: request.payload, number: order.number, seq: Number(request.seq) });
    });
  });
  queued.sort((a, b) => a.seq - b.seq);
  return { ids: queued.map((q) => q.id), payloads: queued.map((q) => q.payload), numbers: queued.map((q) => q.number) };
}

/** Resolves once these requests' DELIVERED events were committed (polling the table would compete with the dispatcher). */
export async function untilDelivered(eventBus: EventBus, ids: string[]): Promise<void> {
  const waiting = new Set(ids);
  const events = eventBus.subscribe(
    routingKey(TOPICS.OUTBOUND_REQUEST_CHANGED),
    (e) => (e as OutboundRequestChangedEvent).state === OutboundRequestState.DELIVERED,
  );
  for await (const e of events) {
    waiting.delete((e as OutboundRequestChangedEvent).id);
    if (waiting.size === 0) break;
  }
}

/** Runs `work` for items 0..n-1 on `workers` concurrent loops; returns items per second. */
export async function concurrently(n: number, workers: number, work: (i: number, worker: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (next < n) await work(next++, worker);
    }),
  );
  return n / seconds(started);
}

/** Seconds since an hrtime.bigint() reading. */
export const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The p-th percentile (0..100) by nearest rank. */
export function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** A whole number from the environment, or the fallback. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number above 0 (got "${raw}")`);
  return n;
}
