import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource, Logger } from 'typeorm';
import { createDataSource, openDatabase } from '../../src/database/data-source';

/** PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set, else embedded PGlite in memory. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || null;
export const usingPostgres = testDatabaseUrl !== null;

/** Redis for the tests that run over both event brokers (TEST_REDIS_URL, e.g. redis://127.0.0.1:6379); null: PostgreSQL NOTIFY only. */
export const testRedisUrl = process.env.TEST_REDIS_URL || null;

/** An event broker a test runs over: its name for the test title and the EVENT_BROKER_URL setting that picks it. */
export interface TestEventBroker {
  name: 'postgres' | 'redis';
  /** EVENT_BROKER_URL, as the configuration takes it ({} for NOTIFY). */
  env: Record<string, string>;
  eventBrokerUrl: string | null;
}

/**
 * The brokers a cross-instance test file runs over (`describe.each(eventBrokers(file))`): PostgreSQL
 * NOTIFY always, Redis when TEST_REDIS_URL is set (otherwise the file says it skipped it).
 */
const skipReported = new Set<string>();

export function eventBrokers(file: string): TestEventBroker[] {
  const brokers: TestEventBroker[] = [{ name: 'postgres', env: {}, eventBrokerUrl: null }];
  if (testRedisUrl) brokers.push({ name: 'redis', env: { EVENT_BROKER_URL: testRedisUrl }, eventBrokerUrl: testRedisUrl });
  else if (!skipReported.has(file)) {
    skipReported.add(file);
    process.stdout.write(`SKIPPED redis: set TEST_REDIS_URL to run ${file} over the Redis event broker too\n`);
  }
  return brokers;
}

export interface TestDatabase {
  dataSource: DataSource;
  /** The schema this test file owns on PostgreSQL (null on PGlite). */
  schema: string | null;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file. On PostgreSQL each file gets a schema of its own, so
 * files run in parallel on one database without seeing each other; it is dropped on close.
 */
export async function openTestDatabase(options: { logger?: Logger } = {}): Promise<TestDatabase> {
  if (!testDatabaseUrl) {
    const dataSource = await openDatabase(
      createDataSource({ databaseUrl: null, databaseSchema: null, dataDir: '' }, { inMemory: true, ...options }),
    );
    return { dataSource, schema: null, close: () => dataSource.destroy() };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const dataSource = await openDatabase(
    createDataSource({ databaseUrl: testDatabaseUrl, databaseSchema: schema, dataDir: '' }, { poolSize: 5, ...options }),
  );
  return {
    dataSource,
    schema,
    close: async () => {
      await dataSource.destroy();
      await dropSchema(schema);
    },
  };
}

async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: testDatabaseUrl! });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
