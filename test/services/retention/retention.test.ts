import pino from 'pino';
import { ConfigError, loadConfig } from '../../../src/config';
import { RetentionPruner } from '../../../src/services/retention/retention-pruner';
import { callback, inboundMessages, orderEvent } from '../../e2e/inbound-kit';
import { ActivateOpenApiDocument } from '../../__generated__/graphql';
import { createOrder, createRule, createSystem, submitOrder } from '../../graphql/factories';
import { startTestApp, type TestApp } from '../../support/app';

const TOKEN = 'retention-inbound-token-retention';

describe('RETENTION_DAYS', () => {
  it('is off unless set, and a value that is not a whole number of days is a start error naming it', () => {
    const base = { JWT_SECRET: 'x'.repeat(16) };
    expect(loadConfig(base).retentionDays).toBeNull();
    expect(loadConfig({ ...base, RETENTION_DAYS: '30' }).retentionDays).toBe(30);
    for (const bad of ['1.5', 'thirty', '0', '-3', '30d']) {
      expect(() => loadConfig({ ...base, RETENTION_DAYS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, RETENTION_DAYS: bad })).toThrow(
        `RETENTION_DAYS must be a whole number from 1 to 36500 (got "${bad}")`,
      );
    }
  });
});

describe('the retention pruner', () => {
  let app: TestApp;
  let systemId: string;
  const query = <T>(sql: string, params: unknown[] = []) => app.db.dataSource.query<T>(sql, params);

  beforeAll(async () => {
    app = await startTestApp({ env: { DISPATCH_ENABLED: 'false' } });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    systemId = (await createSystem(app, { inboundToken: TOKEN })).id;
    await createRule(app, systemId);
  });
  afterAll(() => app?.close());

  /** An order submitted, its CREATE delivered as `SO-<number>` (the dispatcher is off: the test plays its part). */
  async function deliveredOrder() {
    const order = await createOrder(app);
    const [request] = (await submitOrder(app, order.id)).outboundRequests;
    await query(`UPDATE outbound_request SET state = 'DELIVERED', delivered_at = now(), external_id = $2 WHERE id = $1`, [
      request.id,
      `SO-${order.number}`,
    ]);
    await query(`UPDATE domain_order SET external_id = $2 WHERE id = $1`, [order.id, `SO-${order.number}`]);
    return { order, request };
  }

  /** The system reports the order's state through its listener: a stored message linked to the order. */
  async function report(order: { number: string }, state: 'inProgress' | 'completed') {
    const event = orderEvent('ServiceOrderStateChangeEvent', {
      id: `SO-${order.number}`,
      state,
      serviceOrderItem: [{ id: order.number, state }],
    });
    const res = await callback(app, `${systemId}/listener/serviceOrderStateChangeEvent`, event, { token: TOKEN });
    expect([res.status, res.body?.outcome]).toEqual([201, 'APPLIED']);
  }

  const age = (table: string, column: string, ids: string[], days: number) =>
    query(`UPDATE ${table} SET ${column} = ${column} - make_interval(days => $2) WHERE id = ANY($1::uuid[])`, [ids, days]);

  it('deletes delivered requests and messages older than the retention whose records are final, and nothing else', async () => {
    const done = await deliveredOrder(); // fulfilled, delivered 40 days ago: goes, with its messages
    await report(done.order, 'inProgress');
    await report(done.order, 'completed');
    const recent = await deliveredOrder(); // fulfilled, delivered today: stays
    await report(recent.order, 'completed');
    const going = await deliveredOrder(); // delivered 40 days ago, still in progress: stays, and its message
    await report(going.order, 'inProgress');
    const queuedOrder = await createOrder(app); // queued 40 days ago, never delivered: stays
    const [queued] = (await submitOrder(app, queuedOrder.id)).outboundRequests;

    const messagesOf = async (recordId: string) => (await inboundMessages(app, { recordId })).edges.map((e) => e.node.id);
    const doneMessages = await messagesOf(done.order.id);
    const goingMessages = await messagesOf(going.order.id);
    const recentMessages = await messagesOf(recent.order.id);
    expect([doneMessages.length, goingMessages.length, recentMessages.length]).toEqual([2, 1, 1]);

    const old = [done.request.id, going.request.id, queued.id];
    await age('outbound_request', 'created_at', old, 40);
    await age('outbound_request', 'delivered_at', old, 40);
    await age('inbound_message', 'received_at', [...doneMessages, ...goingMessages], 40);

    // Two rows walked per statement: the sweep goes through several batches.
    const pruner = new RetentionPruner(app.db.dataSource, { days: 30, intervalMs: 60_000, batch: 2 }, pino({ level: 'silent' }));
    expect(await pruner.sweep()).toEqual({ outbound_request: 1, inbound_message: 2 });

    const left = await query<{ id: string }[]>(`SELECT id FROM outbound_request ORDER BY seq`);
    expect(left.map((r) => r.id)).toEqual([recent.request.id, going.request.id, queued.id]);
    expect(await query(`SELECT * FROM outbound_request_domain_order WHERE outbound_request_id = $1`, [done.request.id])).toEqual([]);
    expect(await messagesOf(done.order.id)).toEqual([]);
    expect(await messagesOf(going.order.id)).toEqual(goingMessages);
    expect(await messagesOf(recent.order.id)).toEqual(recentMessages);
    // The order itself stays, fulfilled.
    const [order] = await query<{ fulfillment_state: string }[]>(`SELECT fulfillment_state FROM domain_order WHERE id = $1`, [
      done.order.id,
    ]);
    expect(order.fulfillment_state).toBe('FULFILLED');

    // Nothing more is old enough: a second sweep deletes nothing.
    expect(await pruner.sweep()).toEqual({ outbound_request: 0, inbound_message: 0 });
  });
});
