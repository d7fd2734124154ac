import { Client, type QueryConfig } from 'pg';

/**
 * Named prepared statements for the statements a gateway runs again and again (PostgreSQL only).
 *
 * An unnamed statement is parsed, analysed and planned each time it runs: for the submission's
 * statements that was two thirds of their time in the database, and the PostgreSQL CPU of a submission
 * fell by a third once they were prepared (docs/benchmarks.md, eleventh pass). pg prepares a statement
 * that has a name once per connection; this client gives one to a statement with parameters the second
 * time its text is seen (text run once, such as a list of 37 ids, stays unnamed), keeps at most
 * `perConnection` prepared on each connection (the least recently used is deallocated), and never
 * prepares a statement whose columns could change under it (`*`).
 *
 * A prepared statement stops working when the table changes the type of what it returns (a rolling
 * upgrade's migration altering a column), with "cached plan must not change result type", or disappears
 * (DISCARD ALL from a pooler): the client forgets it, so that the next run prepares it again, and a
 * statement outside a transaction is run again at once, unnamed. Inside a transaction the error stands:
 * the transaction is aborted already.
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

/** A pg Client class that prepares repeated statements as described above; give it to pg's Pool as `Client`. */
export function preparingClient(options: PreparedStatementOptions = PREPARED_STATEMENT_DEFAULTS): typeof Client {
  /** Texts seen once, by any connection of this pool. */
  let seen = new Set<string>();
  const worthPreparing = (text: string): boolean => {
    if (seen.has(text)) return true;
    if (seen.size >= options.seenOnce) seen = new Set();
    seen.add(text);
    return false;
  };
  // pg's own query, called with .call(this, …) on a PreparingClient.
  const base = Reflect.get(Client.prototype, 'query') as Query;

  class PreparingClient extends Client {
    /** Text to name of what this connection prepared, least recently used first. */
    readonly prepared = new Map<string, string>();
    private named = 0;
    /** The server's transaction status after the last statement: 'I' idle, 'T' in a transaction, 'E' failed. */
    private status = 'I';
    /** Names given back, deallocated once the connection is out of its transaction (an aborted one refuses). */
    private giveBack: string[] = [];

    constructor(config?: ConstructorParameters<typeof Client>[0]) {
      super(config);
      const connection = (this as unknown as { connection: NodeJS.EventEmitter }).connection;
      connection.on('readyForQuery', (msg: { status?: string }) => {
        if (msg.status) this.status = msg.status;
        if (this.status === 'I' && this.giveBack.length > 0) {
          const names = this.giveBack;
          this.giveBack = [];
          // Queued behind whatever is waiting already; nothing uses these names again.
          void (base.call(this, names.map((n) => `DEALLOCATE ${n}`).join('; ')) as Promise<unknown>).catch(() => undefined);
        }
      });
    }

    /** The name of `text` on this connection, taking one (and giving back the oldest) when it has none. */
    private nameFor(text: string): string {
      let name = this.prepared.get(text);
      if (name !== undefined) {
        this.prepared.delete(text);
      } else {
        name = `sg_${++this.named}`;
        if (this.prepared.size >= options.perConnection) {
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

    async runPrepared(text: string, values: unknown[]): Promise<unknown> {
      const name = this.nameFor(text);
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
  }

  (PreparingClient.prototype as unknown as { query: Query }).query = function (
    this: PreparingClient,
    config: unknown,
    values?: unknown,
    callback?: unknown,
  ) {
    if (
      typeof config === 'string' &&
      Array.isArray(values) &&
      values.length > 0 &&
      callback === undefined &&
      !EVERY_COLUMN.test(config) &&
      worthPreparing(config)
    ) {
      return this.runPrepared(config, values);
    }
    return base.call(this, config, values, callback);
  };
  return PreparingClient;
}
