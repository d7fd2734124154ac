import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config';
import { consoleLink } from '../http/console-static';
import { createLogger } from '../logger';
import { startRuntime } from '../runtime';
import { Role } from '../services/auth/roles';
import { startSimulator } from '../simulator';
import { seedDemo } from './seed';

/**
 * `npm run demo`: the gateway on a fresh in-memory embedded database, a simulator for each southbound
 * system, a seeded configuration and sample orders and test runs that move on while you watch in the
 * console. DEMO_STEP_MS (default 1500) is the simulator's pace; PORT (default 4000) the gateway's.
 */
async function main(): Promise<void> {
  const env = { ...process.env, DATABASE_URL: '', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const stepMs = Number(process.env.DEMO_STEP_MS ?? 1500);
  if (!Number.isInteger(stepMs) || stepMs < 0)
    throw new Error(`DEMO_STEP_MS must be a non-negative integer, got "${process.env.DEMO_STEP_MS}"`);
  const logger = createLogger(config.logLevel);
  const ordering = await startSimulator({ stepMs });
  const testing = await startSimulator({ stepMs });
  const runtime = await startRuntime(config, logger, { inMemory: true });
  const adminToken = runtime.services.tokens.issue('demo-admin', [Role.ADMIN]);
  const viewerToken = runtime.services.tokens.issue('demo-viewer', [Role.VIEWER]);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the gateway and the simulators\n`);
    const timer = setTimeout(() => process.exit(1), config.shutdownTimeoutMs);
    timer.unref();
    void (async () => {
      await runtime.stop();
      await ordering.close();
      await testing.close();
      process.exit(0);
    })().catch((err: unknown) => {
      logger.error({ err }, 'error while stopping the demo');
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const records = await seedDemo({ gatewayUrl: runtime.url, adminToken, ordering, testing });
  process.stdout.write(
    `\nSouthgate demo (embedded database in memory; everything is gone when it stops)\n` +
      `Console (admin):  ${consoleLink(runtime.url, adminToken)}\n` +
      `Console (viewer): ${consoleLink(runtime.url, viewerToken)}\n` +
      `GraphQL:          ${runtime.url}/graphql\n` +
      `Simulators:       network activation ${ordering.url}, test and diagnostics ${testing.url} (one step every ${stepMs} ms)\n\n` +
      `Submitted: ${records.happyOrder.number} (a tree that completes, with a milestone), ` +
      `${records.failingOrder.number} (fails: a fallout), ${records.questionOrder.number} (the network asks for the bandwidth: ` +
      `revise it, then "Revise outbound request"), test run ${records.testRun.number} (with two child runs).\n` +
      `Ctrl-C stops everything.\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`The demo failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
