import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { buildDispatcher, buildServices } from '../src/container';
import { createDataSource, openDatabase } from '../src/database/data-source';
import { EmbeddedMaintenance } from '../src/database/embedded-maintenance';
import { dispatcherOptions } from '../src/runtime';
import { createEventBus } from '../src/services/events/event-brokers';
import type { HttpClient } from '../src/services/southbound/http-client';
import {
  benchConfig,
  concurrently,
  configure,
  dropSchema,
  median,
  queue,
  seconds,
  startPeer,
  untilDelivered,
  type BenchDatabase,
} from './bench-kit';
import type { BenchRow } from './report';

interface Round {
  dispatcher: number;
  perResponse: number;
  batched: number;
}

type Send = (i: number) => Promise<{ status: number; bodyText: string }>;

/** Today's floor: the same payloads, client and concurrency, one INSERT per response. */
async function perResponseLoop(dataSource: DataSource, send: Send, n: number, concurrency: number): Promise<number> {
  await dataSource.query(`CREATE TABLE bench_response (id uuid PRIMARY KEY, status int, body jsonb)`);
  const perSecond = await concurrently(n, concurrency, async (i) => {
    const res = await send(i);
    await dataSource.query(`INSERT INTO bench_response (id, status, body) VALUES ($1, $2, $3)`, [randomUUID(), res.status, res.bodyText]);
  });
  await dataSource.query(`DROP TABLE bench_response`);
  return perSecond;
}

/**
 * The best simple loop: the same sends, the responses written as the dispatcher writes its deliveries,
 * group-committed (one multi-row INSERT of whatever has arrived, the next batch gathering meanwhile), with
 * as many writers as the dispatcher has.
 */
async function batchedLoop(dataSource: DataSource, send: Send, n: number, concurrency: number, writers: number): Promise<number> {
  await dataSource.query(`CREATE TABLE bench_response (id uuid PRIMARY KEY, status int, body jsonb)`);
  const pending: { status: number; body: string }[] = [];
  let written = 0;
  let waiting: (() => void)[] = [];
  const wakeAll = () => {
    const w = waiting;
    waiting = [];
    w.forEach((ok) => ok());
  };
  const started = process.hrtime.bigint();
  const writer = async () => {
    while (written < n) {
      if (pending.length === 0) {
        await new Promise<void>((ok) => waiting.push(ok));
        continue;
      }
      const batch = pending.splice(0, pending.length);
      await dataSource.query(
        `INSERT INTO bench_response (id, status, body) SELECT gen_random_uuid(), s, b FROM unnest($1::int[], $2::jsonb[]) AS x (s, b)`,
        [batch.map((r) => r.status), batch.map((r) => r.body)],
      );
      written += batch.length;
      if (written >= n) wakeAll();
    }
  };
  const writing = Array.from({ length: writers }, writer);
  await concurrently(n, concurrency, async (i) => {
    const res = await send(i);
    pending.push({ status: res.status, body: res.bodyText });
    wakeAll();
  });
  await Promise.all(writing);
  const perSecond = n / seconds(started);
  await dataSource.query(`DROP TABLE bench_response`);
  return perSecond;
}

/**
 * Dispatch throughput. Each round has n requests QUEUED (the first round queues them through the services,
 * later ones put the same rows back to QUEUED), times a dispatcher from start until all are DELIVERED
 * (their events received), then times both floors over the same payloads. A smaller round first warms
 * every path up unmeasured: V8 compiles the HTTP stack, pg and the dispatcher while they first run hot,
 * and on two cores that work would otherwise land on whichever side runs first.
 */
