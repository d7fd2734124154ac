import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/roles';
import type { EventBus } from '../events/event-bus';
import type { DomainError } from '../common/domain.errors';
import { Loaders } from './loaders';

interface Gathered {
  items: unknown[];
  flush: (manager: EntityManager, items: unknown[]) => Promise<void>;
}

interface TransactionState {
  manager: EntityManager;
  afterCommit: (() => void)[] | null;
  beforeCommit: Map<string, Gathered> | null;
}

/**
 * What every service method receives first: who is asking, the DataLoader bag of this request and the
 * EntityManager of the current transaction (the plain manager outside one). Services take repositories
 * from `manager`, so they never escape the transaction by accident.
 *
 * The transaction state lives in an object of its own: Apollo hands resolvers a shallow copy of the
 * context, and the copy and the original (which the loaders were made with) must see the same manager.
 */
export class RequestContext {
  readonly loaders: Loaders;
  private readonly tx: TransactionState;

  constructor(
    readonly dataSource: DataSource,
    readonly user: AuthUser | null,
    /** Why the presented token was refused, reported by the auth checker of the first operation. */
    readonly authError: DomainError | null = null,
    /** The event bus, for subscriptions. */
    readonly bus: EventBus | null = null,
  ) {
    const tx: TransactionState = { manager: dataSource.manager, afterCommit: null, beforeCommit: null };
    this.tx = tx;
    this.loaders = new Loaders(() => tx.manager);
  }

  get manager(): EntityManager {
    return this.tx.manager;
  }

  /**
   * Runs `work` in one transaction. What was gathered for the commit (gatherUntilCommit) is flushed in
   * it, last; callbacks registered with onCommit run after it commits (never on rollback), and the
   * loaders are cleared so later reads of this request see the committed rows.
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.tx.afterCommit) return work();
    const callbacks: (() => void)[] = [];
    let result: T;
    try {
      result = await this.dataSource.transaction(async (manager) => {
        this.tx.manager = manager;
        this.tx.afterCommit = callbacks;
        this.tx.beforeCommit = new Map();
        this.loaders.clearAll();
        const value = await work();
        const gathered = this.tx.beforeCommit;
        this.tx.beforeCommit = null;
        for (const g of gathered.values()) await g.flush(manager, g.items);
        return value;
      });
    } finally {
      this.tx.manager = this.dataSource.manager;
      this.tx.afterCommit = null;
      this.tx.beforeCommit = null;
      this.loaders.clearAll();
    }
    for (const fn of callbacks) fn();
    return result;
  }

  /**
   * The list gathered under `key` in the current transaction, handed to `flush` once, in order, as the
   * transaction's last statement (one round trip for what would have been many); null when there is no
   * transaction (or it is flushing already): the caller acts at once.
   */
  gatherUntilCommit<T>(key: string, flush: (manager: EntityManager, items: T[]) => Promise<void>): T[] | null {
    const gathered = this.tx.beforeCommit;
    if (!gathered) return null;
    let g = gathered.get(key);
    if (!g) gathered.set(key, (g = { items: [], flush: flush as Gathered['flush'] }));
    return g.items as T[];
  }

  /** Runs fn after the current transaction commits, or now when there is none. */
  onCommit(fn: () => void): void {
    if (this.tx.afterCommit) this.tx.afterCommit.push(fn);
    else fn();
  }
}
