import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from '../src/config';
import type { Services } from '../src/container';
import { DecisionSubject, OrderItemAction, OutboundAuthType, OutboundRequestState, TmfApi } from '../src/entities/enums';
import { Role } from '../src/services/auth/roles';
import { RequestContext } from '../src/services/context/request-context';
import type { EventBus } from '../src/services/events/event-bus';
import { routingKey, TOPICS, type OutboundRequestChangedEvent } from '../src/services/events/fulfillment.events';

/** What the bench scenarios share: configuration, a TMF peer, a routed system, queued orders. */

export const databaseUrl = process.env.BENCH_DATABASE_URL || null;

/** The bench's gateway configuration; on PostgreSQL a schema and channel of its own (`name` tells scenarios apart). */
export function benchConfig(name: string, env: Record<string, string> = {}): Config {
  const schema = `bench_${name}_${process.pid}`;
  return loadConfig({
    JWT_SECRET: 'bench-secret-bench-secret',
    ENCRYPTION_KEY: '1'.repeat(64),
    LOG_LEVEL: 'silent',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema, NOTIFY_CHANNEL: schema } : {}),
    ...env,
  });
}

/** A TMF peer that accepts every order at once: the bench measures the gateway, not the peer. */
export function startPeer(): Promise<{ server: Server; url: string }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
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

/** TMF641 active, a system at `peerUrl` (with `inboundToken` if given) and a rule routing every order to it. */
export async function configure(services: Services, peerUrl: string, inboundToken?: string): Promise<string> {
  const admin = new RequestContext(services.dataSource, { id: 'bench', roles: [Role.ADMIN] });
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

/** Creates n orders and submits each: n outbound requests QUEUED. Returns their ids, payloads and order numbers. */
export async function queue(services: Services, n: number): Promise<{ ids: string[]; payloads: unknown[]; numbers: string[] }> {
  const ids: string[] = [];
  const payloads: unknown[] = [];
  const numbers: string[] = [];
  for (let i = 0; i < n; i++) {
    const ctx = new RequestContext(services.dataSource, { id: 'bench', roles: [Role.ADMIN] });
    await ctx.transaction(async () => {
      const order = await services.domainOrders.create(ctx, {
        action: OrderItemAction.ADD,
        serviceSpecification: { id: 'bench-spec', name: 'Bench service' },
        characteristics: [{ name: 'bandwidth', value: '100M' }],
      });
      const [request] = (await services.submissions.submit(ctx, DecisionSubject.DOMAIN_ORDER, order.id)).outboundRequests;
      ids.push(request.id);
      payloads.push(request.payload);
      numbers.push(order.number);
    });
  }
  return { ids, payloads, numbers };
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
  return n / (Number(process.hrtime.bigint() - started) / 1e9);
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
