import { CreateDomainOrderDocument, DomainOrdersWithRelationsDocument } from '../__generated__/graphql';
import { startTestApp, type TestApp } from '../support/app';
import { orderTreeInput, prepareOrderFulfillment, submitOrder } from './factories';
import { StatementLog } from '../support/statement-log';

describe('SQL statements per query', () => {
  let app: TestApp;
  let system: { id: string; name: string };
  const counter = new StatementLog();
  let roots = 0;

  beforeAll(async () => {
    // No dispatcher: nothing but the measured query talks to the database.
    app = await startTestApp({ sqlLogger: counter, env: { DISPATCH_ENABLED: 'false' } });
    system = await prepareOrderFulfillment(app);
  });
  afterAll(() => app.close());

  /** Root orders with 3 children each, every tree submitted, so each order has an outbound request. */
  async function growTo(n: number) {
    for (; roots < n; roots++) {
      const root = (await app.ok(CreateDomainOrderDocument, { input: orderTreeInput(1, 3) })).createDomainOrder;
      await submitOrder(app, root.id);
    }
  }

  async function measure(first: number) {
    counter.statements = [];
    const data = await app.ok(DomainOrdersWithRelationsDocument, { first, filter: { rootsOnly: true } });
    return { statements: [...counter.statements], connection: data.domainOrders };
  }

  it('is the same, and small, for 10 and for 100 root orders with children, parents and outbound requests', async () => {
    await growTo(10);
    const ten = await measure(10);
    await growTo(100);
    const hundred = await measure(100);

    for (const [n, { connection }] of [
      [10, ten],
      [100, hundred],
    ] as const) {
      expect(connection.totalCount).toBe(n === 10 ? 10 : 100);
      expect(connection.edges).toHaveLength(n);
      for (const { node } of connection.edges) {
        expect(node.parent).toBeNull();
        expect(node.children).toHaveLength(3);
        expect(node.outboundRequests).toEqual([
          {
            id: expect.any(String),
            number: expect.stringMatching(/^FO\d{7}$/),
            state: 'QUEUED',
            externalSystem: { id: system.id, name: system.name },
          },
        ]);
        for (const child of node.children) {
          expect(child.parent).toEqual({ id: node.id, number: node.number });
          // A hierarchical submission: one outbound request covers the whole tree.
          expect(child.outboundRequests).toEqual(node.outboundRequests);
        }
      }
    }

    expect(hundred.statements.length).toBe(ten.statements.length);
    expect(ten.statements.length).toBeLessThanOrEqual(8);
  });

  it('the counter sees every statement (the check above can fail)', async () => {
    // Ten separate single-order reads are ten statements: N+1 would show.
    counter.statements = [];
    const ids = (await measure(10)).connection.edges.map((e) => e.node.id);
    counter.statements = [];
    for (const id of ids) await app.db.dataSource.query('SELECT id FROM domain_order WHERE id = $1', [id]);
    expect(counter.statements).toHaveLength(10);
  });
});
