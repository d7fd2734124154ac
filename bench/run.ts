import 'reflect-metadata';
import { dispatchBench } from './dispatch.bench';
import { inboundBench } from './inbound.bench';

/**
 * npm run bench: speed figures, measured in one run on this machine (never asserted by tests).
 * BENCH_REQUESTS (default 2000), BENCH_CONCURRENCY (32), BENCH_ROUNDS (5, medians reported),
 * BENCH_INBOUND_ORDERS (500, three events each), BENCH_SENDERS (20); BENCH_DATABASE_URL to run on PostgreSQL.
 */
async function main(): Promise<void> {
  const n = Number(process.env.BENCH_REQUESTS ?? 2000);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  process.stdout.write(`Scenario 1: dispatch ${n} queued outbound requests to a local TMF peer (concurrency ${concurrency})\n`);
  const r = await dispatchBench(n, concurrency, rounds);
  const rate = (x: number) => `${x.toFixed(0)} requests/s`;
  process.stdout.write(
    `  database:                 ${r.database}\n` +
      r.rounds
        .map(
          (x, i) =>
            `  round ${i + 1}:                  dispatcher ${rate(x.dispatcherPerSecond)}, bare loop ${rate(x.bareLoopPerSecond)}, ratio ${(x.dispatcherPerSecond / x.bareLoopPerSecond).toFixed(2)}\n`,
        )
        .join('') +
      `  dispatcher (median):      ${rate(r.dispatcherPerSecond)} (queued -> DELIVERED, with records, events)\n` +
      `  bare loop (median):       ${rate(r.bareLoopPerSecond)} (same client, payloads, concurrency; one row per response)\n` +
      `  ratio dispatcher/bare:    ${r.ratio.toFixed(2)} (median of the rounds; target >= 0.70)\n`,
  );

  const orders = Number(process.env.BENCH_INBOUND_ORDERS ?? 500);
  const senders = Number(process.env.BENCH_SENDERS ?? 20);
  process.stdout.write(`\nScenario 2: ${orders * 3} TMF events through the listener from ${senders} concurrent senders\n`);
  const ib = await inboundBench(orders, senders, rounds);
  const eps = (x: number) => `${x.toFixed(0)} events/s`;
  process.stdout.write(
    `  database:                 ${ib.database}\n` +
      ib.rounds
        .map(
          (x, i) =>
            `  round ${i + 1}:                  listener ${eps(x.listenerPerSecond)}, bare loop ${eps(x.bareLoopPerSecond)}, ratio ${(x.listenerPerSecond / x.bareLoopPerSecond).toFixed(2)}\n`,
        )
        .join('') +
      `  listener (median):        ${eps(ib.listenerPerSecond)} (HTTP in, token, lookup, lock, plan, update, message stored, events)\n` +
      `  bare loop (median):       ${eps(ib.bareLoopPerSecond)} (same messages, same concurrency: one INSERT each)\n` +
      `  ratio listener/bare:      ${ib.ratio.toFixed(2)} (median of the rounds)\n`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
