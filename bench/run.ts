import 'reflect-metadata';
// First: graphql-js reads NODE_ENV when it loads.
import { NODE_ENV } from './as-deployed';
import { Client } from 'pg';
import { envInt, type BenchDatabase } from './bench-kit';
import { dispatchBench } from './dispatch.bench';
import { bigDataBench } from './big-data.bench';
import { fanoutBench } from './fanout.bench';
import { inboundBench } from './inbound.bench';
import { latencyBench } from './latency.bench';
import { nestedReadBench } from './nested-read.bench';
import { notes, table, writeJson, type BenchRow } from './report';
import { submissionBench } from './submission.bench';
import { treeBench } from './tree.bench';

/**
 * npm run bench: every hot path beside its floor, measured in the same run, on PostgreSQL
 * (BENCH_DATABASE_URL) and on embedded PGlite; one table, and BENCH_JSON=<file> for the rows as JSON.
 * Sizes (see docs/benchmarks.md): BENCH_REQUESTS, BENCH_CONCURRENCY, BENCH_ROUNDS, BENCH_LATENCY_ORDERS,
 * BENCH_SUBMISSIONS, BENCH_INBOUND_ORDERS, BENCH_SENDERS, ... BENCH_ONLY=name,name runs some scenarios
 * (the keys below, in the order of issue 13's table).
 */
const SCENARIOS: Record<string, (db: BenchDatabase) => Promise<BenchRow | BenchRow[]>> = {
  dispatch: (db) => dispatchBench(db, envInt('BENCH_REQUESTS', 2000), envInt('BENCH_CONCURRENCY', 32), envInt('BENCH_ROUNDS', 3)),
  latency: (db) => latencyBench(db, envInt('BENCH_LATENCY_ORDERS', 200)),
  submission: (db) => submissionBench(db, envInt('BENCH_SUBMISSIONS', 500), envInt('BENCH_CLIENTS', 32), envInt('BENCH_ROUNDS', 3)),
  read: (db) => nestedReadBench(db, envInt('BENCH_READ_ROOTS', 100), envInt('BENCH_READ_REPS', 20)),
  inbound: (db) => inboundBench(db, envInt('BENCH_INBOUND_ORDERS', 200), envInt('BENCH_SENDERS', 20), envInt('BENCH_ROUNDS', 3)),
  fanout: (db) => fanoutBench(db, envInt('BENCH_WS_CLIENTS', 1000), envInt('BENCH_FANOUT_EVENTS', 20)),
  tree: (db) => treeBench(db),
  big: (db) =>
    db.url
      ? bigDataBench(db, envInt('BENCH_BIG_ROWS', 300_000), envInt('BENCH_BIG_QUEUED', 50_000))
      : bigDataBench(db, envInt('BENCH_PGLITE_BIG_ROWS', 50_000), envInt('BENCH_PGLITE_BIG_QUEUED', 5_000)),
};

/** PostgreSQL when BENCH_DATABASE_URL is set and answers; PGlite always. */
async function databases(): Promise<BenchDatabase[]> {
  const url = process.env.BENCH_DATABASE_URL || null;
  const pglite: BenchDatabase = { name: 'pglite', url: null };
  if (!url) {
    process.stdout.write('BENCH_DATABASE_URL is not set: PostgreSQL rows are skipped (embedded PGlite only).\n');
    return [pglite];
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  const [{ server_version }] = (await client.query<{ server_version: string }>('SHOW server_version')).rows;
  await client.end();
  process.stdout.write(`PostgreSQL ${server_version} at BENCH_DATABASE_URL, and embedded PGlite.\n`);
  return [{ name: 'postgresql', url }, pglite];
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
  const unknown = only?.filter((name) => !(name in SCENARIOS)) ?? [];
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown scenario ${unknown.join(', ')} (known: ${Object.keys(SCENARIOS).join(', ')})`);
  const rows: BenchRow[] = [];
  const started = Date.now();
  process.stdout.write(
    `NODE_ENV=${NODE_ENV}${NODE_ENV === 'production' ? ' (the gateway as deployed)' : ': not production, graphql-js runs its development checks'}\n`,
  );
  for (const db of await databases()) {
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      if (only && !only.includes(name)) continue;
      const t = Date.now();
      process.stdout.write(`${db.name}: ${name}...`);
      rows.push(...[await scenario(db)].flat());
      process.stdout.write(` ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
    }
  }
  process.stdout.write(`\n${table(rows)}\n\n${notes(rows)}\n\n(${((Date.now() - started) / 1000).toFixed(0)} s in all)\n`);
  if (process.env.BENCH_JSON) writeJson(process.env.BENCH_JSON, rows);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
