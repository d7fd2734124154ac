import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from './fulfillment.events';

/** Where an event is published from: the manager of the transaction that made the change, and how to act after it commits. */
export interface PublishScope {
  readonly manager: EntityManager;
  /** Runs fn after the manager's transaction commits, never on rollback (RequestContext.onCommit). */
  onCommit?(fn: () => void): void;
}

/**
 * What carries subscription events between instances. Every instance receives every event exactly once
 * (its own included), and only events of committed transactions: PostgreSQL NOTIFY (postgres-broker.ts)
 * or Redis pub/sub (redis-broker.ts); event-brokers.ts picks one from the configuration.
 */
export interface EventBroker {
  /**
   * The NOTIFY channel this instance's database functions (the dispatcher's claim and delivery) publish
   * on, in their own transaction. The broker takes what arrives there to every instance.
   */
  readonly databaseChannel: string;
  /** Connects and starts handing every event (a JSON array of envelopes, as text) to `deliver`. */
  start(deliver: (payload: string) => void): Promise<void>;
  /** Publishes the events of the scope's transaction when (and only if) it commits; outside a transaction, now. */
  publish(scope: PublishScope, envelopes: EventEnvelope[]): Promise<void>;
  /** False while the broker cannot be reached (it reconnects by itself). */
  readonly connected: boolean;
  close(): Promise<void>;
}

/** Is the manager inside a transaction (a NOTIFY there is sent on commit; anything else must wait for it)? */
export function inTransaction(manager: EntityManager): boolean {
  return manager.queryRunner?.isTransactionActive === true;
}
