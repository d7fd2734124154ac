import type { EntityManager } from 'typeorm';

/**
 * A database connection that can send a statement in one message with its transaction's COMMIT (the
 * PostgreSQL connection, database/pg-client.ts); false when it cannot (no transaction, a savepoint).
 */
export interface DefersToCommit {
  deferUntilCommit(sql: () => string): boolean;
}

const defers = (connection: unknown): connection is DefersToCommit =>
  typeof (connection as Partial<DefersToCommit> | null)?.deferUntilCommit === 'function';

/**
 * Hands the statement `sql` makes (no parameters) to the connection of the manager's transaction, to be
 * sent with its COMMIT; false when it cannot (no transaction, a savepoint, the embedded database), and
 * then `sql` is not called: the caller runs its statement itself.
 */
export function deferUntilCommit(manager: EntityManager, sql: () => string): boolean {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) return false;
  const connection = (runner as unknown as { databaseConnection?: unknown }).databaseConnection;
  return defers(connection) && connection.deferUntilCommit(sql);
}
