import type { EventBroker, PublishScope } from './event-broker';
import { routingKeys, type EventEnvelope } from './fulfillment.events';

type Listener = (payload: unknown) => void;

/**
 * The one pub/sub module. Events are published in the transaction that made the change and delivered
 * only when it commits, to every instance (this one included), through the broker between instances
 * (PostgreSQL NOTIFY or Redis, event-brokers.ts); a rollback publishes nothing. Subscribers register a
 * routing key (e.g. "fulfillmentStateChanged:domainOrder:<id>") and receive only the events it routes to.
 */
export class EventBus {
  private readonly listeners = new Map<string, Set<Listener>>();

  /** Over a broker (createEventBus in event-brokers.ts picks it from the configuration). */
  constructor(private readonly broker: EventBroker) {}

  /** The NOTIFY channel the database functions of this instance publish on (the broker takes it from there). */
  get channel(): string {
    return this.broker.databaseChannel;
  }

  /** False while the broker between instances cannot be reached. */
  get connected(): boolean {
    return this.broker.connected;
  }

  async start(): Promise<void> {
    await this.broker.start((raw) => this.deliver(raw));
  }

  async close(): Promise<void> {
    await this.broker.close();
    for (const set of this.listeners.values()) set.clear();
    this.listeners.clear();
  }

  /**
   * Publishes the events of the scope's transaction: delivered when (and only if) it commits. A broker
   * outside the database (Redis) needs the scope's onCommit for that, and refuses without it.
   */
  publish(scope: PublishScope, envelopes: EventEnvelope[]): Promise<void> {
    return this.broker.publish(scope, envelopes);
  }

  /** An async iterable of the payloads published under one routing key (and passing `accept`), ended by return(). */
  subscribe(key: string, accept: (payload: unknown) => boolean = () => true): AsyncIterableIterator<unknown> {
    const queue: unknown[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    const listener: Listener = (payload) => {
      if (!accept(payload)) return;
      queue.push(payload);
      wake?.();
    };
    const set = this.listeners.get(key) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(key, set);
    const stop = () => {
      done = true;
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(key) === set) this.listeners.delete(key);
      wake?.();
    };
    const iterator: AsyncIterableIterator<unknown> = {
      [Symbol.asyncIterator]: () => iterator,
      next: async () => {
        while (!done && queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (queue.length > 0) return { value: queue.shift(), done: false };
        return { value: undefined, done: true };
      },
      return: () => {
        stop();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
    return iterator;
  }

  /** Number of live subscriptions (for readiness and tests). */
  get subscriberCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  private deliver(raw: string): void {
    // Nobody here to tell (an instance without consoles): the events are not even parsed.
    if (this.listeners.size === 0) return;
    // After this turn of the event loop, in order: the request whose commit published the events answers
    // first (with 1,000 consoles, a system's event waited 25 ms for its answer on PGlite; 8 ms now).
    setImmediate(() => this.deliverNow(raw));
  }

  private deliverNow(raw: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return; // not ours: another writer on the channel
    }
    if (!Array.isArray(parsed)) return; // not ours
    for (const envelope of parsed as EventEnvelope[]) {
      if (!envelope || typeof envelope !== 'object' || !envelope.payload) continue;
      for (const key of routingKeys(envelope)) {
        for (const listener of this.listeners.get(key) ?? []) listener(envelope.payload);
      }
    }
  }
}
