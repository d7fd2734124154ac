import { randomUUID } from 'node:crypto';
import {
  CancelDomainOrderDocument,
  CreateDomainOrderDocument,
  DomainOrderDocument,
  ReviseDomainOrderDocument,
} from '../__generated__/graphql';
import { code, startTestApp, type TestApp } from '../support/app';
import { createOrder, createOrderTree, orderInput, prepareOrderFulfillment, submitOrder } from './factories';

describe('Domain order changes', () => {
  let app: TestApp;
  beforeAll(async () => {
    // No dispatcher: submitted orders stay PENDING, and nothing is sent anywhere.
    app = await startTestApp({ env: { DISPATCH_ENABLED: 'false' } });
  });
  afterAll(() => app.close());

  const get = async (id: string) => (await app.ok(DomainOrderDocument, { id })).domainOrder!;

  describe('revising', () => {
    it('replaces the characteristics, changes the name and bumps the version', async () => {
      const order = await createOrder(app, {
        characteristics: [
          { name: 'a', value: '1' },
          { name: 'b', value: '2' },
        ],
      });
      const { reviseDomainOrder: revised } = await app.ok(ReviseDomainOrderDocument, {
        id: order.id,
        input: { characteristics: [{ name: 'c', value: '3', valueType: 'int' }], name: 'renamed', expectedVersion: 1 },
      });
      const { children: _children, ...fields } = order;
      expect(revised).toEqual({
        ...fields,
        name: 'renamed',
        characteristics: [{ name: 'c', value: '3', valueType: 'int' }],
        version: 2,
        updatesAvailable: false, // never sent: nothing to share
        updatedAt: expect.any(String),
      });
      expect(Date.parse(revised.updatedAt)).toBeGreaterThanOrEqual(Date.parse(order.updatedAt));
      const again = (await app.ok(ReviseDomainOrderDocument, { id: order.id, input: { name: 'again' } })).reviseDomainOrder;
      expect(again).toMatchObject({ name: 'again', version: 3, characteristics: [{ name: 'c', value: '3', valueType: 'int' }] });
    });

    it('a stale expectedVersion is a CONFLICT and changes nothing', async () => {
      const order = await createOrder(app);
      await app.ok(ReviseDomainOrderDocument, { id: order.id, input: { name: 'first', expectedVersion: 1 } });
      const res = await app.gql(ReviseDomainOrderDocument, { id: order.id, input: { name: 'second', expectedVersion: 1 } });
      expect(code(res)).toBe('CONFLICT');
      expect(res.errors![0].message).toBe(
        `Domain order ${order.number} was changed by someone else (now version 2, you expected 1); reload it and try again`,
      );
      expect(await get(order.id)).toMatchObject({ name: 'first', version: 2 });
    });

    it('of two concurrent revisions with the same expectedVersion exactly one succeeds', async () => {
      const order = await createOrder(app);
      const [a, b] = await Promise.all(
        ['A', 'B'].map((who) =>
          app.gql(ReviseDomainOrderDocument, {
            id: order.id,
            input: { characteristics: [{ name: 'by', value: who }], expectedVersion: 1 },
          }),
        ),
      );
      const results = [a, b];
      const winners = results.filter((r) => !r.errors);
      const losers = results.filter((r) => r.errors);
      expect(winners).toHaveLength(1);
      expect(losers.map(code)).toEqual(['CONFLICT']);
      const stored = await get(order.id);
      expect(stored.version).toBe(2);
      expect(stored.characteristics).toEqual(winners[0].data!.reviseDomainOrder.characteristics);
    });

    it('a submitted order gets updatesAvailable when revised', async () => {
      await prepareOrderFulfillment(app);
      const order = await createOrder(app);
      await submitOrder(app, order.id);
      const revised = (await app.ok(ReviseDomainOrderDocument, { id: order.id, input: { name: 'changed after sending' } }))
        .reviseDomainOrder;
      expect(revised).toMatchObject({ updatesAvailable: true, fulfillmentState: 'PENDING', version: 2 });
    });

    it('refuses an order at its point of no return (POINT_OF_NO_RETURN)', async () => {
      const order = await createOrder(app, { pointOfNoReturn: true });
      expect(order.pointOfNoReturn).toBe(true);
      const res = await app.gql(ReviseDomainOrderDocument, { id: order.id, input: { name: 'too late' } });
      expect(code(res)).toBe('POINT_OF_NO_RETURN');
      expect(res.errors![0].message).toContain(order.number);
      expect((await get(order.id)).version).toBe(1);
    });

    it('refuses unknown ids (NOT_FOUND), bad characteristics (BAD_USER_INPUT) and canceled orders (CONFLICT)', async () => {
      const unknown = await app.gql(ReviseDomainOrderDocument, { id: randomUUID(), input: { name: 'x' } });
      expect(code(unknown)).toBe('NOT_FOUND');
      expect(unknown.errors![0].extensions!.field).toBe('id');

      const order = await createOrder(app);
      const dup = await app.gql(ReviseDomainOrderDocument, {
        id: order.id,
        input: {
          characteristics: [
            { name: 'x', value: '1' },
            { name: 'x', value: '2' },
          ],
        },
      });
      expect(code(dup)).toBe('BAD_USER_INPUT');
      expect(dup.errors![0].extensions!.field).toBe('input.characteristics[1].name');

      await app.ok(CancelDomainOrderDocument, { id: order.id });
      const canceled = await app.gql(ReviseDomainOrderDocument, { id: order.id, input: { name: 'x' } });
      expect(code(canceled)).toBe('CONFLICT');
      expect(canceled.errors![0].message).toContain('canceled');
    });
  });

  describe('cancelling', () => {
    it('cancels the order and every descendant, each with version + 1', async () => {
      const root = await createOrderTree(app, 2, 2);
      await app.ok(ReviseDomainOrderDocument, { id: root.children[0].children[0].id, input: { name: 'revised once' } });
      const before = new Map<string, number>();
      const all = [root.id, ...root.children.flatMap((c) => [c.id, ...c.children.map((g) => g.id)])];
      for (const id of all) before.set(id, (await get(id)).version);

      const { cancelDomainOrder: canceled } = await app.ok(CancelDomainOrderDocument, { id: root.id, reason: 'customer withdrew' });
      expect(canceled).toMatchObject({
        id: root.id,
        state: 'CANCELED',
        fulfillmentState: 'CANCELED',
        version: 2,
        canRequestFulfillment: false,
      });
      expect(canceled.children).toEqual(
        root.children.map((c) => ({ id: c.id, state: 'CANCELED', fulfillmentState: 'CANCELED', version: 2 })),
      );
      for (const id of all) {
        const order = await get(id);
        expect([order.state, order.fulfillmentState, order.version]).toEqual(['CANCELED', 'CANCELED', before.get(id)! + 1]);
      }
    });

    it('cancelling a subtree leaves its parent and siblings alone', async () => {
      const root = await createOrderTree(app, 2, 2);
      await app.ok(CancelDomainOrderDocument, { id: root.children[1].id });
      expect(await get(root.id)).toMatchObject({ state: 'DRAFT', fulfillmentState: 'NOT_REQUESTED', version: 1 });
      const sibling = await get(root.children[0].id);
      expect(sibling).toMatchObject({ state: 'DRAFT', version: 1 });
      expect(sibling.children.map((g) => g.state)).toEqual(['DRAFT', 'DRAFT']);
      const canceled = await get(root.children[1].id);
      expect(canceled.children.map((g) => [g.state, g.fulfillmentState, g.version])).toEqual([
        ['CANCELED', 'CANCELED', 2],
        ['CANCELED', 'CANCELED', 2],
      ]);
      // The root can still be cancelled; the canceled subtree is not bumped again.
      await app.ok(CancelDomainOrderDocument, { id: root.id });
      expect((await get(root.children[1].id)).version).toBe(2);
      expect((await get(root.children[0].id)).version).toBe(2);
    });

    it('cancelling again is a CONFLICT', async () => {
      const order = await createOrder(app);
      await app.ok(CancelDomainOrderDocument, { id: order.id });
      const res = await app.gql(CancelDomainOrderDocument, { id: order.id });
      expect(code(res)).toBe('CONFLICT');
      expect(res.errors![0].message).toBe(`Domain order ${order.number} is already canceled`);
      expect((await get(order.id)).version).toBe(2);
    });

    it('of two concurrent cancellations exactly one succeeds; the order is cancelled once', async () => {
      const root = await createOrderTree(app, 1, 2);
      const results = await Promise.all([1, 2].map(() => app.gql(CancelDomainOrderDocument, { id: root.id })));
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      expect(results.filter((r) => r.errors).map(code)).toEqual(['CONFLICT']);
      for (const id of [root.id, ...root.children.map((c) => c.id)]) {
        expect(await get(id)).toMatchObject({ state: 'CANCELED', version: 2 });
      }
    });

    it('a canceled order cannot get children', async () => {
      const order = await createOrder(app);
      await app.ok(CancelDomainOrderDocument, { id: order.id });
      const res = await app.gql(CreateDomainOrderDocument, { input: orderInput({ parentId: order.id }) });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe('input.parentId');
      expect((await get(order.id)).children).toEqual([]);
    });

    it('a hierarchy with an order at its point of no return is not cancelled at all', async () => {
      const root = (
        await app.ok(CreateDomainOrderDocument, { input: orderInput({ children: [orderInput(), orderInput({ pointOfNoReturn: true })] }) })
      ).createDomainOrder;
      const res = await app.gql(CancelDomainOrderDocument, { id: root.id });
      expect(code(res)).toBe('POINT_OF_NO_RETURN');
      expect(res.errors![0].message).toContain(root.children[1].number);
      for (const id of [root.id, ...root.children.map((c) => c.id)]) expect((await get(id)).state).toBe('DRAFT');
    });

    it('an unknown id is NOT_FOUND', async () => {
      const res = await app.gql(CancelDomainOrderDocument, { id: randomUUID() });
      expect(code(res)).toBe('NOT_FOUND');
      expect(res.errors![0].extensions!.field).toBe('id');
    });
  });
});
