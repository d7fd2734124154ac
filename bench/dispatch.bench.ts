import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../src/config';
import { buildServices, type Services } from '../src/container';
import { createDataSource, openDatabase } from '../src/database/data-source';
import { DecisionSubject, OrderItemAction, OutboundAuthType, TmfApi } from '../src/entities/enums';
import { Role } from '../src/services/auth/roles';
import { RequestContext } from '../src/services/common/request-context';
import { Dispatcher } from '../src/services/dispatch/dispatcher';
import { HttpClient } from '../src/services/dispatch/http-client';
import { OutboundSender } from '../src/services/dispatch/outbound-sender';
import { EventBus } from '../src/services/events/event-bus';
import { EmbeddedNotificationSource, PostgresNotificationSource } from '../src/services/events/notification-source';
import { routingKey, TOPICS, type OutboundRequestChangedEvent } from '../src/services/events/fulfillment.events';

export interface DispatchBenchResult {
  requests: number;
  concurrency: number;
  database: string;
  dispatcherPerSecond: number;
  bareLoopPerSecond: number;
  ratio: number;
}

/** A TMF peer that accepts every order at once: the bench measures the gateway, not the peer. */
function startPeer(): Promise<Server> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ id: `SO-${++n}`, state: 'acknowledged' });
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

async function setUp(services: Services, peerUrl: string, n: number): Promise<string[]> {
  const admin = new RequestContext(services.dataSource, { id: 'bench', roles: [Role.ADMIN] });
  await admin.transaction(async () => {
    await services.openApis.setActive(admin, TmfApi.SERVICE_ORDERING_TMF641, true);
    const system = await services.externalSystems.create(admin, {
      name: 'bench peer', api: TmfApi.SERVICE_ORDERING_TMF641, baseUrl: peerUrl, auth: { type: OutboundAuthType.NONE },
    });
    await services.decisionRules.create(admin, {
      subject: DecisionSubject.DOMAIN_ORDER, name: 'all', priority: 1, hierarchical: true, externalSystemId: system.id,
    });
  });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const ctx = new RequestContext(services.dataSource, { id: 'bench', roles: [Role.ADMIN] });
    await ctx.transaction(async () => {
      const order = await services.domainOrders.create(ctx, {
        action: OrderItemAction.ADD,
        serviceSpecification: { id: 'bench-spec', name: 'Bench service' },
        characteristics: [{ name: 'bandwidth', value: '100M' }],
      });
      const fr = await services.submissions.submitDomainOrder(ctx, order.id);
      ids.push(fr.outboundRequests[0].id);
    });
  }
  return ids;
}

/** Counts DELIVERED events as they are committed (polling the table would compete with the dispatcher). */
async function waitUntilDelivered(eventBus: EventBus, n: number): Promise<void> {
  const delivered = new Set<string>();
  const events = eventBus.subscribe(routingKey(TOPICS.OUTBOUND_REQUEST_CHANGED), (e) => (e as OutboundRequestChangedEvent).state === 'DELIVERED');
  for await (const e of events) {
    delivered.add((e as OutboundRequestChangedEvent).id);
    if (delivered.size >= n) break;
  }
}

/** The same payloads, client and concurrency, writing one row per response: the floor the dispatcher is held to. */
async function bareLoop(dataSource: DataSource, http: HttpClient, url: string, payloads: unknown[], concurrency: number): Promise<number> {
  await dataSource.query(`CREATE TABLE IF NOT EXISTS bench_response (id uuid PRIMARY KEY, status int, body jsonb)`);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < payloads.length) {
        const payload = payloads[next++];
        const res = await http.send({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), timeoutMs: 10_000 });
        await dataSource.query(`INSERT INTO bench_response (id, status, body) VALUES ($1, $2, $3)`, [randomUUID(), res.status, res.bodyText]);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await dataSource.query(`DROP TABLE bench_response`);
  return payloads.length / seconds;
}

export async function dispatchBench(n: number, concurrency: number): Promise<DispatchBenchResult> {
  const databaseUrl = process.env.BENCH_DATABASE_URL || null;
  const config = loadConfig({
    JWT_SECRET: 'bench-secret-bench-secret',
    ENCRYPTION_KEY: '1'.repeat(64),
    LOG_LEVEL: 'silent',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: `bench_${process.pid}`, NOTIFY_CHANNEL: `bench_${process.pid}` } : {}),
  });
  const dataSource = await openDatabase(createDataSource(config, { inMemory: true, poolSize: 20 }));
  const source = databaseUrl ? new PostgresNotificationSource(databaseUrl, () => undefined) : new EmbeddedNotificationSource();
  const eventBus = new EventBus(config.notifyChannel, source);
  await eventBus.start();
  const services = buildServices({ config, dataSource, eventBus, encryptionKey: Buffer.alloc(32, 1) });
  const peer = await startPeer();
  const peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}/tmf-api/serviceOrdering/v4`;
  const http = new HttpClient({ allowPrivateNetworks: true }, { connections: concurrency });
  try {
    const ids = await setUp(services, peerUrl, n);
    const rows: { payload: unknown }[] = await dataSource.query(`SELECT payload FROM outbound_request ORDER BY seq`);
    const dispatcher = new Dispatcher(dataSource, services, new OutboundSender(http, services.externalSystems), pino({ level: 'silent' }), {
      concurrency,
      leaseMarginMs: 30_000,
      sweepIntervalMs: 1_000,
      backoff: { baseMs: 1_000, maxMs: 60_000, unknownOutcomeSettleMs: 30_000 },
      breaker: { failureThreshold: 1_000_000, openMs: 1_000 },
      recordingWriters: databaseUrl ? 4 : 1,
    });
    const done = waitUntilDelivered(eventBus, ids.length);
    const started = process.hrtime.bigint();
    dispatcher.start();
    await done;
    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM outbound_request WHERE state = 'DELIVERED'`);
    if (count !== ids.length) throw new Error(`expected ${ids.length} DELIVERED, found ${count}`);
    const dispatcherPerSecond = n / (Number(process.hrtime.bigint() - started) / 1e9);
    await dispatcher.stop();
    const bareLoopPerSecond = await bareLoop(dataSource, http, `${peerUrl}/serviceOrder`, rows.map((r) => r.payload), concurrency);
    return {
      requests: n,
      concurrency,
      database: databaseUrl ? 'postgresql' : 'embedded PGlite',
      dispatcherPerSecond,
      bareLoopPerSecond,
      ratio: dispatcherPerSecond / bareLoopPerSecond,
    };
  } finally {
    await http.close();
    peer.close();
    await eventBus.close();
    if (databaseUrl) await dataSource.query(`DROP SCHEMA IF EXISTS "bench_${process.pid}" CASCADE`);
    await dataSource.destroy();
  }
}
