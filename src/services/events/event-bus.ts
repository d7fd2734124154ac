import type { EntityManager } from 'typeorm';
import { routingKeys, type EventEnvelope } from './fulfillment.events';

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
 * key (e.g. "fulfillmentStateChanged:domainOrder:<id>") and receive only the events it routes to.
 */
export class EventBus {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    /** The NOTIFY channel: events published by the database's own functions go there too. */
    readonly channel: string,
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

  /**
   * Queues the events in the caller's transaction; they are delivered when (and only if) it commits.
   * Events travel several to a NOTIFY (a JSON array), as many as fit under PostgreSQL's payload limit:
   * a batch of deliveries publishes hundreds of events, and each notification costs the database, the
   * listening connection and every instance's parser about as much as a small one.
   */
  async publish(manager: EntityManager, envelopes: EventEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    await manager.query('SELECT pg_notify($1, p) FROM json_array_elements_text($2::json) WITH ORDINALITY AS t(p, n) ORDER BY n', [
      this.channel,
      JSON.stringify(notificationPayloads(envelopes)),
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

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
export const MAX_NOTIFY_BYTES = 7999;

/** The envelopes as JSON arrays of at most MAX_NOTIFY_BYTES each, in order. */
export function notificationPayloads(envelopes: EventEnvelope[]): string[] {
  const payloads: string[] = [];
  let parts: string[] = [];
  let bytes = 2; // the brackets
  for (const envelope of envelopes) {
    const json = JSON.stringify(envelope);
    const size = Buffer.byteLength(json);
    if (size + 2 > MAX_NOTIFY_BYTES) {
      throw new Error(`A ${envelope.topic} event of ${size} bytes does not fit in a notification (at most ${MAX_NOTIFY_BYTES - 2})`);
    }
    if (parts.length > 0 && bytes + 1 + size > MAX_NOTIFY_BYTES) {
      payloads.push(`[${parts.join(',')}]`);
      parts = [];
      bytes = 2;
    }
    bytes += (parts.length > 0 ? 1 : 0) + size;
    parts.push(json);
  }
  if (parts.length > 0) payloads.push(`[${parts.join(',')}]`);
  return payloads;
}
