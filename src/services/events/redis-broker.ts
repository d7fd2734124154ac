import { randomBytes } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { inTransaction, type EventBroker, type PublishScope } from './event-broker';
import type { EventEnvelope } from './fulfillment.events';
import type { NotificationSource } from './notification-source';

/** The broker URL as logs may show it: scheme, host and port, never the user or password. */
export function redactedBrokerUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** Reconnects 100 ms, 200 ms, ... up to 5 s apart, for ever. */
const retryStrategy = (times: number) => Math.min(5000, 100 * 2 ** Math.min(times - 1, 6));

/**
 * Events through Redis pub/sub on one channel (the NOTIFY_CHANNEL name), which every instance subscribes
 * to. Redis knows nothing of our transactions, so an event is published only after its transaction
 * commits (the scope's onCommit); an in-transaction publish without that hook is refused rather than
 * leaking an event of a transaction that may still roll back.
 *
 * The database functions (claim, delivery) publish with NOTIFY inside their transaction. Each instance
 * has a NOTIFY channel of its own for them (databaseChannel) and relays what arrives there to Redis: a
 * function's events reach Redis once, through the instance that ran it, and from there every instance.
 *
 * ioredis is loaded by start(), not with this module: an instance on the default broker (NOTIFY) never
 * loads it, about 8 MB of resident memory.
 */
export class RedisBroker implements EventBroker {
  readonly databaseChannel: string;
  private clients: { publisher: Redis; subscriber: Redis } | null = null;
  private down = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly relaySource: NotificationSource,
    private readonly logger: Logger,
  ) {
    // A NOTIFY channel name has at most 63 bytes; this one is the instance's alone.
    this.databaseChannel = `${channel.slice(0, 48)}_r${randomBytes(6).toString('hex')}`;
  }

  get connected(): boolean {
    const c = this.clients;
    return c !== null && c.publisher.status === 'ready' && c.subscriber.status === 'ready' && this.relaySource.connected;
  }

  async start(deliver: (payload: string) => void): Promise<void> {
    const { Redis } = await import('ioredis');
    const options: RedisOptions = { lazyConnect: true, retryStrategy, connectionName: 'southgate' };
    const clients = { publisher: new Redis(this.url, options), subscriber: new Redis(this.url, options) };
    const where = redactedBrokerUrl(this.url);
    for (const client of [clients.publisher, clients.subscriber]) {
      // ioredis reports every failed reconnection; one line per outage is enough.
      client.on('error', (err: Error) => this.lost(where, err));
      client.on('ready', () => this.restored(where));
    }
    clients.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) deliver(message);
    });
    this.clients = clients;
    try {
      await Promise.all([clients.publisher.connect(), clients.subscriber.connect()]);
      await clients.subscriber.subscribe(this.channel);
    } catch (err) {
      clients.publisher.disconnect();
      clients.subscriber.disconnect();
      throw new Error(`The event broker (EVENT_BROKER_URL) does not answer: ${(err as Error).message}`, { cause: err });
    }
    await this.relaySource.listen(this.databaseChannel, (payload) => void this.send(payload));
  }

  publish(scope: PublishScope, envelopes: EventEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return Promise.resolve();
    const payload = JSON.stringify(envelopes);
    if (!inTransaction(scope.manager)) return this.send(payload);
    if (!scope.onCommit) {
      return Promise.reject(new Error('An event published inside a transaction needs its after-commit hook to go through Redis'));
    }
    scope.onCommit(() => void this.send(payload));
    return Promise.resolve();
  }

  async close(): Promise<void> {
    await this.relaySource.close();
    const c = this.clients;
    if (c) await Promise.all([c.publisher.quit().catch(() => undefined), c.subscriber.quit().catch(() => undefined)]);
  }

  /** Publishes; while Redis is down ioredis holds the command until it is back. */
  private send(payload: string): Promise<void> {
    if (!this.clients) {
      this.logger.error('event broker: an event was published before the broker started; subscribers miss it');
      return Promise.resolve();
    }
    return this.clients.publisher.publish(this.channel, payload).then(
      () => undefined,
      (err: unknown) => this.logger.error({ err }, 'event broker: publishing an event failed; subscribers miss it'),
    );
  }

  private lost(where: string, err: Error): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn(
      { broker: where, err: { message: err.message } },
      'event broker unreachable; subscriptions miss events until it is back, reconnecting',
    );
  }

  private restored(where: string): void {
    if (!this.down || !this.connected) return;
    this.down = false;
    this.logger.info({ broker: where }, 'event broker reachable again');
  }
}
