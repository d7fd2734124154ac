import type { Logger } from 'typeorm';

/**
 * A TypeORM logger that writes down the SQL statements it is shown: all of them, or only while
 * `counting`, and only those `keep` accepts. `last` is the latest statement with its parameters (a
 * list's page query, to EXPLAIN). Tests reset `statements` to measure one piece of work.
 */
export class StatementLog implements Logger {
  statements: string[] = [];
  /** The same statements with their parameters. */
  withParams: { sql: string; params: unknown[] }[] = [];
  last: { sql: string; params: unknown[] } = { sql: '', params: [] };

  constructor(
    public counting = true,
    private readonly keep: (sql: string) => boolean = () => true,
  ) {}

  logQuery(sql: string, params?: unknown[]): void {
    if (!this.counting) return;
    this.last = { sql, params: params ?? [] };
    if (!this.keep(sql)) return;
    this.statements.push(sql);
    this.withParams.push(this.last);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
