import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig, ConfigError } from '../../../src/config';
import { RequestContext } from '../../../src/services/context/request-context';
import type { EventBus } from '../../../src/services/events/event-bus';
import { createEventBus } from '../../../src/services/events/event-brokers';
import { outboundRequestEnvelope, routingKey, TOPICS } from '../../../src/services/events/fulfillment.events';
import { outboundSnapshot } from '../../../src/services/events/fulfillment-event.publisher';
import { OutboundOperation, OutboundRequestState } from '../../../src/entities/enums';
import { openTestDatabase, testDatabaseUrl, testRedisUrl, type TestDatabase } from '../../support/database';

const describeWithRedis = testRedisUrl ? describe : describe.skip;
if (!testRedisUrl) process.stdout.write('SKIPPED redis-broker.test.ts: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379)\n');

/** A TCP relay to Redis that the test can cut and restore, as a network outage would. */
async function redisRelay(target: URL): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((ok) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        ok();
      });
    });
  const cut = async () => {
    await new Promise<void>((ok) => {
      server.close(() => ok());
      for (const s of sockets) s.destroy();
    });
  };
  await listen();
  return { url: `redis://127.0.0.1:${port}`, cut, restore: listen, close: cut };
}

async function until(probe: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 10));
  }
}

function event(requestId: string) {
  return outboundRequestEnvelope(
    outboundSnapshot({
      id: randomUUID(),
      externalSystemId: randomUUID(),
      requestId,
      operation: OutboundOperation.CREATE,
      state: OutboundRequestState.QUEUED,
      attempts: 0,
      nextAttemptAt: null,
    }),
  );
}

describe('EVENT_BROKER_URL', () => {
  it('takes redis:// and rediss:// only, and never repeats the URL (it may hold a password) in the error', () => {
    expect(loadConfig({ EVENT_BROKER_URL: 'rediss://user:pw@redis.example.net:6380/2' }).eventBrokerUrl).toBe(
      'rediss://user:pw@redis.example.net:6380/2',
    );
    expect(loadConfig({}).eventBrokerUrl).toBeNull();
    for (const bad of ['http://user:hunter2-secret@redis.example.net', 'hunter2-secret', 'redis://']) {
      let error: unknown;
      try {
        loadConfig({ EVENT_BROKER_URL: bad });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/EVENT_BROKER_URL must be a redis:\/\/ or rediss:\/\/ URL/);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});

describeWithRedis('the Redis event broker when Redis goes away', () => {
  let db: TestDatabase;
  const logs: { level: number; msg: string; [k: string]: unknown }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as (typeof logs)[number]) });
  const busOn = (url: string) =>
    createEventBus({ databaseUrl: testDatabaseUrl, notifyChannel: `redis_${randomUUID().slice(0, 8)}`, eventBrokerUrl: url }, logger);

  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db?.close());

  it('does not start on a broker that does not answer, and says so without the password', async () => {
    const relay = await redisRelay(new URL(testRedisUrl!));
    const { port } = new URL(relay.url);
    await relay.close();
    const bus = busOn(`redis://southgate:hunter2-secret@127.0.0.1:${port}`);
    const started = bus.start();
    await expect(started).rejects.toThrow(/The event broker \(EVENT_BROKER_URL\) does not answer/);
    await started.catch((err: Error) => expect(err.message).not.toContain('hunter2'));
    await bus.close();
    expect(JSON.stringify(logs)).not.toContain('hunter2');
  });

  it('reconnects by itself after an outage: one log line each way, not ready meanwhile, events flow again', async () => {
    const relay = await redisRelay(new URL(testRedisUrl!));
    const bus: EventBus = busOn(relay.url);
    await bus.start();
    const got: string[] = [];
    const events = bus.subscribe(routingKey(TOPICS.OUTBOUND_REQUEST_CHANGED));
    void (async () => {
      for await (const e of events) got.push((e as { requestId: string }).requestId);
    })();
    const publish = (requestId: string) => {
      const ctx = new RequestContext(db.dataSource, null);
      return ctx.transaction(() => bus.publish(ctx, [event(requestId)]));
    };
    try {
      await publish('before');
      await until(() => got.includes('before'), 'the event before the outage');
      expect(bus.connected).toBe(true);

      const logged = logs.length;
      await relay.cut();
      await until(() => !bus.connected, 'the broker to be seen down');
      await until(() => logs.slice(logged).some((l) => l.msg.startsWith('event broker unreachable')), 'the outage to be logged');
      // Reconnection attempts keep failing for a while: still one line for the outage.
      await new Promise((ok) => setTimeout(ok, 500));
      await relay.restore();
      await until(() => bus.connected, 'the broker to be back', 20_000);
      await until(() => logs.slice(logged).some((l) => l.msg === 'event broker reachable again'), 'the recovery to be logged');
      const outage = logs.slice(logged);
      expect(outage.filter((l) => l.msg.startsWith('event broker unreachable'))).toHaveLength(1);
      expect(outage.filter((l) => l.msg === 'event broker reachable again')).toHaveLength(1);

      await publish('after');
      await until(() => got.includes('after'), 'an event after the outage');
    } finally {
      await events.return?.();
      await bus.close();
      await relay.close();
    }
  }, 60_000);
});
