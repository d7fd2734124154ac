import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from './fulfillment.events';

/** Where NOTIFY messages come from: a LISTEN connection to PostgreSQL, or the embedded PGlite. */
export interface NotificationSource {
  listen(channel: string, onMessage: (payload: string) => void): Promise<void>;
  close(): Promise<void>;
}

type Listener = (payload: unknown) => void;

/**
 * The one pub/sub module. Events are published with pg_notify inside the transaction that made the
 * change, so PostgreSQL delivers them only on commit, in commit order, to every instance listening
 * on the channel (this one included); a rollback publishes nothing. Subscribers register a routing
 * key (e.g. "fulfillmentStateChanged:domainOrder:<id>") and receive only the events carrying it.
 */
export class EventBus {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly channel: string,
    private readonly source: NotificationSource,
  ) {}

  async start(): Promise<void> {
    await this.source.listen(this.channel, (raw) => this.deliver(raw));
  }

  async close(): Promise<void> {
    await this.source.close();
    for (const set of this.listeners.values()) set.clear();
    this.listeners.clear();
  }

  /** Queues the events in the caller's transaction; they are delivered when (and only if) it commits. */
  async publish(manager: EntityManager, envelopes: EventEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    await manager.query('SELECT pg_notify($1, e) FROM unnest($2::text[]) WITH ORDINALITY AS t(e, n) ORDER BY n', [
      this.channel,
      envelopes.map((e) => JSON.stringify(e)),
    ]);
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
      return: async () => {
        stop();
        return { value: undefined, done: true };
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
    let envelope: EventEnvelope;
    try {
      envelope = JSON.parse(raw) as EventEnvelope;
    } catch {
      return; // not ours: another writer on the channel
    }
    for (const key of envelope.keys ?? []) {
      for (const listener of this.listeners.get(key) ?? []) listener(envelope.payload);
    }
  }
}
