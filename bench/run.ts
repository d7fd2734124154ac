import 'reflect-metadata';
import { dispatchBench } from './dispatch.bench';

/**
 * npm run bench: speed figures, measured in one run on this machine (never asserted by tests).
 * BENCH_REQUESTS (default 2000), BENCH_CONCURRENCY (32); BENCH_DATABASE_URL to run on PostgreSQL.
 */
async function main(): Promise<void> {
  const n = Number(process.env.BENCH_REQUESTS ?? 2000);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
  process.stdout.write(`Scenario 1: dispatch ${n} queued outbound requests to a local TMF peer (concurrency ${concurrency})\n`);
  const r = await dispatchBench(n, concurrency);
  process.stdout.write(
    `  database:                 ${r.database}\n` +
      `  dispatcher:               ${r.dispatcherPerSecond.toFixed(0)} requests/s (queued -> DELIVERED, with records, events)\n` +
      `  bare loop:                ${r.bareLoopPerSecond.toFixed(0)} requests/s (same client, payloads, concurrency; one row per response)\n` +
      `  ratio dispatcher/bare:    ${r.ratio.toFixed(2)} (target >= 0.70)\n`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
