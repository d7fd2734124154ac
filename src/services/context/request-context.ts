import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/roles';
import type { EventBus } from '../events/event-bus';
import type { DomainError } from '../common/domain.errors';
import { Loaders } from './loaders';

interface TransactionState {
  manager: EntityManager;
  afterCommit: (() => void)[] | null;
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
    const tx: TransactionState = { manager: dataSource.manager, afterCommit: null };
    this.tx = tx;
    this.loaders = new Loaders(() => tx.manager);
  }

  get manager(): EntityManager {
    return this.tx.manager;
  }

  /**
   * Runs `work` in one transaction. Callbacks registered with onCommit run after it commits (never on
   * rollback), and the loaders are cleared so later reads of this request see the committed rows.
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.tx.afterCommit) return work();
    const callbacks: (() => void)[] = [];
    let result: T;
    try {
      result = await this.dataSource.transaction(async (manager) => {
        this.tx.manager = manager;
        this.tx.afterCommit = callbacks;
        this.loaders.clearAll();
        return work();
      });
    } finally {
      this.tx.manager = this.dataSource.manager;
      this.tx.afterCommit = null;
      this.loaders.clearAll();
    }
    for (const fn of callbacks) fn();
    return result;
  }

  /** Runs fn after the current transaction commits, or now when there is none. */
  onCommit(fn: () => void): void {
    if (this.tx.afterCommit) this.tx.afterCommit.push(fn);
    else fn();
  }
}
