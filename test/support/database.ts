import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource, Logger } from 'typeorm';
import { createDataSource, openDatabase } from '../../src/database/data-source';

/** PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set, else embedded PGlite in memory. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || null;
export const usingPostgres = testDatabaseUrl !== null;

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
