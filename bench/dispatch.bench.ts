import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { buildDispatcher, buildServices } from '../src/container';
import { createDataSource, openDatabase } from '../src/database/data-source';
import { EmbeddedMaintenance } from '../src/database/embedded-maintenance';
import { dispatcherOptions } from '../src/runtime';
import { EventBus } from '../src/services/events/event-bus';
import { EmbeddedNotificationSource, PostgresNotificationSource } from '../src/services/events/notification-source';
import type { HttpClient } from '../src/services/southbound/http-client';
import { benchConfig, concurrently, configure, databaseUrl, median, queue, startPeer, untilDelivered } from './bench-kit';

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

/** The same payloads, client and concurrency, writing one row per response: the floor the dispatcher is held to. */
async function bareLoop(dataSource: DataSource, http: HttpClient, url: string, payloads: unknown[], concurrency: number): Promise<number> {
  await dataSource.query(`CREATE TABLE IF NOT EXISTS bench_response (id uuid PRIMARY KEY, status int, body jsonb)`);
  const perSecond = await concurrently(payloads.length, concurrency, async (i) => {
    const res = await http.send({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payloads[i]),
      timeoutMs: 10_000,
    });
    await dataSource.query(`INSERT INTO bench_response (id, status, body) VALUES ($1, $2, $3)`, [randomUUID(), res.status, res.bodyText]);
  });
  await dataSource.query(`DROP TABLE bench_response`);
  return perSecond;
}

/**
 * Scenario 1. Each round queues n requests, times a dispatcher from start until all are DELIVERED (their
 * events received), then times the bare loop over the same payloads. A smaller round first warms both
 * paths up unmeasured: V8 compiles the HTTP stack, pg and the dispatcher while they first run hot, and on
 * two cores that work would otherwise land on whichever side runs first.
 */
export async function dispatchBench(n: number, concurrency: number, roundCount = 3): Promise<DispatchBenchResult> {
  const config = benchConfig('dispatch', { DISPATCH_CONCURRENCY: String(concurrency) });
  const dataSource = await openDatabase(createDataSource(config, { inMemory: true, poolSize: 20 }));
  const source = databaseUrl ? new PostgresNotificationSource(databaseUrl, () => undefined) : new EmbeddedNotificationSource();
  const eventBus = new EventBus(config.notifyChannel, source);
  await eventBus.start();
  const services = buildServices({ config, dataSource, eventBus, encryptionKey: Buffer.alloc(32, 1), httpConnections: concurrency });
  // As the runtime does: the embedded database is vacuumed by the gateway (PostgreSQL by its autovacuum).
  const maintenance = databaseUrl ? null : new EmbeddedMaintenance(dataSource, eventBus, pino({ level: 'silent' }));
  maintenance?.start();
  const { server: peer, url: peerUrl } = await startPeer();

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
    if (databaseUrl) await dataSource.query(`DROP SCHEMA IF EXISTS "${config.databaseSchema}" CASCADE`);
    await dataSource.destroy();
  }
}
