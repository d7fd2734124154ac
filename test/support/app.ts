import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import pino from 'pino';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { loadConfig } from '../../src/config';
import { startRuntime, type Runtime } from '../../src/runtime';
import { Role } from '../../src/services/auth/roles';
import { openTestDatabase, testDatabaseUrl, type TestDatabase } from './database';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret';
export const TEST_ENCRYPTION_KEY = '0'.repeat(64);

export interface TestApp {
  runtime: Runtime;
  db: TestDatabase;
  url: string;
  token(roles: Role[], subject?: string): string;
  /** Runs an operation over HTTP; returns the whole GraphQL response. */
  gql<R, V>(doc: TypedDocumentNode<R, V>, variables?: V, token?: string | null): Promise<GqlResponse<R>>;
  /** Like gql but fails the test on any error; returns data. */
  ok<R, V>(doc: TypedDocumentNode<R, V>, variables?: V, token?: string | null): Promise<R>;
  wsClient(token: string | null): Client;
  close(): Promise<void>;
}

export interface GqlResponse<R> {
  status: number;
  data?: R | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; field?: string; [k: string]: unknown } }[];
}

/** Starts the whole gateway on a random port over a fresh test database. */
export async function startTestApp(
  options: { env?: Record<string, string>; sqlLogger?: TypeOrmLogger; logger?: pino.Logger } = {},
): Promise<TestApp> {
  const db = await openTestDatabase({ logger: options.sqlLogger });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    // The poller looks for due polls every second; tests that poll switch it on (and the others count statements).
    POLL_ENABLED: 'false',
    ...(testDatabaseUrl ? { DATABASE_URL: testDatabaseUrl } : {}),
    ...(db.schema ? { DATABASE_SCHEMA: db.schema, NOTIFY_CHANNEL: db.schema } : {}),
    ...options.env,
  });
  // TEST_LOG_LEVEL=debug shows the gateway's log while a test runs.
  const runtime = await startRuntime(config, options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), {
    dataSource: db.dataSource,
    inMemory: true,
  });
  const admin = runtime.services.tokens.issue('test-admin', [Role.ADMIN]);
  const clients: Client[] = [];

  async function gql<R, V>(doc: TypedDocumentNode<R, V>, variables?: V, token: string | null = admin): Promise<GqlResponse<R>> {
    const res = await fetch(`${runtime.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: print(doc), variables }),
    });
    return { status: res.status, ...((await res.json()) as object) };
  }

  return {
    runtime,
    db,
    url: runtime.url,
    token: (roles, subject = 'test-user') => runtime.services.tokens.issue(subject, roles),
    gql,
    ok: async (doc, variables, token) => {
      const res = await gql(doc, variables, token);
      if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
      return res.data!;
    },
    wsClient: (token) => {
      const client = createClient({
        url: runtime.url.replace('http', 'ws') + '/graphql',
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => undefined,
      });
      clients.push(client);
      return client;
    },
    close: async () => {
      await Promise.all(clients.map(async (c) => c.dispose()));
      await runtime.stop();
      await db.close();
    },
  };
}

/** The contract code of the first error, for `expect(code(res)).toBe('NOT_FOUND')`. */
export function code(res: GqlResponse<unknown>): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}
