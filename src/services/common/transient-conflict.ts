import { QueryFailedError } from 'typeorm';

/**
 * What PostgreSQL answers when it aborted a transaction so that another could go on: a deadlock
 * (40P01) or a serialization failure (40001). Nothing of the aborted transaction was written, and
 * running it again is the remedy PostgreSQL documents.
 */
const TRANSIENT_CONFLICTS = new Set(['40P01', '40001']);

/** The SQLSTATE of a database error, wrapped by TypeORM (QueryFailedError) or not; null for anything else. */
export function sqlStateOf(err: unknown): string | null {
  const source: unknown = err instanceof QueryFailedError ? (err.driverError as unknown) : err;
  const code = (source as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

export function isTransientConflict(err: unknown): boolean {
  const code = sqlStateOf(err);
  return code !== null && TRANSIENT_CONFLICTS.has(code);
}

/**
 * Runs `work` (one whole transaction) again when PostgreSQL aborted it for a conflict, at most `tries`
 * times in all; `onRetry` hears of each conflict that is tried again (a deadlock is a bug in lock order
 * worth a warning, even when the second try goes through).
 */
export async function retryingConflicts<T>(
  work: () => Promise<T>,
  options: { tries?: number; onRetry?: (err: unknown, attempt: number) => void } = {},
): Promise<T> {
  const { tries = 3, onRetry } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= tries || !isTransientConflict(err)) throw err;
      onRetry?.(err, attempt);
    }
  }
}
