import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DecisionSubject, FulfillmentState, OutboundOperation, OutboundRequestState } from '../../../src/entities/enums';
import pino from 'pino';
import { RequestContext } from '../../../src/services/context/request-context';
import type { EventBus } from '../../../src/services/events/event-bus';
import { createEventBus } from '../../../src/services/events/event-brokers';
import { MAX_NOTIFY_BYTES, notificationPayloads } from '../../../src/services/events/postgres-broker';
import { fulfillmentEnvelopes, outboundSnapshot } from '../../../src/services/events/fulfillment-event.publisher';
import {
  outboundRequestEnvelope,
  routingKey,
  TOPICS,
  type EventEnvelope,
  type FulfillmentStateChangedEvent,
  type OutboundRequestChangedEvent,
} from '../../../src/services/events/fulfillment.events';
import { eventBrokers, openTestDatabase, testDatabaseUrl, type TestDatabase } from '../../support/database';

const systemId = randomUUID();

function outboundEvent(i: number, requestId = `req-${i}`): EventEnvelope {
  return outboundRequestEnvelope(
    outboundSnapshot({
      id: randomUUID(),
      externalSystemId: systemId,
      requestId,
      operation: OutboundOperation.CREATE,
      state: OutboundRequestState.DELIVERED,
      attempts: i,
      nextAttemptAt: null,
    }),
  );
}

function fulfillmentEvent(i: number, externalState: string): EventEnvelope {
  return fulfillmentEnvelopes(DecisionSubject.DOMAIN_ORDER, [
    {
      record: { id: randomUUID(), number: `DO${1000 + i}`, fulfillmentState: FulfillmentState.PENDING, externalState },
      previousState: FulfillmentState.PENDING,
      request: { id: randomUUID(), requestId: `req-${i}` },
    },
  ])[0];
}

/** Collects what arrives under a routing key until `count` have arrived. */
async function receive(bus: EventBus, key: string, count: number): Promise<unknown[]> {
  const got: unknown[] = [];
  const events = bus.subscribe(key);
  const timeout = setTimeout(() => void events.return?.(), 5000);
  for await (const e of events) {
    got.push(e);
    if (got.length >= count) break;
  }
  clearTimeout(timeout);
  return got;
}

describe('notificationPayloads', () => {
  it('packs events in order into as few payloads as fit under the NOTIFY limit', () => {
    const envelopes = Array.from({ length: 500 }, (_, i) => (i % 3 === 0 ? fulfillmentEvent(i, 'é'.repeat(i % 100)) : outboundEvent(i)));
    const payloads = notificationPayloads(envelopes);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_NOTIFY_BYTES);
    expect(payloads.flatMap((p) => JSON.parse(p) as EventEnvelope[])).toEqual(envelopes);
    const total = envelopes.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)) + 1, 0);
    expect(payloads.length).toBeLessThanOrEqual(Math.ceil(total / (MAX_NOTIFY_BYTES - 1000)));
  });

  it('refuses an event that cannot fit in one notification rather than losing it silently', () => {
    expect(() => notificationPayloads([fulfillmentEvent(1, 'x'.repeat(9000))])).toThrow(/does not fit in a notification/);
  });
});

function busOn(channel: string, eventBrokerUrl: string | null): EventBus {
  return createEventBus({ databaseUrl: testDatabaseUrl, notifyChannel: channel, eventBrokerUrl }, pino({ level: 'silent' }));
}

/** Publishes in one transaction of a request context, as services do (the after-commit hook included). */
function publishCommitted(dataSource: DataSource, bus: EventBus, envelopes: EventEnvelope[], fail?: Error): Promise<void> {
  const ctx = new RequestContext(dataSource, null);
  return ctx.transaction(async () => {
    await bus.publish(ctx, envelopes);
    if (fail) throw fail;
  });
}

