import pino from 'pino';
import { buildServices } from '../../../src/container';
import { OutboundAuthType, OutboundOperation, OutboundRequestState, TmfApi } from '../../../src/entities/enums';
import { Role } from '../../../src/services/auth/roles';
import { RequestContext } from '../../../src/services/context/request-context';
import { createEventBus } from '../../../src/services/events/event-brokers';
import type { EventBus } from '../../../src/services/events/event-bus';
import { loadConfig } from '../../../src/config';
import { openTestDatabase, type TestDatabase } from '../../support/database';
import { StatementLog } from '../../support/statement-log';

const ROWS = 20_000;

/**
 * A filtered first page reads the filter's index, newest first, instead of walking every row: checked on
 * the plan PostgreSQL chooses with statistics, over enough rows (one in a hundred matching) that walking
 * the whole table would cost it far more. (How fast it is over a million rows is `npm run bench`'s.)
 */
describe('list filters over many rows', () => {
  const last = new StatementLog(true, () => false);
  let db: TestDatabase;
  let ctx: RequestContext;
  let services: ReturnType<typeof buildServices>;
  let eventBus: EventBus;

  beforeAll(async () => {
    db = await openTestDatabase({ logger: last });
    const config = loadConfig({ JWT_SECRET: 'x'.repeat(16), LOG_LEVEL: 'silent' });
    eventBus = createEventBus(config, pino({ level: 'silent' }));
    services = buildServices({ config, dataSource: db.dataSource, eventBus, encryptionKey: Buffer.alloc(32, 1) });
    ctx = new RequestContext(db.dataSource, { id: 'test', roles: [Role.ADMIN] });
    const system = await ctx.transaction(() =>
      services.externalSystems.create(ctx, {
        name: 'seeded',
        api: TmfApi.SERVICE_ORDERING_TMF641,
        baseUrl: 'http://127.0.0.1:9/tmf-api/serviceOrdering/v4',
        auth: { type: OutboundAuthType.NONE },
      }),
    );
    await db.dataSource.query(
      `INSERT INTO outbound_request (request_id, subject, operation, api, external_system_id, state, http_method, path, payload, delivered_at)
       SELECT 'r-' || g, 'DOMAIN_ORDER', CASE WHEN g % 100 = 7 THEN 'CANCEL' ELSE 'CREATE' END, 'SERVICE_ORDERING_TMF641', $2,
              'DELIVERED', 'POST', '/serviceOrder', '{}', now()
         FROM generate_series(1, $1::int) g`,
      [ROWS, system.id],
    );
    await db.dataSource.query(
      `INSERT INTO domain_order (id, root_id, action, service_specification) VALUES ('11111111-1111-4111-8111-111111111111', '11111111-1111-4111-8111-111111111111', 'ADD', '{}')`,
    );
    await db.dataSource.query(
      `INSERT INTO inbound_message (id, external_system_id, channel, event_id, body, outcome)
       SELECT md5('m' || g)::uuid, $2, 'EVENT', 'e-' || g, '{}', 'APPLIED' FROM generate_series(1, $1::int) g`,
      [ROWS, system.id],
    );
    await db.dataSource.query(
      `INSERT INTO inbound_message_domain_order (inbound_message_id, domain_order_id)
       SELECT md5('m' || g)::uuid, '11111111-1111-4111-8111-111111111111' FROM generate_series(1000, $1::int, 1000) g`,
      [ROWS],
    );
    await db.dataSource.query('ANALYZE');
  });
  afterAll(async () => {
    await services?.close();
    await eventBus?.close();
    await db?.close();
  });

  async function planOfLastPage(): Promise<string> {
    const rows = await db.dataSource.query<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${last.last.sql}`, last.last.params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }

  it('outboundRequests(operation) reads the operation index, and answers the newest matching requests', async () => {
    const page = await services.outboundRequests.list(ctx, { first: 50 }, { operation: OutboundOperation.CANCEL });
    expect(page.edges).toHaveLength(50);
    expect(page.edges.every((e) => e.node.operation === OutboundOperation.CANCEL)).toBe(true);
    expect(page.edges[0].node.requestId).toBe(`r-${ROWS - 93}`);
    const plan = await planOfLastPage();
    expect(plan).toContain('outbound_request_operation_idx');
    expect(plan).not.toMatch(/Seq Scan on outbound_request/);
    expect(await page.totalCount).toBe(ROWS / 100);
  });

  it("inboundMessages(recordId) reads the record's messages by key, not every message (one in a thousand is the record's)", async () => {
    const page = await services.inboundMessages.list(ctx, { first: 10 }, { recordId: '11111111-1111-4111-8111-111111111111' });
    expect(page.edges).toHaveLength(10);
    expect(page.edges[0].node.eventId).toBe(`e-${ROWS}`);
    const plan = await planOfLastPage();
    // The record's messages come from its links, each by primary key (the link table here is small
    // enough to scan; over many links it is read through its (record, message) index, see npm run bench).
    expect(plan).toContain('inbound_message_pkey');
    expect(plan).not.toMatch(/Seq Scan on inbound_message /);
    expect(await page.totalCount).toBe(ROWS / 1000);
  });

  it('a state the list has no rows in is answered from the state index, empty', async () => {
    const page = await services.outboundRequests.list(ctx, { first: 50 }, { state: OutboundRequestState.ERROR });
    expect(page.edges).toEqual([]);
    expect(await planOfLastPage()).toContain('outbound_request_state_idx');
  });
});
