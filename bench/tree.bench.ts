import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchDatabase } from './bench-kit';
import type { BenchRow } from './report';

/** One hierarchical order of 10,000 nodes, in a process of its own (tree.child.ts) for its peak RSS. */
export async function treeBench(db: BenchDatabase): Promise<BenchRow> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'tree.child.js')], {
    env: { ...process.env, BENCH_CHILD_DATABASE_URL: db.url ?? '' },
    maxBuffer: 1 << 20,
  });
  const r = JSON.parse(stdout.trim().split('\n').pop()!) as Record<'nodes' | 'requests' | 'create' | 'submit' | 'send' | 'peakMb', number>;
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
    ],
  };
}