/** notify_events as the dispatcher's database functions call it, on the bus's database channel. */
async function notifyFromDatabase(dataSource: DataSource, bus: EventBus, count: number, state = 'SENDING'): Promise<void> {
  await dataSource.query(
    `SELECT notify_events($1, ARRAY(
       SELECT outbound_request_changed_event(gen_random_uuid(), $2::uuid, 'req-' || i, 'CREATE', $4, i, NULL)
         FROM generate_series(1, $3::int) AS i ORDER BY i))`,
    [bus.channel, systemId, count, state],
  );
}

describe.each(eventBrokers('event-bus.test.ts'))('EventBus over the $name broker', ({ eventBrokerUrl, name }) => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let bus: EventBus;

  beforeAll(async () => {
    db = await openTestDatabase();
    dataSource = db.dataSource;
    bus = busOn(`events_${randomUUID().replace(/-/g, '')}`, eventBrokerUrl);
    await bus.start();
  });
  afterAll(async () => {
    await bus?.close();
    await db?.close();
  });

  it('delivers a large batch published in one transaction, complete and in order, after commit', async () => {
    const envelopes = Array.from({ length: 400 }, (_, i) => outboundEvent(i));
    const arriving = receive(bus, routingKey(TOPICS.OUTBOUND_REQUEST_CHANGED), envelopes.length);
    await publishCommitted(dataSource, bus, envelopes);
    const got = (await arriving) as OutboundRequestChangedEvent[];
    expect(got.map((e) => e.attempts)).toEqual(envelopes.map((_, i) => i));
  });

  it('publishes nothing when the transaction rolls back', async () => {
    const got: unknown[] = [];
    const events = bus.subscribe(routingKey(TOPICS.OUTBOUND_REQUEST_CHANGED, 'request', 'rolled-back'));
    void (async () => {
      for await (const e of events) got.push(e);
    })();
    await expect(publishCommitted(dataSource, bus, [outboundEvent(1, 'rolled-back')], new Error('no'))).rejects.toThrow('no');
    // A later commit arrives; the rolled-back event, published before it, never does.
    const after = receive(bus, routingKey(TOPICS.OUTBOUND_REQUEST_CHANGED, 'request', 'after'), 1);
    await publishCommitted(dataSource, bus, [outboundEvent(2, 'after')]);
    await after;
    await events.return?.();
    expect(got).toEqual([]);
  });

  it(
    name === 'redis'
      ? 'refuses an in-transaction publish that has no after-commit hook rather than publish before the commit'
      : 'publishes in a bare transaction too: NOTIFY waits for the commit by itself',
    async () => {
      const got: unknown[] = [];
      const events = bus.subscribe(routingKey(TOPICS.OUTBOUND_REQUEST_CHANGED, 'request', 'bare'));
      void (async () => {
        for await (const e of events) got.push(e);
      })();
      const bare = dataSource.transaction((manager) => bus.publish({ manager }, [outboundEvent(1, 'bare')]));
      if (name === 'redis') await expect(bare).rejects.toThrow(/after-commit hook/);
      else await bare;
      const after = receive(bus, routingKey(TOPICS.OUTBOUND_REQUEST_CHANGED, 'request', 'after-bare'), 1);
      await publishCommitted(dataSource, bus, [outboundEvent(2, 'after-bare')]);
      await after;
      await events.return?.();
      expect(got).toHaveLength(name === 'redis' ? 0 : 1);
    },
  );

  it('routes each event to its topic and to the ids subscriptions filter on', async () => {
    const [event] = fulfillmentEnvelopes(DecisionSubject.TEST_RUN, [
      {
        record: { id: 'run-1', number: 'TR0001001', fulfillmentState: FulfillmentState.ERROR, externalState: null },
        previousState: FulfillmentState.PENDING,
        request: { id: 'out-1', requestId: 'req-routed' },
      },
    ]);
    const byRun = receive(bus, routingKey(TOPICS.FULFILLMENT_STATE_CHANGED, DecisionSubject.TEST_RUN, 'run-1'), 1);
    const byRequest = receive(bus, routingKey(TOPICS.FULFILLMENT_STATE_CHANGED, 'request', 'req-routed'), 1);
    const other = bus.subscribe(routingKey(TOPICS.FULFILLMENT_STATE_CHANGED, DecisionSubject.DOMAIN_ORDER, 'run-1'));
    await publishCommitted(dataSource, bus, [event]);
    expect(await byRun).toEqual([event.payload]);
    expect(await byRequest).toEqual([event.payload]);
    const none = await Promise.race([other.next(), new Promise((ok) => setTimeout(() => ok('nothing'), 200))]);
    await other.return?.();
    expect(none).toBe('nothing');
    expect((event.payload as FulfillmentStateChangedEvent).state).toBe(FulfillmentState.ERROR);
  });

  it('takes what the database functions publish: notify_events keeps order across several notifications', async () => {
    const count = 120;
    const arriving = receive(bus, routingKey(TOPICS.OUTBOUND_REQUEST_CHANGED, 'externalSystem', systemId), count);
    await notifyFromDatabase(dataSource, bus, count);
    const got = (await arriving) as OutboundRequestChangedEvent[];
    expect(got.map((e) => e.attempts)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(new Set(got.map((e) => e.state))).toEqual(new Set(['SENDING']));
  });
});

