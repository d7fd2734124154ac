import type { Simulator } from '../../src/simulator';
import { CreateDomainOrderDocument, CreateFulfillmentRequestDocument } from '../__generated__/graphql';
import type { TestApp } from '../support/app';
import { StatementLog } from '../support/statement-log';
import { caseOrder, waitForState } from './e2e-kit';
import { callback, inboundMessages, silentOrderingWorld, orderEvent, orderReport } from './inbound-kit';

/**
 * Events that arrive together share one transaction (group commit), and each is answered exactly as if it
 * had come alone: its own outcome, its own records, its own refusal.
 */
describe('inbound events arriving together', () => {
  const log = new StatementLog(false);
  let app: TestApp;
  let sim: Simulator;
  let systemId: string;
  let token: string;

  beforeAll(async () => {
    ({ app, sim, systemId, token } = await silentOrderingWorld('batches', log));
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  /** Orders sent to the system and delivered: their ids and the ids the system gave them. */
  async function deliveredOrders(count: number): Promise<{ id: string; externalId: string }[]> {
    return Promise.all(
      Array.from({ length: count }, async () => {
        const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('batches') })).createDomainOrder;
        const [request] = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest
          .outboundRequests;
        const { externalId } = await waitForState(app, request.id, 'DELIVERED', 20_000);
        return { id: order.id, externalId: externalId! };
      }),
    );
  }

  const send = (event: object, name = 'serviceOrderStateChangeEvent') => callback(app, `${systemId}/listener/${name}`, event, { token });

  it('twenty state changes sent at once are a few transactions, each order moved by its own event', async () => {
    const orders = await deliveredOrders(20);
    log.statements = [];
    log.counting = true;
    const answers = await Promise.all(
      orders.map((o) => send(orderEvent('ServiceOrderStateChangeEvent', { id: o.externalId, state: 'inProgress' }))),
    );
    log.counting = false;
    expect(answers.map((a) => [a.status, a.body.outcome])).toEqual(orders.map(() => [201, 'APPLIED']));
    const transactions = log.statements.filter((s) => s.startsWith('START TRANSACTION')).length;
    expect(transactions).toBeGreaterThan(0);
    expect(transactions).toBeLessThan(10);
    for (const [i, o] of orders.entries()) {
      const report = await orderReport(app, o.id);
      expect(report.externalState).toBe('inProgress');
      // Its own message, linked to it and to no other order.
      expect(report.inboundMessages.edges.map((e) => [e.node.id, e.node.outcome])).toEqual([[answers[i].body.id, 'APPLIED']]);
    }
  });

  it('in one batch an unknown resource is refused, a repeat is a duplicate and two events of one order both apply', async () => {
    const [a, b, c] = await deliveredOrders(3);
    const first = orderEvent('ServiceOrderStateChangeEvent', { id: a.externalId, state: 'inProgress' });
    const applied = await send(first);
    expect(applied.body.outcome).toBe('APPLIED');
    // B's two events carry the same time, so whichever is applied second is not older than the first.
    const eventTime = new Date().toISOString();
    const milestone = orderEvent(
      'ServiceOrderMilestoneEvent',
      { id: b.externalId, milestone: [{ id: 'm1', name: 'designCompleted', milestoneDate: eventTime }] },
      { eventTime },
    );
    const [repeat, unknown, stateOfB, milestoneOfB, stateOfC] = await Promise.all([
      send(first),
      send(orderEvent('ServiceOrderStateChangeEvent', { id: 'never-sent-here', state: 'inProgress' })),
      send(orderEvent('ServiceOrderStateChangeEvent', { id: b.externalId, state: 'inProgress' }, { eventTime })),
      send(milestone, 'serviceOrderMilestoneEvent'),
      send(orderEvent('ServiceOrderStateChangeEvent', { id: c.externalId, state: 'completed' })),
    ]);
    expect([repeat.status, repeat.body.outcome]).toEqual([201, 'DUPLICATE']);
    const duplicates = await inboundMessages(app, { externalSystemId: systemId, outcome: 'DUPLICATE' });
    expect(duplicates.edges.find((e) => e.node.id === repeat.body.id)?.node.reason).toBe(
      `Event ${first.eventId} was received before (inbound message ${applied.body.id}, APPLIED)`,
    );
    expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
    expect([stateOfB, milestoneOfB, stateOfC].map((r) => [r.status, r.body.outcome])).toEqual([
      [201, 'APPLIED'],
      [201, 'APPLIED'],
      [201, 'APPLIED'],
    ]);
    const orderB = await orderReport(app, b.id);
    expect([orderB.externalState, orderB.milestones.map((m) => m.name)]).toEqual(['inProgress', ['designCompleted']]);
    expect(orderB.inboundMessages.edges.map((e) => e.node.outcome).sort()).toEqual(['APPLIED', 'APPLIED']);
    expect((await orderReport(app, c.id)).fulfillmentState).toBe('FULFILLED');
    // The repeat changed nothing: the order's messages are still the first one alone.
    const orderA = await orderReport(app, a.id);
    expect(orderA.inboundMessages.edges.map((e) => e.node.outcome)).toEqual(['APPLIED']);
  });

  it('when the batch cannot be written, each event is tried alone: the others apply, the failing one changes nothing', async () => {
    const orders = await deliveredOrders(5);
    const broken = orders[2];
    const before = await orderReport(app, broken.id);
    // A record the database refuses to change (as a constraint or a full disk would).
    await app.runtime.dataSource.query(
      `CREATE FUNCTION refuse_batches_test() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF NEW.id = '${broken.id}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`,
    );
    await app.runtime.dataSource.query(
      `CREATE TRIGGER refuse_batches_test BEFORE UPDATE ON domain_order FOR EACH ROW EXECUTE FUNCTION refuse_batches_test()`,
    );
    try {
      const answers = await Promise.all(
        orders.map((o) => send(orderEvent('ServiceOrderStateChangeEvent', { id: o.externalId, state: 'inProgress' }))),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201, 500, 201, 201]);
      expect(answers[2].body).toEqual({ code: 'INTERNAL_SERVER_ERROR', reason: 'Internal server error' });
      for (const [i, o] of orders.entries()) {
        const report = await orderReport(app, o.id);
        if (i === 2) {
          expect([report.externalState, report.version, report.inboundMessages.totalCount]).toEqual([
            before.externalState,
            before.version,
            0,
          ]);
        } else {
          expect([report.externalState, report.inboundMessages.edges.map((e) => e.node.outcome)]).toEqual(['inProgress', ['APPLIED']]);
        }
      }
    } finally {
      await app.runtime.dataSource.query(`DROP TRIGGER refuse_batches_test ON domain_order`);
      await app.runtime.dataSource.query(`DROP FUNCTION refuse_batches_test()`);
    }
  });
});
