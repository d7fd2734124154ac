import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchDatabase } from './bench-kit';
import type { BenchRow } from './report';

const child = async <T>(env: Record<string, string>): Promise<T> => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'tree.child.js')], {
    env: { ...process.env, ...env },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
};

/**
 * One hierarchical order of 10,000 nodes, in a process of its own (tree.child.ts) for its peak RSS. On
 * PGlite that process is the embedded gateway as deployed: restarted on the DATA_DIR its first start (in
 * a process before it) made, not initialising an in-memory database, which costs its own peak once.
 */
export async function treeBench(db: BenchDatabase): Promise<BenchRow> {
  const dataDir = db.url ? null : mkdtempSync(join(tmpdir(), 'southgate-bench-tree-'));
  let first: { firstStartPeakMb: number } | null = null;
  let r: Record<'nodes' | 'requests' | 'create' | 'submit' | 'send' | 'peakMb', number>;
  try {
    const env: Record<string, string> = { BENCH_CHILD_DATABASE_URL: db.url ?? '', BENCH_CHILD_DATA_DIR: dataDir ?? '' };
    if (dataDir) first = await child({ ...env, BENCH_TREE_FIRST_START: '1' });
    r = await child({ ...env, BENCH_TREE_FIRST_START: '' });
  } finally {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  return {
    scenario: 'one hierarchical order of 10,000 nodes: create, submit, send',
    database: db.name,
    value: { 'create s': r.create, 'submit s': r.submit, 'send s': r.send, 'peak RSS MB': r.peakMb },
    unit: '',
    floor: null,
    ratio: null,
    goal: '< 1 s to submit, < 200 MB',
    meets: r.submit < 1 && r.peakMb < 200,
    notes: [
      `${r.nodes} nodes, ${r.requests} outbound request(s); peak RSS of the whole gateway process (HTTP, GraphQL, database client${db.url ? '' : ', PGlite'})`,
      ...(first
        ? [
            `the gateway restarted on a DATA_DIR its first start made; that first start (initdb, migrations) peaked at ${first.firstStartPeakMb.toFixed(0)} MB, once`,
          ]
        : []),
    ],
  };
}
