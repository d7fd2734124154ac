import type { DataSource } from 'typeorm';

/** A table the retention pruner deletes old rows from, walking it in seq order. */
export interface PruneTarget {
  readonly table: string;
  /** A row's time, never earlier than when it was inserted: the walk stops at the first batch that reaches the cutoff. */
  readonly timeColumn: string;
  /** SQL over alias `t` (the cutoff is `$3`): whether the row may go. */
  readonly eligible: string;
}

/**
 * Deletes the eligible rows of `target` older than `cutoff`, one statement per `batch` rows walked (oldest
 * first, by the unique seq index), so no statement holds many locks or runs long; rows someone else holds
 * locked are skipped until the next sweep. Returns how many rows went.
 */
export async function pruneOlderThan(dataSource: DataSource, target: PruneTarget, cutoff: Date, batch: number): Promise<number> {
  let last = 0;
  let deleted = 0;
  for (;;) {
    const [step] = await dataSource.query<{ last: string | null; reached: boolean | null; deleted: number }[]>(
      `WITH batch AS (
         SELECT t.seq, t.${target.timeColumn} AS at FROM ${target.table} t WHERE t.seq > $1 ORDER BY t.seq LIMIT $2
       ), doomed AS (
         SELECT t.id FROM ${target.table} t JOIN batch b ON b.seq = t.seq WHERE ${target.eligible} FOR UPDATE OF t SKIP LOCKED
       ), gone AS (
         DELETE FROM ${target.table} t USING doomed d WHERE t.id = d.id RETURNING t.id
       )
       SELECT max(b.seq)::text AS last, bool_or(b.at >= $3) AS reached, (SELECT count(*)::int FROM gone) AS deleted FROM batch b`,
      [last, batch, cutoff],
    );
    deleted += step.deleted;
    if (step.last === null || step.reached) return deleted;
    last = Number(step.last);
  }
}
