import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  ConsolePageDocument,
  CreateDomainOrderDocument,
  DomainOrderNumbersDocument,
  ResolveFalloutDocument,
  type ConsolePageQuery,
  type DomainOrderNumbersQuery,
} from '../__generated__/graphql';
import { DomainOrderEntity } from '../../src/entities/domain-order.entity';
import { ErrorCategory } from '../../src/entities/enums';
import { FalloutEntity } from '../../src/entities/fallout.entity';
import { OutboundRequestEntity } from '../../src/entities/outbound-request.entity';
import { Role } from '../../src/services/auth/roles';
import { RequestContext } from '../../src/services/context/request-context';
import { DOMAIN_ORDERS } from '../../src/services/records/record-kinds';
import { recordLoader } from '../../src/services/records/record-loaders';
import { startTestApp, type TestApp } from '../support/app';
import { StatementLog } from '../support/statement-log';
import { orderTreeInput, prepareOrderFulfillment, submitOrder } from './factories';

/**
 * The operator console's page (bench "nested read"): root orders with their children, every order's
 * outbound requests, the open fallouts with their request and orders, both totalCounts. It is read in
 * at most 5 statements, and reads what the tables hold: compared here with the rows read by hand.
 */
describe('the console page', () => {
  let app: TestApp;
  const log = new StatementLog();
  const ROOTS = 12;

  beforeAll(async () => {
    // No dispatcher: nothing but the measured query talks to the database.
    app = await startTestApp({ sqlLogger: log, env: { DISPATCH_ENABLED: 'false' } });
    await prepareOrderFulfillment(app);
    const { services } = app.runtime;
    const ctx = new RequestContext(services.dataSource, { id: 'test', roles: [Role.ADMIN] });
    for (let i = 0; i < ROOTS; i++) {
      const root = (await app.ok(CreateDomainOrderDocument, { input: orderTreeInput(1, 2) })).createDomainOrder;
      const [request] = (await submitOrder(app, root.id)).outboundRequests;
      if (i % 3 !== 0) continue;
      // Every third tree has a fallout: about the root, and from the second on about its first child too.
      const children = await app.db.dataSource.query<{ id: string }[]>('SELECT id FROM domain_order WHERE parent_id = $1 ORDER BY seq', [
        root.id,
      ]);
      await ctx.transaction(async () => {
        const row = (await services.outboundRequests.get(ctx, request.id))!;
        await services.fallouts.open(ctx, {
          request: row,
          kind: DOMAIN_ORDERS,
          recordIds: i === 0 ? [root.id] : [children[0].id, root.id],
          category: ErrorCategory.REMOTE_BUSINESS,
          message: `The peer refused ${root.number}`,
        });
      });
    }
  }, 120_000);
  afterAll(() => app.close());

  const cursor = (seq: string | number) => Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');

  /** The page as the tables hold it, read with plain SQL (newest roots and fallouts first, the rest oldest first). */
  async function byHand(first: number): Promise<ConsolePageQuery> {
    const q = <T>(sql: string, params: unknown[] = []) => app.db.dataSource.query<T[]>(sql, params);
    const requestsOf = async (orderId: string) =>
      q<{ id: string; number: string; state: string }>(
        `SELECT r.id, r.number, r.state FROM outbound_request_domain_order l JOIN outbound_request r ON r.id = l.outbound_request_id
          WHERE l.domain_order_id = $1 ORDER BY r.seq`,
        [orderId],
      ).then((rows) => rows.map((r) => ({ ...r })));
    const order = async (o: { id: string; number: string; fulfillment_state: string }) => ({
      id: o.id,
      number: o.number,
      fulfillmentState: o.fulfillment_state,
      outboundRequests: await requestsOf(o.id),
    });
    type OrderRow = { id: string; number: string; fulfillment_state: string; seq: string };
    const roots = await q<OrderRow>(
      'SELECT id, number, fulfillment_state, seq FROM domain_order WHERE parent_id IS NULL ORDER BY seq DESC',
    );
    const rootEdges = [];
    for (const root of roots.slice(0, first)) {
      const children = await q<OrderRow>('SELECT id, number, fulfillment_state, seq FROM domain_order WHERE parent_id = $1 ORDER BY seq', [
        root.id,
      ]);
      const node = { ...(await order(root)), children: await Promise.all(children.map(order)) };
      rootEdges.push({ cursor: cursor(root.seq), node });
    }
    type FalloutRow = { id: string; category: string; message: string; seq: string; request_id: string; request_number: string };
    const fallouts = await q<FalloutRow>(
      `SELECT f.id, f.category, f.message, f.seq, r.id AS request_id, r.number AS request_number
         FROM fallout f JOIN outbound_request r ON r.id = f.outbound_request_id WHERE f.status = 'OPEN' ORDER BY f.seq DESC`,
    );
    const falloutEdges = [];
    for (const f of fallouts.slice(0, first)) {
      const orders = await q<{ id: string; number: string }>(
        `SELECT o.id, o.number FROM fallout_domain_order l JOIN domain_order o ON o.id = l.domain_order_id WHERE l.fallout_id = $1 ORDER BY o.seq`,
        [f.id],
      );
      const node = { id: f.id, category: f.category, message: f.message, outboundRequest: { id: f.request_id, number: f.request_number } };
      falloutEdges.push({ cursor: cursor(f.seq), node: { ...node, domainOrders: orders.map((o) => ({ ...o })) } });
    }
    const pageInfo = <E extends { cursor: string }>(edges: E[], total: number) => ({
      hasNextPage: total > edges.length,
      endCursor: edges.length ? edges[edges.length - 1].cursor : null,
    });
    return {
      domainOrders: { totalCount: roots.length, pageInfo: pageInfo(rootEdges, roots.length), edges: rootEdges },
      fallouts: { totalCount: fallouts.length, pageInfo: pageInfo(falloutEdges, fallouts.length), edges: falloutEdges },
    } as ConsolePageQuery;
  }

  async function read<R, V>(doc: TypedDocumentNode<R, V>, variables: V) {
    log.statements = [];
    const data = await app.ok(doc, variables);
    return { data, statements: [...log.statements] };
  }

  it('is read in at most 5 statements: each page with its count, one statement per table and level below', async () => {
    const { data, statements } = await read(ConsolePageDocument, { first: 100, filter: { rootsOnly: true }, status: 'OPEN' });
    expect(data.domainOrders.edges).toHaveLength(ROOTS);
    expect(data.fallouts.edges).toHaveLength(ROOTS / 3);
    expect(statements.length).toBeLessThanOrEqual(5);
  });

  it('holds what the tables hold: order, children, outbound requests, fallouts, cursors and totals', async () => {
    const { data } = await read(ConsolePageDocument, { first: 100, filter: { rootsOnly: true }, status: 'OPEN' });
    expect(data).toEqual(await byHand(100));
    // Each tree's one hierarchical request carries its children too.
    for (const { node } of data.domainOrders.edges) {
      expect(node.outboundRequests).toHaveLength(1);
      expect(node.children.map((c) => c.outboundRequests)).toEqual([node.outboundRequests, node.outboundRequests]);
    }
    // The newest fallout is the tenth tree's (the third newest root), about its first child and itself: oldest first.
    const tenth = data.domainOrders.edges[2].node;
    expect(data.fallouts.edges[0].node.domainOrders.map((o) => o.number)).toEqual([tenth.number, tenth.children[0].number]);
    expect(data.fallouts.edges[0].node.outboundRequest).toEqual({
      id: tenth.outboundRequests[0].id,
      number: tenth.outboundRequests[0].number,
    });
  });

  it('reads the columns it shows: none of the JSON the records and requests carry', async () => {
    const { statements } = await read(ConsolePageDocument, { first: 100, filter: { rootsOnly: true }, status: 'OPEN' });
    const sql = statements.join('\n');
    for (const column of ['characteristics', 'service_specification', 'milestones', 'payload', 'response_body', 'error'])
      expect(sql).not.toMatch(new RegExp(`\\b${column}\\b`));
    expect(sql).toMatch(/\bfulfillment_state\b/);
  });

  it("builds the entities of its pages and nested lists as TypeORM reads them, every column's value included", async () => {
    const { services } = app.runtime;
    const m = app.db.dataSource.manager;
    const ctx = new RequestContext(services.dataSource, { id: 'test', roles: [Role.ADMIN] });
    const orders = await m.find(DomainOrderEntity, { order: { seq: 'DESC' } });
    const requests = await m.find(OutboundRequestEntity, { order: { seq: 'DESC' } });
    const fallouts = await m.find(FalloutEntity, { order: { seq: 'DESC' } });
    // Pages (the first read of each row in the request), then rows reached through the loaders alone.
    expect((await services.domainOrders.list(ctx, { first: 500, withTotal: true })).edges.map((e) => e.node)).toStrictEqual(orders);
    expect((await services.fallouts.list(ctx, { first: 500 })).edges.map((e) => e.node)).toStrictEqual(fallouts);
    const fresh = new RequestContext(services.dataSource, { id: 'test', roles: [Role.ADMIN] });
    expect(await Promise.all(requests.map((r) => fresh.loaders.outboundRequest.load(r.id)))).toStrictEqual(requests);
    expect(await Promise.all(orders.map((o) => recordLoader(fresh, DOMAIN_ORDERS).load(o.id)))).toStrictEqual(orders);
  });

  it('pages by cursor, with the exact total of the filtered list on every page, after the last one too', async () => {
    const filter = { rootsOnly: true };
    const all = (await byHand(100)).domainOrders.edges.map((e) => e.node.number);
    const pages: string[][] = [];
    let after: string | null = null;
    for (;;) {
      const { data, statements }: { data: DomainOrderNumbersQuery; statements: string[] } = await read(DomainOrderNumbersDocument, {
        first: 5,
        after,
        filter,
      });
      expect(data.domainOrders.totalCount).toBe(ROOTS);
      if (!data.domainOrders.edges.length) break;
      // The count rides in the page's own statement.
      expect(statements).toHaveLength(1);
      pages.push(data.domainOrders.edges.map((e) => e.node.number));
      expect(data.domainOrders.pageInfo.hasNextPage).toBe(pages.flat().length < ROOTS);
      after = data.domainOrders.pageInfo.endCursor ?? null;
    }
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    expect(pages.flat()).toEqual(all);
  });

  it('counts under each filter, and not at all when totalCount is not asked for', async () => {
    const total = async (filter: object) => (await read(DomainOrderNumbersDocument, { first: 1, filter })).data.domainOrders.totalCount;
    expect(await total({})).toBe(ROOTS * 3);
    expect(await total({ rootsOnly: true })).toBe(ROOTS);
    const root = (await byHand(1)).domainOrders.edges[0].node;
    expect(await total({ parentId: root.id })).toBe(2);

    const uncounted = await read(DomainOrderNumbersDocument, { first: 3, filter: { rootsOnly: true }, noCount: true });
    expect(uncounted.data.domainOrders).not.toHaveProperty('totalCount');
    expect(uncounted.data.domainOrders.edges).toHaveLength(3);
    expect(uncounted.statements).toHaveLength(1);
    expect(uncounted.statements[0]).not.toMatch(/count/i);
  });

  it('counts the open fallouts exactly once one is resolved', async () => {
    const before = (await read(ConsolePageDocument, { first: 100, filter: { rootsOnly: true }, status: 'OPEN' })).data;
    const resolved = before.fallouts.edges[1].node.id;
    await app.ok(ResolveFalloutDocument, { id: resolved, resolution: 'Sent again by hand' });
    const { data, statements } = await read(ConsolePageDocument, { first: 100, filter: { rootsOnly: true }, status: 'OPEN' });
    expect(data.fallouts.totalCount).toBe(ROOTS / 3 - 1);
    expect(data.fallouts.edges.map((e) => e.node.id)).not.toContain(resolved);
    expect(data).toEqual(await byHand(100));
    expect(statements.length).toBeLessThanOrEqual(5);
  });
});