export async function dispatchBench(db: BenchDatabase, n: number, concurrency: number, roundCount: number): Promise<BenchRow[]> {
  const config = benchConfig(db, 'dispatch', { DISPATCH_CONCURRENCY: String(concurrency) });
  const dataSource = await openDatabase(createDataSource(config, { inMemory: true, poolSize: 20 }));
  const eventBus = createEventBus(config, pino({ level: 'silent' }));
  await eventBus.start();
  const services = buildServices({ config, dataSource, eventBus, encryptionKey: Buffer.alloc(32, 1), httpConnections: concurrency });
  // As the runtime does: the embedded database is vacuumed by the gateway (PostgreSQL by its autovacuum).
  const maintenance = db.url ? null : new EmbeddedMaintenance(dataSource, eventBus, pino({ level: 'silent' }));
  maintenance?.start();
  const { server: peer, url: peerUrl } = await startPeer();
  const options = dispatcherOptions(config);
  const sender = (http: HttpClient, payloads: unknown[]): Send => {
    const bodies = payloads.map((p) => JSON.stringify(p));
    return (i) =>
      http.send({
        method: 'POST',
        url: `${peerUrl}/serviceOrder`,
        headers: { 'content-type': 'application/json' },
        body: bodies[i],
        timeoutMs: 10_000,
      });
  };

  /** The same requests QUEUED again, as fresh (their orders PENDING): later rounds cost no new set-up. */
  const requeue = async (ids: string[]) => {
    await dataSource.query(
      `UPDATE outbound_request SET state = 'QUEUED', attempts = 0, next_attempt_at = now(), lease_owner = NULL, lease_expires_at = NULL,
              response_status = NULL, response_body = NULL, external_id = NULL, resource_path = NULL, delivered_at = NULL
        WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    await dataSource.query(
      `UPDATE domain_order o SET fulfillment_state = 'PENDING', external_id = NULL, external_state = NULL
         FROM outbound_request_domain_order l WHERE l.outbound_request_id = ANY($1::uuid[]) AND o.id = l.domain_order_id`,
      [ids],
    );
  };
  let measured: { ids: string[]; payloads: unknown[] } | null = null;

  const round = async (size: number, fresh: boolean): Promise<Round> => {
    if (fresh || !measured) measured = await queue(services, size);
    else await requeue(measured.ids);
    const { ids, payloads } = measured;
    const dispatcher = buildDispatcher(services, options, pino({ level: 'silent' }));
    const done = untilDelivered(eventBus, ids);
    const started = process.hrtime.bigint();
    dispatcher.start();
    await done;
    const dispatched = size / seconds(started);
    await dispatcher.stop();
    const [{ count }] = await dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM outbound_request WHERE id = ANY($1::uuid[]) AND state = 'DELIVERED'`,
      [ids],
    );
    if (count !== size) throw new Error(`expected ${size} DELIVERED, found ${count}`);
    const send = sender(services.http, payloads);
    return {
      dispatcher: dispatched,
      perResponse: await perResponseLoop(dataSource, send, size, concurrency),
      batched: await batchedLoop(dataSource, send, size, concurrency, options.recordingWriters ?? 1),
    };
  };

  try {
    await configure(services, peerUrl);
    await round(Math.min(n, 200), true);
    const rounds: Round[] = [];
    for (let i = 0; i < roundCount; i++) rounds.push(await round(n, i === 0));
    const scenario = 'dispatch throughput, 2,000 queued requests, 32 in flight';
    const notes = [
      `${n} requests, ${concurrency} in flight, median of ${roundCount} rounds`,
      `rounds (dispatcher / batched / per-response, requests/s): ${rounds.map((r) => [r.dispatcher, r.batched, r.perResponse].map((x) => x.toFixed(0)).join(' / ')).join(', ')}`,
    ];
    // Each round pairs the loops under the same conditions: the median of the rounds' ratios.
    const row = (floor: 'batched' | 'perResponse', jsonScenario: string, label: string, goal: number): BenchRow => {
      const ratio = median(rounds.map((r) => r.dispatcher / r[floor]));
      return {
        scenario,
        jsonScenario,
        database: db.name,
        value: median(rounds.map((r) => r.dispatcher)),
        unit: 'requests/s',
        floor: median(rounds.map((r) => r[floor])),
        floorLabel: label,
        ratio,
        goal: `≥ ${goal.toFixed(2)}`,
        meets: ratio >= goal,
        notes: floor === 'batched' ? notes : undefined,
      };
    };
    return [
      row('batched', 'dispatch vs batched floor', 'batched INSERT', 0.7),
      row('perResponse', 'dispatch vs per-response floor', 'one INSERT per response', 0.85),
    ];
  } finally {
    await services.close();
    peer.close();
    await maintenance?.stop();
    await eventBus.close();
    await dataSource.destroy();
    await dropSchema(config);
  }
}
