import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { OutboundOperation, OutboundRequestState } from '../../src/entities/enums';
import { EmbeddedMaintenance } from '../../src/database/embedded-maintenance';
import { createEventBus } from '../../src/services/events/event-brokers';
import type { EventBus } from '../../src/services/events/event-bus';
import { outboundSnapshot } from '../../src/services/events/fulfillment-event.publisher';
import { outboundRequestEnvelope } from '../../src/services/events/fulfillment.events';
import { waitFor } from '../e2e/e2e-kit';
import { openTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/database';

/** The embedded database runs no autovacuum: the gateway vacuums it after enough changes or a while. */
describe('EmbeddedMaintenance', () => {
  let db: TestDatabase;
  let bus: EventBus;
  let maintenance: EmbeddedMaintenance | null = null;

  beforeAll(async () => {
    db = await openTestDatabase();
    bus = createEventBus(
      { databaseUrl: testDatabaseUrl, notifyChannel: `m_${randomUUID().replace(/-/g, '')}`, eventBrokerUrl: null },
      pino({ level: 'silent' }),
    );
    await bus.start();
  });
  afterEach(async () => {
    await maintenance?.stop();
    maintenance = null;
  });
  afterAll(async () => {
    await bus?.close();
    await db?.close();
  });

  const vacuums = async (): Promise<number> => {
    const [row] = await db.dataSource.query(
      `SELECT vacuum_count::int AS n FROM pg_stat_user_tables WHERE relname = 'outbound_request' AND schemaname = current_schema()`,
    );
    return row.n;
  };
  const publishChanges = (n: number) =>
    db.dataSource.transaction((manager) =>
      bus.publish(
        { manager },
        Array.from({ length: n }, () =>
          outboundRequestEnvelope(
            outboundSnapshot({
              id: randomUUID(),
              externalSystemId: randomUUID(),
              requestId: randomUUID(),
              operation: OutboundOperation.CREATE,
              state: OutboundRequestState.DELIVERED,
              attempts: 1,
              nextAttemptAt: null,
            }),
          ),
        ),
      ),
    );

  it('vacuums once enough changes have gone by, not before', async () => {
    maintenance = new EmbeddedMaintenance(db.dataSource, bus, pino({ level: 'silent' }), { changes: 50, intervalMs: 600_000 });
    maintenance.start();
    const before = await vacuums();
    await publishChanges(30);
    await new Promise((ok) => setTimeout(ok, 300));
    expect(await vacuums()).toBe(before);
    await publishChanges(30);
    await waitFor(async () => (await vacuums()) > before, 'a vacuum after 50 changes');
  });

  it('vacuums a while after a change even when few follow', async () => {
    maintenance = new EmbeddedMaintenance(db.dataSource, bus, pino({ level: 'silent' }), { changes: 1_000_000, intervalMs: 200 });
    maintenance.start();
    const before = await vacuums();
    await new Promise((ok) => setTimeout(ok, 400));
    expect(await vacuums()).toBe(before); // nothing changed: nothing to do
    await publishChanges(1);
    await waitFor(async () => (await vacuums()) > before, 'a vacuum 200 ms after the change');
  });
});
