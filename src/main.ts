import 'reflect-metadata';
import { getHeapStatistics } from 'node:v8';
import type { Logger } from 'pino';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { consoleLink } from './http/console-static';
import { startRuntime } from './runtime';
import { Role } from './services/auth/roles';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, { secrets: processSecrets(config) });
  watchForDeath(logger);
  const runtime = await startRuntime(config, logger);
  const graphqlUrl = `${runtime.url}/graphql`;
  logger.info({ url: graphqlUrl, database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})` }, 'Southgate is ready');
  if (config.jwtSecretGenerated) {
    const token = runtime.services.tokens.issue('admin', [Role.ADMIN]);
    process.stdout.write(
      `\nNo JWT_SECRET was set, so this run generated one; tokens die with the process.\n` +
        `GraphQL:     ${graphqlUrl}\n` +
        `Admin token: ${token}\n` +
        `Console:     ${consoleLink(runtime.url, token)}\n` +
        `Try: curl -s ${graphqlUrl} -H 'content-type: application/json' -H "authorization: Bearer <token>" -d '{"query":"{ openApis { api active } }"}'\n\n`,
    );
  }

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: no new requests, finishing in-flight ones');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    runtime.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** The process's own secrets, masked by value in every log line. */
function processSecrets(config: NonNullable<ReturnType<typeof loadConfig>>): string[] {
  let databasePassword = '';
  try {
    databasePassword = config.databaseUrl ? decodeURIComponent(new URL(config.databaseUrl).password) : '';
  } catch {
    // not a URL the logger needs to know about
  }
  return [config.jwtSecret, config.encryptionKey ?? '', databasePassword, process.env.NEW_ENCRYPTION_KEY ?? ''];
}

const MIB = 1024 * 1024;

/**
 * A death leaves a line saying why: an uncaught exception or unhandled rejection is logged as fatal
 * before the exit. Out-of-memory cannot be caught, so the heap is watched instead: past 85% of the
 * limit a warning says how to raise it, before V8's own message is all that is left.
 */
function watchForDeath(logger: Logger): void {
  const die = (kind: string) => (err: unknown) => {
    logger.fatal({ err }, `${kind}: the process exits`);
    logger.flush?.();
    process.exit(1);
  };
  process.on('uncaughtException', die('uncaught exception'));
  process.on('unhandledRejection', die('unhandled promise rejection'));
  const limit = getHeapStatistics().heap_size_limit;
  logger.info({ heapLimitMiB: Math.round(limit / MIB) }, 'heap limit (raise with NODE_OPTIONS=--max-old-space-size=<MiB>)');
  let warned = false;
  setInterval(() => {
    const used = getHeapStatistics().used_heap_size;
    const high = used > 0.85 * limit;
    if (high && !warned) {
      logger.warn(
        { heapUsedMiB: Math.round(used / MIB), heapLimitMiB: Math.round(limit / MIB) },
        'heap above 85% of its limit: the process may die of out-of-memory; raise NODE_OPTIONS=--max-old-space-size or lower the load',
      );
    }
    warned = high;
  }, 10_000).unref();
}

main().catch((err) => {
  process.stderr.write(`Southgate failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
