import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/roles';
import type { EventBus } from '../events/event-bus';
import type { DomainError } from './domain.errors';
import { Loaders } from './loaders';

/**
 * What every service method receives first: who is asking, the DataLoader bag of this request and the
 * EntityManager of the current transaction (the plain manager outside one). Services take repositories
 * from `manager`, so they never escape the transaction by accident.
 */
export class RequestContext {
  manager: EntityManager;
  readonly loaders: Loaders;
  private afterCommit: (() => void)[] | null = null;

  constructor(
    readonly dataSource: DataSource,
    readonly user: AuthUser | null,
    /** Why the presented token was refused, reported by the auth checker of the first operation. */
    readonly authError: DomainError | null = null,
    /** The pub/sub module, for subscriptions. */
    readonly events: EventBus | null = null,
  ) {
    this.manager = dataSource.manager;
    this.loaders = new Loaders(() => this.manager);
  }

  get inTransaction(): boolean {
    return this.afterCommit !== null;
  }

  /**
   * Runs `work` in one transaction. Callbacks registered with onCommit run after it commits (never on
   * rollback), and the loaders are cleared so later reads of this request see the committed rows.
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.afterCommit) return work();
    const callbacks: (() => void)[] = [];
    let result: T;
    try {
      result = await this.dataSource.transaction(async (manager) => {
        this.manager = manager;
        this.afterCommit = callbacks;
        this.loaders.clearAll();
        return work();
      });
    } finally {
      this.manager = this.dataSource.manager;
      this.afterCommit = null;
      this.loaders.clearAll();
    }
    for (const fn of callbacks) fn();
    return result;
  }

  /** Runs fn after the current transaction commits, or now when there is none. */
  onCommit(fn: () => void): void {
    if (this.afterCommit) this.afterCommit.push(fn);
    else fn();
  }
}
