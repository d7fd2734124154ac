import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/project-root';
import { TEST_ENCRYPTION_KEY, type TestApp } from './app';
import { testDatabaseUrl } from './database';

/** What `npm start` runs; `npm test` builds it first (pretest). */
export const gatewayMain = join(projectRoot(), 'dist', 'src', 'main.js');
export const gatewayBuilt = existsSync(gatewayMain);

/** Waits until the process has printed text matching `pattern`; returns the whole output so far. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, ms = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms; output:\n${out}`)), ms);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

export interface GatewayProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Stops it with SIGTERM (SIGKILL if it does not go); resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `npm start`'s program as a second process on the same PostgreSQL schema, secrets and event
 * channel as `app`: a second instance of one deployment. PostgreSQL only.
 */
export async function startGatewayProcess(app: TestApp, env: Record<string, string> = {}): Promise<GatewayProcess> {
  if (!testDatabaseUrl || !app.db.schema) throw new Error('A second process needs PostgreSQL (TEST_DATABASE_URL)');
  const config = app.runtime.config;
  const child = spawn(process.execPath, [gatewayMain], {
    env: {
      PATH: process.env.PATH,
      NODE_OPTIONS: '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_URL: testDatabaseUrl,
      DATABASE_SCHEMA: app.db.schema,
      NOTIFY_CHANNEL: config.notifyChannel,
      ...(config.eventBrokerUrl ? { EVENT_BROKER_URL: config.eventBrokerUrl } : {}),
      JWT_SECRET: config.jwtSecret,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      POLL_ENABLED: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out: string;
  try {
    out = await waitForOutput(child, /"msg":"Southgate is ready"/);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const ready = out.split('\n').find((line) => line.includes('"msg":"Southgate is ready"'))!;
  const url = (JSON.parse(ready) as { url: string }).url.replace(/\/graphql$/, '');
  return {
    child,
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
