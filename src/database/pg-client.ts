import { Client, type QueryConfig } from 'pg';
import type { DefersToCommit } from '../services/common/commit-tail';
import { PREPARE_MARK } from '../services/common/prepared';

/**
 * The gateway's PostgreSQL connection (pg's Client, given to its Pool as `Client`), which saves planning
 * and round trips in two ways (docs/benchmarks.md, eleventh pass).
 *
 * **Prepared statements.** An unnamed statement is parsed, analysed and planned each time it runs: for
 * the submission's statements that was two thirds of their time in the database, and a submission's
 * PostgreSQL CPU fell by a quarter once they were prepared. pg prepares a statement that has a name once
 * per connection. This client names a statement marked `prepared(…)` (services/common/prepared.ts: only
 * those whose best plan is the same for every value, since a prepared statement may run one generic
 * plan) from the second time its text is seen (a text run once, such as a list of 37 ids, stays
 * unnamed), keeps at most `perConnection` on each connection (the least recently used is deallocated),
 * and never prepares a statement of every column (`*`), whose result type a rolling upgrade's added
 * column would change. A prepared statement that stops working all the same (a migration altering a
 * column's type: "cached plan must not change result type"), or that the server no longer has (DISCARD
 * ALL from a pooler), is forgotten so that the next run prepares it again; outside a transaction it is
 * run again at once, unnamed. Inside one the error stands: the transaction is aborted already.
 *
 * **Statements that ride with the COMMIT.** deferUntilCommit (services/common/commit-tail.ts) hands the
 * client a statement without parameters (the events' NOTIFY) to send in one message with the
 * transaction's COMMIT: one round trip fewer for every transaction that publishes. A statement that fails
 * there fails the COMMIT, which then never runs: the caller rolls back, as for a COMMIT that fails.
 * Inside a savepoint nothing is deferred (a savepoint rolled back must take its statements with it).
 */
export interface PreparedStatementOptions {
  /** Statements prepared on one connection at most. */
  perConnection: number;
  /** Distinct texts remembered as seen once, before the memory starts over. */
  seenOnce: number;
}

export const PREPARED_STATEMENT_DEFAULTS: PreparedStatementOptions = { perConnection: 256, seenOnce: 4096 };

/** A select list or RETURNING of every column: its result type changes when a column is added. */
const EVERY_COLUMN = /(?:\bSELECT|\bRETURNING|,|\.)\s*\*/i;

/** What PostgreSQL says of a prepared statement that cannot be used any more. */
function isStale(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change result type')) || code === '26000'
  );
}

type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

// pg's own query, called with .call(this, …) on a GatewayClient.
const base = Reflect.get(Client.prototype, 'query') as Query;

/** Which texts are worth preparing: those marked (services/common/prepared.ts) and seen before, by any connection of the pool. */
class PreparePolicy {
  private seen = new Set<string>();

  constructor(readonly options: PreparedStatementOptions) {}

  worthPreparing(text: string): boolean {
    if (!text.endsWith(PREPARE_MARK) || EVERY_COLUMN.test(text)) return false;
    if (this.seen.has(text)) return true;
    if (this.seen.size >= this.options.seenOnce) this.seen = new Set();
    this.seen.add(text);
    return false;
  }
}

export class GatewayClient extends Client implements DefersToCommit {
  /** Text to name of what this connection prepared, least recently used first. */
  private readonly prepared = new Map<string, string>();
  private named = 0;
  /** The server's transaction status after the last statement: 'I' idle, 'T' in a transaction, 'E' failed. */
  private status = 'I';
  /** Savepoints open in the current transaction. */
  private savepoints = 0;
  /** Statements to send with the COMMIT of the current transaction. */
  private tail: string[] = [];
  /** Names given back, deallocated once the connection is out of its transaction (an aborted one refuses). */
  private giveBack: string[] = [];

