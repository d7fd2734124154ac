import type { Simulator } from '../../src/simulator';
import { CreateDomainOrderDocument, CreateFulfillmentRequestDocument } from '../__generated__/graphql';
import type { TestApp } from '../support/app';
import { caseOrder, waitForState } from './e2e-kit';
import { callback, silentOrderingWorld, orderEvent, orderReport } from './inbound-kit';
import { StatementLog } from '../support/statement-log';
import { usingPostgres } from '../support/database';

/**
 * What one event costs the database: a fixed number of statements, however many records it moves (a
 * whole tree is one UPDATE, its links one INSERT, its events one NOTIFY).
 */
describe('SQL statements per inbound event', () => {
  const counter = new StatementLog(false);
  let app: TestApp;
  let sim: Simulator;
  let systemId: string;
  let token: string;

  beforeAll(async () => {
    ({ app, sim, systemId, token } = await silentOrderingWorld('statements', counter));
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  const TIMERS = ['claim_outbound_requests', 'FROM circuit_breaker', 'FROM poll_schedule p'];

  async function statementsOfOneEvent(children: number) {
    const input = { ...caseOrder('statements'), children: Array.from({ length: children }, () => caseOrder('statements')) };
    const order = (await app.ok(CreateDomainOrderDocument, { input })).createDomainOrder;
    const [request] = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest
      .outboundRequests;
    const { externalId } = await waitForState(app, request.id, 'DELIVERED');
    // Let the dispatcher's last sweep after the delivery finish before counting.
    await new Promise((r) => setTimeout(r, 50));
    counter.statements = [];
    counter.counting = true;
    const res = await callback(
      app,
      `${systemId}/listener/serviceOrderStateChangeEvent`,
      orderEvent('ServiceOrderStateChangeEvent', { id: externalId, state: 'inProgress' }),
      { token },
    );
    counter.counting = false;
    expect([res.status, res.body.outcome]).toEqual([201, 'APPLIED']);
    const moved = await orderReport(app, order.id);
    expect([moved.externalState, ...moved.children.map((c) => c.externalState)]).toEqual(Array(children + 1).fill('inProgress'));
    // What the instance's own timers run meanwhile (the dispatcher's sweep, the shared breakers' refresh,
    // the poller's sweep) is not the event's cost.
    return counter.statements.filter((s) => !TIMERS.some((t) => s.includes(t)));
  }

  it('a state change of one order: the system, the request with its records locked, the message, one UPDATE, one NOTIFY', async () => {
    const statements = await statementsOfOneEvent(0);
    expect(statements.filter((s) => s.startsWith('UPDATE'))).toHaveLength(1);
    // On PostgreSQL the NOTIFY goes in one message with the COMMIT (the log shows the COMMIT alone).
    expect(statements.filter((s) => s.includes('pg_notify'))).toHaveLength(usingPostgres ? 0 : 1);
    // The duplicate check is the message's own INSERT (ON CONFLICT on the event's unique index): no lock, no look-up.
    expect(statements.filter((s) => s.includes('pg_advisory_xact_lock'))).toHaveLength(0);
    // No cancellation is looked for: the locked order shows none under way (it keeps no state to go back to).
    expect(statements.filter((s) => s.includes('FROM cancellation'))).toHaveLength(0);
    // The system; START TRANSACTION; the request with its records locked; the message with its links; the
    // UPDATE; the NOTIFY (with the COMMIT on PostgreSQL); COMMIT.
    expect(statements).toHaveLength(usingPostgres ? 6 : 7);
  });

  it("the event's CREATE is found through the look-up index, even before the table has statistics", async () => {
    // Many CREATEs of this system (a planner without statistics once ANDed the external id's index with
    // the operation's and read every CREATE's entry for each event).
    await app.runtime.dataSource.query(
      `INSERT INTO outbound_request (request_id, subject, operation, api, external_system_id, state, http_method, path, payload, external_id, delivered_at)
       SELECT 'seeded-' || g, 'DOMAIN_ORDER', 'CREATE', 'SERVICE_ORDERING_TMF641', $1, 'DELIVERED', 'POST', '/serviceOrder', '{}', 'seeded-' || g, now()
         FROM generate_series(1, 5000) g`,
      [systemId],
    );
    counter.withParams = [];
    await statementsOfOneEvent(0);
    const lookup = counter.withParams.find((s) => s.sql.includes('WITH wanted'))!;
    const plan = (await app.runtime.dataSource.query<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${lookup.sql}`, lookup.params))
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(plan).toContain('outbound_request_external_id_lookup_idx');
    expect(plan).not.toContain('BitmapAnd');
  });

  it('the same event for a tree of 1 + 20 records costs the same statements', async () => {
    const single = await statementsOfOneEvent(0);
    const tree = await statementsOfOneEvent(20);
    expect(tree.length).toBe(single.length);
  });
});
