import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../src/config';
import { buildDispatcher, buildServices, type Services } from '../src/container';
import { createDataSource, openDatabase } from '../src/database/data-source';
import { EmbeddedMaintenance } from '../src/database/embedded-maintenance';
import { DecisionSubject, OrderItemAction, OutboundAuthType, OutboundRequestState, TmfApi } from '../src/entities/enums';
import { Role } from '../src/services/auth/roles';
import { RequestContext } from '../src/services/context/request-context';
import type { HttpClient } from '../src/services/southbound/http-client';
import { EventBus } from '../src/services/events/event-bus';
import { EmbeddedNotificationSource, PostgresNotificationSource } from '../src/services/events/notification-source';
import { routingKey, TOPICS, type OutboundRequestChangedEvent } from '../src/services/events/fulfillment.events';
import { dispatcherOptions } from '../src/runtime';

export interface Round {
  dispatcherPerSecond: number;
  bareLoopPerSecond: number;
}

export interface DispatchBenchResult {
  requests: number;
  concurrency: number;
  database: string;
  /** The measured rounds, in order (a warm-up round before them is not reported). */
  rounds: Round[];
  /** Medians over the rounds; ratio is the median of each round's dispatcher/bare ratio. */
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
  // Longer than the client's keep-alive, as servers usually keep idle connections: the client closes
  // them first, so a connection left idle while the next round is queued is never reset under a request.
  server.keepAliveTimeout = 60_000;
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

async function configure(services: Services, peerUrl: string): Promise<void> {
  const admin = new RequestContext(services.dataSource, { id: 'bench', roles: [Role.ADMIN] });
  await admin.transaction(async () => {
    await services.openApis.setActive(admin, TmfApi.SERVICE_ORDERING_TMF641, true);
    const system = await services.externalSystems.create(admin, {
      name: 'bench peer',
      api: TmfApi.SERVICE_ORDERING_TMF641,
      baseUrl: peerUrl,
      auth: { type: OutboundAuthType.NONE },
    });
    await services.decisionRules.create(admin, {
      subject: DecisionSubject.DOMAIN_ORDER,
      name: 'all',
      priority: 1,
      hierarchical: true,
      externalSystemId: system.id,
    });
  });
}

/** Creates n orders and submits each: n outbound requests QUEUED. Returns their ids and payloads. */
async function queue(services: Services, n: number): Promise<{ ids: string[]; payloads: unknown[] }> {
  const ids: string[] = [];
  const payloads: unknown[] = [];
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
    });
  }
  return { ids, payloads };
}

/** Counts these requests' DELIVERED events as they are committed (polling the table would compete with the dispatcher). */
async function untilDelivered(eventBus: EventBus, ids: string[]): Promise<void> {
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

/** The same payloads, client and concurrency, writing one row per response: the floor the dispatcher is held to. */
async function bareLoop(dataSource: DataSource, http: HttpClient, url: string, payloads: unknown[], concurrency: number): Promise<number> {
  await dataSource.query(`CREATE TABLE IF NOT EXISTS bench_response (id uuid PRIMARY KEY, status int, body jsonb)`);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < payloads.length) {
        const payload = payloads[next++];
        const res = await http.send({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payload),
          timeoutMs: 10_000,
        });
        await dataSource.query(`INSERT INTO bench_response (id, status, body) VALUES ($1, $2, $3)`, [
          randomUUID(),
          res.status,
          res.bodyText,
        ]);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await dataSource.query(`DROP TABLE bench_response`);
  return payloads.length / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Scenario 1. Each round queues n requests, times a dispatcher from start until all are DELIVERED (their
 * events received), then times the bare loop over the same payloads. A smaller round first warms both
 * paths up unmeasured: V8 compiles the HTTP stack, pg and the dispatcher while they first run hot, and on
 * two cores that work would otherwise land on whichever side runs first.
 */
export async function dispatchBench(n: number, concurrency: number, roundCount = 3): Promise<DispatchBenchResult> {
  const databaseUrl = process.env.BENCH_DATABASE_URL || null;
  const config = loadConfig({
    JWT_SECRET: 'bench-secret-bench-secret',
    ENCRYPTION_KEY: '1'.repeat(64),
    LOG_LEVEL: 'silent',
    DISPATCH_CONCURRENCY: String(concurrency),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: `bench_${process.pid}`, NOTIFY_CHANNEL: `bench_${process.pid}` } : {}),
  });
  const dataSource = await openDatabase(createDataSource(config, { inMemory: true, poolSize: 20 }));
  const source = databaseUrl ? new PostgresNotificationSource(databaseUrl, () => undefined) : new EmbeddedNotificationSource();
  const eventBus = new EventBus(config.notifyChannel, source);
  await eventBus.start();
  const services = buildServices({ config, dataSource, eventBus, encryptionKey: Buffer.alloc(32, 1), httpConnections: concurrency });
  // As the runtime does: the embedded database is vacuumed by the gateway (PostgreSQL by its autovacuum).
  const maintenance = databaseUrl ? null : new EmbeddedMaintenance(dataSource, eventBus, pino({ level: 'silent' }));
  maintenance?.start();
  const peer = await startPeer();
  const peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}/tmf-api/serviceOrdering/v4`;

  const round = async (size: number): Promise<Round> => {
    const { ids, payloads } = await queue(services, size);
    const dispatcher = buildDispatcher(services, dispatcherOptions(config), pino({ level: 'silent' }));
    const done = untilDelivered(eventBus, ids);
    const started = process.hrtime.bigint();
    dispatcher.start();
    await done;
    const dispatcherPerSecond = size / (Number(process.hrtime.bigint() - started) / 1e9);
    await dispatcher.stop();
    const [{ count }] = await dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM outbound_request WHERE id = ANY($1::uuid[]) AND state = 'DELIVERED'`,
      [ids],
    );
    if (count !== size) throw new Error(`expected ${size} DELIVERED, found ${count}`);
    return {
      dispatcherPerSecond,
      bareLoopPerSecond: await bareLoop(dataSource, services.http, `${peerUrl}/serviceOrder`, payloads, concurrency),
    };
  };

  try {
    await configure(services, peerUrl);
    await round(Math.min(n, 500));
    const rounds: Round[] = [];
    for (let i = 0; i < roundCount; i++) rounds.push(await round(n));
    return {
      requests: n,
      concurrency,
      database: databaseUrl ? 'postgresql' : 'embedded PGlite',
      rounds,
      dispatcherPerSecond: median(rounds.map((r) => r.dispatcherPerSecond)),
      bareLoopPerSecond: median(rounds.map((r) => r.bareLoopPerSecond)),
      // Each round pairs the two loops under the same conditions, so the median of the pairs' ratios.
      ratio: median(rounds.map((r) => r.dispatcherPerSecond / r.bareLoopPerSecond)),
    };
  } finally {
    await services.close();
    peer.close();
    await maintenance?.stop();
    await eventBus.close();
    if (databaseUrl) await dataSource.query(`DROP SCHEMA IF EXISTS "bench_${process.pid}" CASCADE`);
    await dataSource.destroy();
  }
}
