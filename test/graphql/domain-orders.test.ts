import { randomUUID } from 'node:crypto';
import {
  CancelDomainOrderDocument,
  CreateDomainOrderDocument,
  DomainOrderChainDocument,
  DomainOrderChildrenDocument,
  DomainOrderDocument,
  DomainOrderIdsDocument,
  type DomainOrderFilter,
  type DomainOrderIdsQuery,
} from '../__generated__/graphql';
import { code, startTestApp, type TestApp } from '../support/app';
import {
  createOrder,
  createOrderTree,
  createRun,
  createSpec,
  orderInput,
  orderTreeInput,
  prepareOrderFulfillment,
  submitOrder,
} from './factories';

const NUMBER = /^DO\d{7}$/;

describe('Domain orders', () => {
  let app: TestApp;
  beforeAll(async () => {
    // No dispatcher: submitted orders stay PENDING, and nothing is sent anywhere.
    app = await startTestApp({ env: { DISPATCH_ENABLED: 'false' } });
  });
  afterAll(() => app.close());

  const get = async (id: string) => (await app.ok(DomainOrderDocument, { id })).domainOrder!;

  /** Every node of a list, walking all pages with `first`. */
  async function walk(filter: DomainOrderFilter | null, first: number) {
    const pages: { ids: string[]; hasNextPage: boolean; totalCount: number }[] = [];
    let after: string | null = null;
    for (let i = 0; i < 1000; i++) {
      const conn: DomainOrderIdsQuery['domainOrders'] = (await app.ok(DomainOrderIdsDocument, { first, after, filter })).domainOrders;
      pages.push({ ids: conn.edges.map((e) => e.node.id), hasNextPage: conn.pageInfo.hasNextPage, totalCount: conn.totalCount });
      if (conn.edges.length) expect(conn.pageInfo.endCursor).toBe(conn.edges[conn.edges.length - 1].cursor);
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    return pages;
  }

  describe('creating', () => {
    it('creates a whole tree in one call: numbers, links and defaults', async () => {
      const root = await createOrderTree(app, 2, 3);
      expect(root).toMatchObject({
        name: 'root',
        action: 'ADD',
        category: 'CFS',
        domain: 'FIXED',
        serviceSpecification: { id: 'spec-internet', name: 'Internet Access', version: '1.0' },
        serviceId: null,
        characteristics: [{ name: 'bandwidth', value: '100M', valueType: null }],
        state: 'DRAFT',
        version: 1,
        pointOfNoReturn: false,
        updatesAvailable: false,
        fulfillmentState: 'NOT_REQUESTED',
        externalState: null,
        externalId: null,
        canRequestFulfillment: true,
      });
      expect(Date.parse(root.createdAt)).toBeGreaterThan(Date.now() - 60_000);
      const numbers = [root.number, ...root.children.flatMap((c) => [c.number, ...c.children.map((g) => g.number)])];
      expect(numbers).toHaveLength(13);
      for (const n of numbers) expect(n).toMatch(NUMBER);
      expect(new Set(numbers).size).toBe(13);

      const stored = await get(root.id);
      expect(stored.parent).toBeNull();
      expect(stored.children.map((c) => c.name)).toEqual(['root.0', 'root.1', 'root.2']);
      expect(stored.children[1].children.map((g) => g.number)).toEqual(root.children[1].children.map((g) => g.number));
      const middle = await get(root.children[1].id);
      expect(middle.parent).toEqual({ id: root.id, number: root.number });
      expect(middle.children.map((g) => g.name)).toEqual(['root.1.0', 'root.1.1', 'root.1.2']);
      const leaf = await get(root.children[1].children[2].id);
      expect(leaf.parent).toEqual({ id: middle.id, number: middle.number });
      expect(leaf.children).toEqual([]);
    });

    it('creates a chain six levels deep, each level the parent of the next', async () => {
      const root = await createOrderTree(app, 6, 1);
      const chain = (await app.ok(DomainOrderChainDocument, { id: root.id })).domainOrder!;
      interface Level {
        id: string;
        number: string;
        parent?: { id: string } | null;
        children?: Level[];
      }
      const levels: Level[] = [];
      let node: Level | undefined = chain;
      while (node) {
        levels.push(node);
        expect(node.children?.length ?? 0).toBeLessThanOrEqual(1);
        node = node.children?.[0];
      }
      expect(levels).toHaveLength(7);
      expect(levels[0].parent).toBeNull();
      for (let i = 1; i < levels.length; i++) expect(levels[i].parent).toEqual({ id: levels[i - 1].id });
      const deepest = await get(levels[6].id);
      expect(deepest.name).toBe('root.0.0.0.0.0.0');
      expect(deepest.children).toEqual([]);
    });

    it('creates 1,000 children in one call and returns them all in creation order', async () => {
      const input = orderInput({ name: 'wide', children: Array.from({ length: 1000 }, (_, i) => orderInput({ name: `child ${i}` })) });
      const root = (await app.ok(CreateDomainOrderDocument, { input })).createDomainOrder;
      expect(root.children).toHaveLength(1000);
      const listed = (await app.ok(DomainOrderChildrenDocument, { id: root.id })).domainOrder!.children;
      expect(listed.map((c) => c.name)).toEqual(Array.from({ length: 1000 }, (_, i) => `child ${i}`));
      expect(listed.map((c) => c.id)).toEqual(root.children.map((c) => c.id));
      expect(listed.every((c) => c.parent?.id === root.id)).toBe(true);
      const numbers = listed.map((c) => c.number);
      expect(new Set(numbers).size).toBe(1000);
      expect(numbers.every((n) => NUMBER.test(n) && n > root.number)).toBe(true);
      const byParent = (await app.ok(DomainOrderIdsDocument, { first: 1, filter: { parentId: root.id } })).domainOrders;
      expect(byParent.totalCount).toBe(1000);
    });

    it('attaches a new order (and its subtree) under an existing one with parentId', async () => {
      const root = await createOrderTree(app, 1, 2);
      const attached = await createOrder(app, {
        name: 'attached',
        parentId: root.children[0].id,
        children: [orderInput({ name: 'attached.0' })],
      });
      expect(attached.children.map((c) => c.number)).toHaveLength(1);
      const parent = await get(root.children[0].id);
      expect(parent.children.map((c) => c.id)).toEqual([attached.id]);
      const stored = await get(attached.id);
      expect(stored.parent).toEqual({ id: root.children[0].id, number: root.children[0].number });
      // The attached subtree belongs to the root's hierarchy: cancelling the root reaches it.
      await app.ok(CancelDomainOrderDocument, { id: root.id });
      expect((await get(attached.children[0].id)).state).toBe('CANCELED');
    });

    describe('refuses', () => {
      it('a parentId that is a test run (BAD_USER_INPUT on input.parentId)', async () => {
        const spec = await createSpec(app);
        const run = await createRun(app, spec.id);
        const res = await app.gql(CreateDomainOrderDocument, { input: orderInput({ parentId: run.id }) });
        expect(code(res)).toBe('BAD_USER_INPUT');
        expect(res.errors![0].extensions!.field).toBe('input.parentId');
        expect(res.errors![0].message).toContain('is a test run');
      });

      it.each([randomUUID(), 'DO0001001'])('an unknown parentId %s (NOT_FOUND on input.parentId)', async (parentId) => {
        const res = await app.gql(CreateDomainOrderDocument, { input: orderInput({ parentId }) });
        expect(code(res)).toBe('NOT_FOUND');
        expect(res.errors![0].extensions!.field).toBe('input.parentId');
        expect(res.errors![0].message).toContain(parentId);
      });

      const refusals: [string, () => Parameters<typeof orderInput>[0], string][] = [
        [
          'a nested child with a parentId of its own',
          () => ({ children: [orderInput({ parentId: randomUUID() })] }),
          'input.children[0].parentId',
        ],
        ['MODIFY without serviceId', () => ({ action: 'MODIFY' }), 'input.serviceId'],
        ['DELETE with a blank serviceId', () => ({ action: 'DELETE', serviceId: '  ' }), 'input.serviceId'],
        [
          'a nested MODIFY without serviceId',
          () => ({ children: [orderInput(), orderInput({ children: [orderInput({ action: 'MODIFY' })] })] }),
          'input.children[1].children[0].serviceId',
        ],
        ['an empty specification id', () => ({ serviceSpecification: { id: '', name: 'Internet' } }), 'input.serviceSpecification.id'],
        [
          'two characteristics with the same name',
          () => ({
            characteristics: [
              { name: 'vlan', value: '1' },
              { name: 'speed', value: '2' },
              { name: 'vlan', value: '3' },
            ],
          }),
          'input.characteristics[2].name',
        ],
        ['a characteristic without a name', () => ({ characteristics: [{ name: ' ', value: '1' }] }), 'input.characteristics[0].name'],
      ];

      it.each(refusals)('%s (BAD_USER_INPUT naming the field), storing nothing of the tree', async (_what, overrides, field) => {
        const before = (await app.ok(DomainOrderIdsDocument, { first: 0 })).domainOrders.totalCount;
        const res = await app.gql(CreateDomainOrderDocument, { input: orderInput({ children: [orderInput()], ...overrides() }) });
        expect(code(res)).toBe('BAD_USER_INPUT');
        expect(res.errors![0].extensions!.field).toBe(field);
        expect(res.errors![0].message).toContain(field);
        expect((await app.ok(DomainOrderIdsDocument, { first: 0 })).domainOrders.totalCount).toBe(before);
      });
    });

    it('keeps characteristics with special characters exactly as sent', async () => {
      const characteristics = [
        { name: 'quote"and\'apostrophe', value: 'it\'s "quoted"', valueType: 'string' },
        { name: 'back\\slash', value: 'C:\\path\\to\\file', valueType: null },
        { name: 'unicode ünïcödé 漢字', value: 'Grüße 👋🏽 — ∑', valueType: null },
        { name: 'sql', value: "'; DROP TABLE domain_order; --", valueType: null },
        { name: 'html', value: '<script>alert(1)</script>&amp;', valueType: null },
        { name: 'json', value: '{"a":[1,2,{"b":null}]}', valueType: 'json' },
        { name: 'whitespace', value: '  leading and trailing\n\tnew line and tab  ', valueType: null },
        { name: 'empty', value: '', valueType: null },
        { name: 'dotted.name.with.dots', value: '$1 ${x} %s %d', valueType: null },
      ];
      const created = await createOrder(app, { characteristics });
      expect(created.characteristics).toEqual(characteristics);
      expect((await get(created.id)).characteristics).toEqual(characteristics);
    });

    it.each([
      ['a characteristic value', { characteristics: [{ name: 'nul', value: 'a\u0000b' }] }, 'input.characteristics[0].value'],
      ['a name', { name: 'a\u0000b' }, 'input.name'],
    ])('a NUL character in %s is BAD_USER_INPUT naming the field, not an internal error', async (_what, overrides, field) => {
      // PostgreSQL cannot store U+0000 in text or jsonb; GraphQL strings may carry it.
      const res = await app.gql(CreateDomainOrderDocument, { input: orderInput(overrides) });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe(field);
    });
  });

  describe('listing', () => {
    it('walks all records once with first/after, newest first, with hasNextPage and totalCount', async () => {
      const root = await createOrderTree(app, 1, 7);
      const pages = await walk({ parentId: root.id }, 3);
      expect(pages.map((p) => p.ids.length)).toEqual([3, 3, 1]);
      expect(pages.map((p) => p.hasNextPage)).toEqual([true, true, false]);
      expect(pages.every((p) => p.totalCount === 7)).toBe(true);
      const ids = pages.flatMap((p) => p.ids);
      expect(ids).toEqual(root.children.map((c) => c.id).reverse());

      // Exactly the page size: the last full page says there is nothing more.
      const exact = await walk({ parentId: root.id }, 7);
      expect(exact.map((p) => [p.ids.length, p.hasNextPage])).toEqual([[7, false]]);
    });

    it('walks the whole unfiltered list once, whatever the page size', async () => {
      const all = await walk(null, 500);
      const ids = all.flatMap((p) => p.ids);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(all[0].totalCount);
      const small = (await walk(null, 97)).flatMap((p) => p.ids);
      expect(small).toEqual(ids);
    });

    it('a record created while paging does not shift later pages', async () => {
      const root = await createOrderTree(app, 1, 4);
      const first = (await app.ok(DomainOrderIdsDocument, { first: 2, filter: { parentId: root.id } })).domainOrders;
      await createOrder(app, { parentId: root.id, name: 'late' });
      const second = (await app.ok(DomainOrderIdsDocument, { first: 2, after: first.pageInfo.endCursor, filter: { parentId: root.id } }))
        .domainOrders;
      expect(second.totalCount).toBe(5);
      expect([...first.edges, ...second.edges].map((e) => e.node.id)).toEqual(root.children.map((c) => c.id).reverse());
      expect(second.pageInfo.hasNextPage).toBe(false);
    });

    it('filters by rootsOnly, parentId, fulfillmentState and state', async () => {
      await prepareOrderFulfillment(app);
      const submitted = await createOrderTree(app, 1, 2);
      await submitOrder(app, submitted.id);
      const canceled = await createOrderTree(app, 1, 1);
      await app.ok(CancelDomainOrderDocument, { id: canceled.id });

      const roots = (await walk({ rootsOnly: true }, 500)).flatMap((p) => p.ids);
      expect(roots).toEqual(expect.arrayContaining([submitted.id, canceled.id]));
      expect(roots).not.toContain(submitted.children[0].id);
      for (const id of roots.slice(0, 20)) expect((await get(id)).parent).toBeNull();

      const children = (await walk({ parentId: submitted.id }, 10)).flatMap((p) => p.ids);
      expect(children).toEqual([submitted.children[1].id, submitted.children[0].id]);

      const pending = await walk({ fulfillmentState: 'PENDING' }, 500);
      expect(pending.flatMap((p) => p.ids).sort()).toEqual([submitted.id, ...submitted.children.map((c) => c.id)].sort());
      expect(pending[0].totalCount).toBe(3);

      const canceledIds = (await walk({ state: 'CANCELED' }, 500)).flatMap((p) => p.ids);
      expect(canceledIds).toEqual(expect.arrayContaining([canceled.id, canceled.children[0].id]));
      for (const id of canceledIds) expect((await get(id)).state).toBe('CANCELED');
      const canceledFulfillment = (await walk({ fulfillmentState: 'CANCELED' }, 500)).flatMap((p) => p.ids);
      expect(canceledFulfillment.sort()).toEqual([...canceledIds].sort());

      const combined = (await walk({ state: 'DRAFT', fulfillmentState: 'PENDING', parentId: submitted.id }, 500)).flatMap((p) => p.ids);
      expect(combined.sort()).toEqual(submitted.children.map((c) => c.id).sort());
      const none = await walk({ state: 'CANCELED', fulfillmentState: 'PENDING' }, 500);
      expect(none).toEqual([{ ids: [], hasNextPage: false, totalCount: 0 }]);
    });

    it.each([
      [{ first: 501 }, 'first'],
      [{ first: -1 }, 'first'],
      [{ first: 10, after: 'garbage' }, 'after'],
      [{ first: 10, after: Buffer.from('seq:abc').toString('base64url') }, 'after'],
    ])('refuses %j with BAD_USER_INPUT naming %s', async (vars, field) => {
      const res = await app.gql(DomainOrderIdsDocument, vars);
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe(field);
    });

    it('accepts the largest page size, 500', async () => {
      const res = await app.gql(DomainOrderIdsDocument, { first: 500 });
      expect(res.errors).toBeUndefined();
      expect(res.data!.domainOrders.edges.length).toBe(Math.min(500, res.data!.domainOrders.totalCount));
    });
  });

  it('numbers grow in creation order (parents before their children)', async () => {
    const root = (await app.ok(CreateDomainOrderDocument, { input: orderTreeInput(1, 3) })).createDomainOrder;
    const numbers = [root.number, ...root.children.map((c) => c.number)];
    expect(numbers).toEqual([...numbers].sort());
  });
});
