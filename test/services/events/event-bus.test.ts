import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DecisionSubject, FulfillmentState, OutboundOperation, OutboundRequestState } from '../../../src/entities/enums';
import { EventBus, MAX_NOTIFY_BYTES, notificationPayloads } from '../../../src/services/events/event-bus';
import { fulfillmentEnvelopes, outboundSnapshot } from '../../../src/services/events/fulfillment-event.publisher';
import {
  outboundRequestEnvelope,
  routingKey,
  TOPICS,
  type EventEnvelope,
  type FulfillmentStateChangedEvent,
  type OutboundRequestChangedEvent,
} from '../../../src/services/events/fulfillment.events';
import { EmbeddedNotificationSource, PostgresNotificationSource } from '../../../src/services/events/notification-source';
import { openTestDatabase, testDatabaseUrl, type TestDatabase } from '../../support/database';

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

describe('EventBus over the database', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let bus: EventBus;

  beforeAll(async () => {
    db = await openTestDatabase();
    dataSource = db.dataSource;
    const channel = `events_${randomUUID().replace(/-/g, '')}`;
    bus = new EventBus(
      channel,
      testDatabaseUrl ? new PostgresNotificationSource(testDatabaseUrl, () => undefined) : new EmbeddedNotificationSource(),
    );
    await bus.start();
  });
  afterAll(async () => {
    await bus?.close();
    await db?.close();
  });

  it('delivers a large batch published in one transaction, complete and in order, after commit', async () => {
    const envelopes = Array.from({ length: 400 }, (_, i) => outboundEvent(i));
    const arriving = receive(bus, routingKey(TOPICS.OUTBOUND_REQUEST_CHANGED), envelopes.length);
    await dataSource.transaction((manager) => bus.publish(manager, envelopes));
    const got = (await arriving) as OutboundRequestChangedEvent[];
    expect(got.map((e) => e.attempts)).toEqual(envelopes.map((_, i) => i));
  });

  it('publishes nothing when the transaction rolls back', async () => {
    const got: unknown[] = [];
    const events = bus.subscribe(routingKey(TOPICS.OUTBOUND_REQUEST_CHANGED, 'request', 'rolled-back'));
    void (async () => {
      for await (const e of events) got.push(e);
    })();
    await expect(
      dataSource.transaction(async (manager) => {
        await bus.publish(manager, [outboundEvent(1, 'rolled-back')]);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    // A later commit arrives; the rolled-back event, published before it, never does.
    const after = receive(bus, routingKey(TOPICS.OUTBOUND_REQUEST_CHANGED, 'request', 'after'), 1);
    await dataSource.transaction((manager) => bus.publish(manager, [outboundEvent(2, 'after')]));
    await after;
    await events.return?.();
    expect(got).toEqual([]);
  });

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
    await dataSource.transaction((manager) => bus.publish(manager, [event]));
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
    await dataSource.query(
      `SELECT notify_events($1, ARRAY(
         SELECT outbound_request_changed_event(gen_random_uuid(), $2::uuid, 'req-' || i, 'CREATE', 'SENDING', i, NULL)
           FROM generate_series(1, $3::int) AS i ORDER BY i))`,
      [bus.channel, systemId, count],
    );
    const got = (await arriving) as OutboundRequestChangedEvent[];
    expect(got.map((e) => e.attempts)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(new Set(got.map((e) => e.state))).toEqual(new Set(['SENDING']));
  });
});