  constructor(
    config: ConstructorParameters<typeof Client>[0],
    private readonly policy: PreparePolicy | null,
  ) {
    super(config);
    const connection = (this as unknown as { connection: NodeJS.EventEmitter }).connection;
    connection.on('readyForQuery', (msg: { status?: string }) => {
      if (msg.status) this.status = msg.status;
      if (this.status !== 'I') return;
      this.tail = [];
      this.savepoints = 0;
      if (this.giveBack.length > 0) {
        const names = this.giveBack;
        this.giveBack = [];
        // Queued behind whatever is waiting already; nothing uses these names again.
        void (base.call(this, names.map((n) => `DEALLOCATE ${n}`).join('; ')) as Promise<unknown>).catch(() => undefined);
      }
    });
  }

  /**
   * Sends the statement `sql` makes (no parameters) with this transaction's COMMIT; false (and `sql` not
   * called) outside a transaction or in a savepoint.
   */
  deferUntilCommit(sql: () => string): boolean {
    if (this.status !== 'T' || this.savepoints > 0) return false;
    this.tail.push(sql());
    return true;
  }

  /** The name of `text` on this connection, taking one (and giving back the oldest) when it has none. */
  private nameFor(text: string, perConnection: number): string {
    let name = this.prepared.get(text);
    if (name !== undefined) {
      this.prepared.delete(text);
    } else {
      name = `sg_${++this.named}`;
      if (this.prepared.size >= perConnection) {
        const [oldText, oldName] = this.prepared.entries().next().value as [string, string];
        this.forget(oldText, oldName);
      }
    }
    this.prepared.set(text, name);
    return name;
  }

  /** Drops a prepared statement: no longer ours, deallocated on the server (a name is never used twice). */
  private forget(text: string, name: string): void {
    if (this.prepared.get(text) === name) this.prepared.delete(text);
    const parsed = (this as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements;
    delete parsed[name];
    this.giveBack.push(name);
  }

  private async runPrepared(text: string, values: unknown[], perConnection: number): Promise<unknown> {
    const name = this.nameFor(text, perConnection);
    const outsideTransaction = this.status === 'I';
    try {
      return await base.call(this, { name, text, values } satisfies QueryConfig);
    } catch (err) {
      if (!isStale(err)) throw err;
      this.forget(text, name);
      if (!outsideTransaction) throw err;
      return base.call(this, text, values);
    }
  }

  /** What a statement's text says of savepoints (TypeORM's nested transactions). */
  private followSavepoints(text: string): void {
    if (text.startsWith('SAVEPOINT ')) this.savepoints++;
    else if (text.startsWith('RELEASE SAVEPOINT ') || text.startsWith('ROLLBACK TO SAVEPOINT ')) this.savepoints--;
  }

  /** @internal pg's query, with the two savings above. */
  run(config: unknown, values?: unknown, callback?: unknown): unknown {
    if (typeof config === 'string') {
      if (config === 'COMMIT' && this.tail.length > 0) {
        const sql = `${this.tail.join('; ')}; COMMIT`;
        this.tail = [];
        return base.call(this, sql, values, callback);
      }
      if (values === undefined) this.followSavepoints(config);
      else if (
        this.policy &&
        Array.isArray(values) &&
        values.length > 0 &&
        callback === undefined &&
        (this.prepared.has(config) || this.policy.worthPreparing(config))
      ) {
        return this.runPrepared(config, values, this.policy.options.perConnection);
      }
    }
    return base.call(this, config, values, callback);
  }
}

// pg's Pool and TypeORM call `query`: it is `run`.
Object.defineProperty(GatewayClient.prototype, 'query', Object.getOwnPropertyDescriptor(GatewayClient.prototype, 'run')!);

/** The Client class for pg's Pool: statements prepared as above unless `prepare` is null. */
export function gatewayClient(prepare: PreparedStatementOptions | null = PREPARED_STATEMENT_DEFAULTS): typeof Client {
  const policy = prepare ? new PreparePolicy(prepare) : null;
  return class extends GatewayClient {
    constructor(config?: ConstructorParameters<typeof Client>[0]) {
      super(config, policy);
    }
  };
}
