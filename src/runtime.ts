import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { decodeKey, type Config } from './config';
import { buildDispatcher, buildServices, type Services } from './container';
import { createDataSource, openDatabase } from './database/data-source';
import { EmbeddedMaintenance } from './database/embedded-maintenance';
import { createEventBus } from './services/events/event-brokers';
import { buildGraphQLSchema } from './graphql/build-schema';
import { createHttpApp, type HttpApp } from './server';
import { GatewayMetrics } from './services/metrics/gateway-metrics';
import type { Dispatcher, DispatcherOptions } from './services/outbox/dispatch/dispatcher';
import { RETENTION_BATCH, RETENTION_SWEEP_MS, RetentionPruner } from './services/retention/retention-pruner';

export interface Runtime {
  config: Config;
  services: Services;
  dataSource: DataSource;
  app: HttpApp;
  dispatcher: Dispatcher | null;
  /** Base URL the server listens on, e.g. http://127.0.0.1:4000 */
  url: string;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  /** Use an existing data source (tests); otherwise one is created from config. */
  dataSource?: DataSource;
  /** Embedded only: keep the database in memory. */
  inMemory?: boolean;
}

/**
 * The key that seals secrets at rest: ENCRYPTION_KEY, or for the embedded database a key generated
 * once and kept beside the data (owner-only), so secrets survive restarts.
 */
export function resolveEncryptionKey(config: Config, inMemory: boolean): Buffer {
  if (config.encryptionKey) return decodeKey(config.encryptionKey)!;
  if (inMemory) return randomBytes(32);
  const dir = resolve(config.dataDir);
  const file = join(dir, 'encryption.key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return decodeKey(readFileSync(file, 'utf8').trim())!;
}

/** Opens the database (applying migrations), wires the services and starts listening. */
export async function startRuntime(config: Config, logger: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  const dataSource = options.dataSource ?? (await openDatabase(createDataSource(config, { inMemory: options.inMemory })));
  const eventBus = createEventBus(config, logger);
  await eventBus.start();
  // PostgreSQL vacuums itself; the embedded database does not.
  const maintenance = config.databaseUrl ? null : new EmbeddedMaintenance(dataSource, eventBus, logger);
  maintenance?.start();
  const metrics = new GatewayMetrics();
  metrics.watchDatabase(dataSource);
  const services = buildServices({
    config,
    dataSource,
    eventBus,
    encryptionKey: resolveEncryptionKey(config, !!options.inMemory),
    logger,
    telemetry: { metrics, logger },
  });
  const schema = await buildGraphQLSchema(services);
  const dispatcher = config.dispatch.enabled ? buildDispatcher(services, dispatcherOptions(config), logger) : null;
  const app = await createHttpApp(services, schema, logger, config, () => readinessReasons(dataSource, dispatcher, eventBus));
  await new Promise<void>((ok, fail) => {
    app.server.once('error', fail);
    app.server.listen(config.port, config.host, () => ok());
  });
  dispatcher?.start();
  if (config.poll.enabled) services.poller.start();
  const retention =
    config.retentionDays === null
      ? null
      : new RetentionPruner(dataSource, { days: config.retentionDays, intervalMs: RETENTION_SWEEP_MS, batch: RETENTION_BATCH }, logger);
  retention?.start();
  const address = app.server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let stopping: Promise<void> | null = null;
  return {
    config,
    services,
    dataSource,
    app,
    dispatcher,
    url: `http://${host}:${address.port}`,
    stop: () =>
      (stopping ??= (async () => {
        await app.stop();
        await retention?.stop();
        await services.poller.stop();
        await dispatcher?.stop();
        await services.close();
        await maintenance?.stop();
        await eventBus.close();
        if (!options.dataSource) await dataSource.destroy();
      })()),
  };
}

/** How long /readyz waits for the database before it counts as down. */
const READY_DB_TIMEOUT_MS = 2000;

/**
 * Why this instance should not get traffic: the database does not answer (within READY_DB_TIMEOUT_MS),
 * migrations are pending (another version's instance is ahead or behind), or this instance's dispatcher
 * (when it runs one) has stopped, or the event broker between instances does not answer. Empty: ready.
 */
export async function readinessReasons(
  dataSource: DataSource,
  dispatcher: Pick<Dispatcher, 'isRunning'> | null,
  eventBus: { readonly connected: boolean } | null = null,
): Promise<string[]> {
  const reasons: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`no answer within ${READY_DB_TIMEOUT_MS} ms`)), READY_DB_TIMEOUT_MS);
  });
  try {
    await Promise.race([dataSource.query('SELECT 1'), timeout]);
    if (await Promise.race([dataSource.showMigrations(), timeout])) reasons.push('Database migrations are pending');
  } catch {
    // No detail: /readyz answers anyone, and a driver's message can name hosts and users.
    reasons.push('The database does not answer');
  } finally {
    clearTimeout(timer);
  }
  if (dispatcher && !dispatcher.isRunning) reasons.push('The dispatcher of this instance has stopped');
  // Without the broker, subscriptions here miss what other instances (and this one) publish.
  if (eventBus && !eventBus.connected) reasons.push('The event broker between instances does not answer');
  return reasons;
}

/** The dispatcher's settings from the configuration (the bench runs it with the same). */
export function dispatcherOptions(config: Config): DispatcherOptions {
  const d = config.dispatch;
  return {
    concurrency: d.concurrency,
    sweepIntervalMs: d.sweepIntervalMs,
    leaseMarginMs: d.leaseMarginMs,
    backoff: { baseMs: d.retryBaseMs, maxMs: d.retryMaxMs, unknownOutcomeSettleMs: d.unknownOutcomeSettleMs },
    breaker: { failureThreshold: d.breakerFailures, openMs: d.breakerOpenMs },
    // Deliveries are written in batches, the next gathering while one is written; two writers keep
    // PostgreSQL busy without cutting batches small (four measured slower). PGlite has one connection.
    recordingWriters: config.databaseUrl ? 2 : 1,
  };
}
