import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { join, resolve } from 'node:path';
import { DataSource, type Logger } from 'typeorm';
import { EMBEDDED_SHARED_BUFFERS_MB, type Config } from '../config';
import { ENTITIES } from '../entities';
import { MIGRATIONS } from '../../migrations';
import { embeddedDriver } from './embedded-pool';
import { gatewayClient, PREPARED_STATEMENT_DEFAULTS } from './pg-client';

export interface DatabaseOptions {
  /** Embedded only: keep the database in memory (tests). */
  inMemory?: boolean;
  logger?: Logger;
  poolSize?: number;
}

/** The one place that knows how to reach the database: PostgreSQL with a URL, PGlite without. */
export function createDataSource(
  config: Pick<Config, 'databaseUrl' | 'databaseSchema' | 'dataDir'> &
    Partial<Pick<Config, 'embeddedSharedBuffersMb' | 'databasePreparedStatements'>>,
  options: DatabaseOptions = {},
): DataSource {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
    uuidExtension: 'pgcrypto' as const,
    logger: options.logger,
    logging: options.logger ? ('all' as const) : false,
  };
  if (config.databaseUrl) {
    const schema = config.databaseSchema ?? undefined;
    return new DataSource({
      ...common,
      url: config.databaseUrl,
      schema,
      poolSize: options.poolSize ?? 10,
      extra: {
        // A schema of its own (tests) must be first on the search path, where migrations create tables.
        ...(schema ? { options: `-c search_path=${schema}` } : {}),
        // The hot paths' statements prepared once per connection (unless a pooler in between cannot keep
        // them), the events' NOTIFY sent with the COMMIT.
        Client: gatewayClient(config.databasePreparedStatements !== false ? PREPARED_STATEMENT_DEFAULTS : null),
      },
      applicationName: 'southgate',
    });
  }
  let dataDir: string | undefined;
  if (!options.inMemory) {
    dataDir = join(resolve(config.dataDir), 'pglite');
    mkdirSync(dataDir, { recursive: true });
  }
  const sharedBuffersMb = config.embeddedSharedBuffersMb ?? EMBEDDED_SHARED_BUFFERS_MB;
  const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffersMb}MB`];
  return new DataSource({ ...common, driver: embeddedDriver({ dataDir, startParams }) });
}

/** Connects and applies pending migrations; the schema's only source is migrations/. */
export async function openDatabase(dataSource: DataSource): Promise<DataSource> {
  await dataSource.initialize();
  const schema = (dataSource.options as { schema?: string }).schema;
  if (schema) await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
