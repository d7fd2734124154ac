import 'reflect-metadata';
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
  const logger = createLogger(config.logLevel);
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

main().catch((err) => {
  process.stderr.write(`Southgate failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