describe.each(eventBrokers('event-bus.test.ts'))('two instances on the $name broker', ({ eventBrokerUrl }) => {
  let db: TestDatabase;
  let buses: EventBus[];

  beforeAll(async () => {
    db = await openTestDatabase();
    const channel = `events_${randomUUID().replace(/-/g, '')}`;
    buses = [busOn(channel, eventBrokerUrl), busOn(channel, eventBrokerUrl)];
    for (const bus of buses) await bus.start();
  });
  afterAll(async () => {
    for (const bus of buses ?? []) await bus.close();
    await db?.close();
  });

  it('each instance receives every event once, whichever instance or database function published it, never twice', async () => {
    const key = routingKey(TOPICS.OUTBOUND_REQUEST_CHANGED, 'externalSystem', systemId);
    const seen = buses.map(() => [] as OutboundRequestChangedEvent[]);
    const subscriptions = buses.map((bus, i) => {
      const events = bus.subscribe(key);
      void (async () => {
        for await (const e of events) seen[i].push(e as OutboundRequestChangedEvent);
      })();
      return events;
    });
    // From each instance: services' events (after commit) and its database functions' (NOTIFY).
    for (const [i, bus] of buses.entries()) {
      await publishCommitted(db.dataSource, bus, [outboundEvent(0, `app-${i}-a`), outboundEvent(0, `app-${i}-b`)]);
      await notifyFromDatabase(db.dataSource, bus, 3, i === 0 ? 'SENDING' : 'DELIVERED');
    }
    const expected = ['app-0-a', 'app-0-b', 'app-1-a', 'app-1-b', 'req-1', 'req-1', 'req-2', 'req-2', 'req-3', 'req-3'];
    // Then a last event from each: once it is in, anything sent twice before it would have arrived too.
    for (const [i, bus] of buses.entries()) await publishCommitted(db.dataSource, bus, [outboundEvent(0, `last-${i}`)]);
    await waitUntil(() => seen.every((s) => s.some((e) => e.requestId === 'last-0') && s.some((e) => e.requestId === 'last-1')));
    for (const s of seen) {
      expect(
        s
          .map((e) => e.requestId)
          .filter((r) => !r.startsWith('last-'))
          .sort(),
      ).toEqual(expected);
      expect(s.filter((e) => e.requestId.startsWith('last-'))).toHaveLength(2);
    }
    for (const events of subscriptions) await events.return?.();
  });
});

async function waitUntil(probe: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the events');
    await new Promise((ok) => setTimeout(ok, 10));
  }
}
