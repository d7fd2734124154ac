import { startSimulator, type Simulator } from '../../src/simulator';
import { call, orderBody, waitFor } from './simulator-test-kit';

const TERMINAL = ['completed', 'failed', 'partial', 'cancelled', 'rejected'];

describe('TMF641 service orders', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 2 });
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  const create = (body: unknown, headers: Record<string, string> = {}) => call(`${sim.serviceOrderingUrl}/serviceOrder`, { body, headers });
  const settled = (id: string) =>
    waitFor(() => TERMINAL.includes(sim.serviceOrder(id)?.state ?? '') && sim.serviceOrder(id), `order ${id} to end`);
  const itemStates = (order: any) => ({
    '1': order.serviceOrderItem[0].state,
    '2': order.serviceOrderItem[1].state,
    '2.1': order.serviceOrderItem[1].serviceOrderItem[0].state,
  });

  describe('validation', () => {
    it('accepts a valid order: 201 with id, absolute href from Host, acknowledged order and items at every depth', async () => {
      const body = orderBody({ externalId: 'SO-valid' });
      const res = await create(body);
      expect(res.status).toBe(201);
      expect(res.body.id).toEqual(expect.any(String));
      expect(res.body.href).toBe(`${sim.serviceOrderingUrl}/serviceOrder/${res.body.id}`);
      expect(res.headers.get('location')).toBe(res.body.href);
      expect(res.body).toMatchObject({ externalId: 'SO-valid', state: 'acknowledged', category: 'CFS', '@type': 'ServiceOrder' });
      expect(Date.parse(res.body.orderDate)).not.toBeNaN();
      expect(itemStates(res.body)).toEqual({ '1': 'acknowledged', '2': 'acknowledged', '2.1': 'acknowledged' });
    });

    it.each([
      ['serviceOrderItem is missing', '/serviceOrderItem', { externalId: 'X' }],
      [
        'an action is not an OrderItemActionType',
        '/serviceOrderItem/0/action',
        orderBody({ serviceOrderItem: [{ id: '1', action: 'upgrade', service: {} }] }),
      ],
      [
        'a nested item has no service',
        '/serviceOrderItem/0/serviceOrderItem/0/service',
        orderBody({ serviceOrderItem: [{ id: '1', action: 'add', service: {}, serviceOrderItem: [{ id: '1.1', action: 'add' }] }] }),
      ],
      ['a server-owned state is sent', '/state', orderBody({ state: 'completed' })],
      [
        'an item id repeats in the tree',
        '/serviceOrderItem/0/serviceOrderItem/0/id',
        orderBody({
          serviceOrderItem: [{ id: '1', action: 'add', service: {}, serviceOrderItem: [{ id: '1', action: 'add', service: {} }] }],
        }),
      ],
    ])('rejects an order where %s: 400 TMF Error naming %s', async (_, pointer, body) => {
      const res = await create(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'INVALID_REQUEST', reason: 'Bad Request', status: '400', '@type': 'Error' });
      expect(res.body.message).toContain(pointer);
      expect(sim.serviceOrders()).toEqual([]);
    });

    it('answers bad JSON with 400 and unknown ids with 404, as TMF Errors', async () => {
      const bad = await call(`${sim.serviceOrderingUrl}/serviceOrder`, { rawBody: '{"externalId": ' });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ code: 'INVALID_JSON', '@type': 'Error' });
      const missing = await call(`${sim.serviceOrderingUrl}/serviceOrder/nope`);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({
        code: 'NOT_FOUND',
        reason: 'Not Found',
        message: 'No serviceOrder with id nope',
        status: '404',
        '@type': 'Error',
      });
      const patch = await call(`${sim.serviceOrderingUrl}/serviceOrder/nope`, { method: 'PATCH', body: { description: 'x' } });
      expect(patch.status).toBe(404);
      const method = await call(`${sim.serviceOrderingUrl}/serviceOrder/x`, { method: 'PUT' });
      expect(method.status).toBe(405);
    });
  });

  describe('progression', () => {
    it('moves the order and every item, nested ones included, to completed', async () => {
      const { body } = await create(orderBody());
      const done = await settled(body.id);
      expect(done.state).toBe('completed');
      expect(itemStates(done)).toEqual({ '1': 'completed', '2': 'completed', '2.1': 'completed' });
      expect(done.startDate).toEqual(expect.any(String));
      expect(done.completionDate).toEqual(expect.any(String));
      const res = await call(`${sim.serviceOrderingUrl}/serviceOrder/${body.id}`);
      expect(res.status).toBe(200);
      expect(res.body.state).toBe('completed');
    });

    it('fails every item and the order when the scenario header says outcome=failed', async () => {
      const { body } = await create(orderBody(), { 'X-Simulator-Scenario': 'outcome=failed' });
      const order = await settled(body.id);
      expect(order.state).toBe('failed');
      expect(itemStates(order)).toEqual({ '1': 'failed', '2': 'failed', '2.1': 'failed' });
      expect(order.errorMessage).toEqual([expect.objectContaining({ code: 'ITEMS_FAILED', status: 'failed' })]);
    });

    it('ends partial when one named item fails, rolling the failure up to its parent item', async () => {
      const { body } = await create(orderBody(), { 'X-Simulator-Scenario': 'failItems=2.1' });
      const order = await settled(body.id);
      expect(order.state).toBe('partial');
      expect(itemStates(order)).toEqual({ '1': 'completed', '2': 'failed', '2.1': 'failed' });
      expect(order.serviceOrderItem[1].serviceOrderItem![0].errorMessage).toEqual([expect.objectContaining({ code: 'ITEM_FAILED' })]);
      expect((order.errorMessage as any[])[0].serviceOrderItem).toEqual([
        { id: '2', itemId: '2', serviceOrderId: order.id, serviceOrderHref: order.href },
        { id: '2.1', itemId: '2.1', serviceOrderId: order.id, serviceOrderHref: order.href },
      ]);
    });

    it('fails an item whose service carries the simulatorOutcome=failed characteristic', async () => {
      const body = orderBody();
      body.serviceOrderItem[0].service.serviceCharacteristic = [{ name: 'simulatorOutcome', value: 'failed' }];
      const { body: created } = await create(body);
      const order = await settled(created.id);
      expect(order.state).toBe('partial');
      expect(itemStates(order)).toEqual({ '1': 'failed', '2': 'completed', '2.1': 'completed' });
    });

    it('follows a scenario rule set for an externalId (rejected)', async () => {
      sim.setScenario({ externalId: 'SO-reject' }, { outcome: 'rejected' });
      const { body } = await create(orderBody({ externalId: 'SO-reject' }));
      const order = await settled(body.id);
      expect(order.state).toBe('rejected');
      expect(itemStates(order)).toEqual({ '1': 'rejected', '2': 'rejected', '2.1': 'rejected' });
    });

    it('stops a held order after its first item started and resumes it on PATCH state=inProgress', async () => {
      const { body } = await create(orderBody(), { 'X-Simulator-Scenario': 'outcome=held' });
      const held = await waitFor(() => sim.serviceOrder(body.id)?.state === 'held' && sim.serviceOrder(body.id), 'held');
      expect(itemStates(held)).toEqual({ '1': 'inProgress', '2': 'acknowledged', '2.1': 'acknowledged' });
      const res = await call(`${sim.serviceOrderingUrl}/serviceOrder/${body.id}`, { method: 'PATCH', body: { state: 'inProgress' } });
      expect(res.status).toBe(200);
      expect((await settled(body.id)).state).toBe('completed');
    });

    it('resumes a pending order on any PATCH (information received)', async () => {
      const { body } = await create(orderBody(), { 'X-Simulator-Scenario': 'outcome=pending' });
      await waitFor(() => sim.serviceOrder(body.id)?.state === 'pending', 'pending');
      await call(`${sim.serviceOrderingUrl}/serviceOrder/${body.id}`, {
        method: 'PATCH',
        body: { note: [{ text: 'site access code 1234' }] },
      });
      const order = await settled(body.id);
      expect(order.state).toBe('completed');
      expect(order.note).toEqual([{ text: 'site access code 1234' }]);
    });
  });

  describe('PATCH', () => {
    it('merges attributes and items by id, keeps item state server-owned, and adds new items', async () => {
      const { body } = await create(orderBody({ description: 'before', priority: '1' }), { 'X-Simulator-Scenario': 'outcome=held' });
      await waitFor(() => sim.serviceOrder(body.id)?.state === 'held', 'held');
      const res = await call(`${sim.serviceOrderingUrl}/serviceOrder/${body.id}`, {
        method: 'PATCH',
        body: {
          description: 'after',
          serviceOrderItem: [
            { id: '1', action: 'modify', state: 'completed', service: { id: 'svc-9' } },
            { id: '3', action: 'add', service: { serviceSpecification: { id: 'iptv' } } },
          ],
        },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ description: 'after', priority: '1', state: 'held' });
      expect(res.body.serviceOrderItem.map((i: any) => [i.id, i.action, i.state])).toEqual([
        ['1', 'modify', 'inProgress'],
        ['2', 'add', 'acknowledged'],
        ['3', 'add', 'acknowledged'],
      ]);
      expect(res.body.serviceOrderItem[0].service).toEqual({ id: 'svc-9', serviceSpecification: { id: 'internet' } });
      await call(`${sim.serviceOrderingUrl}/serviceOrder/${body.id}`, { method: 'PATCH', body: { state: 'inProgress' } });
      const order = await settled(body.id);
      expect(order.serviceOrderItem.map((i) => i.state)).toEqual(['completed', 'completed', 'completed']);
    });

    it('finds a nested item sent flat in the PATCH by its id, wherever it sits in the tree', async () => {
      const { body } = await create(orderBody(), { 'X-Simulator-Scenario': 'outcome=held' });
      await waitFor(() => sim.serviceOrder(body.id)?.state === 'held', 'held');
      const characteristic = [{ name: 'bandwidth', value: '1G' }];
      const res = await call(`${sim.serviceOrderingUrl}/serviceOrder/${body.id}`, {
        method: 'PATCH',
        body: { serviceOrderItem: [{ id: '2.1', action: 'modify', service: { id: 'svc-21', serviceCharacteristic: characteristic } }] },
      });
      expect(res.status).toBe(200);
      expect(res.body.serviceOrderItem.map((i: any) => i.id)).toEqual(['1', '2']);
      expect(res.body.serviceOrderItem[1].serviceOrderItem).toEqual([
        {
          id: '2.1',
          action: 'modify',
          state: 'acknowledged',
          service: { id: 'svc-21', serviceSpecification: { id: 'sip-trunk' }, serviceCharacteristic: characteristic },
        },
      ]);
    });

    it('validates the PATCH against ServiceOrder_Update and refuses changes to a finished order', async () => {
      const { body } = await create(orderBody());
      const invalid = await call(`${sim.serviceOrderingUrl}/serviceOrder/${body.id}`, { method: 'PATCH', body: { state: 'done' } });
      expect(invalid.status).toBe(400);
      expect(invalid.body.message).toContain('/state');
      await settled(body.id);
      const late = await call(`${sim.serviceOrderingUrl}/serviceOrder/${body.id}`, { method: 'PATCH', body: { description: 'x' } });
      expect(late.status).toBe(409);
      expect(late.body).toMatchObject({
        code: 'INVALID_STATE',
        message: `Service order ${body.id} is completed and can no longer be modified`,
      });
    });
  });

  describe('cancellation', () => {
    const cancel = (orderId: string, headers: Record<string, string> = {}) =>
      call(`${sim.serviceOrderingUrl}/cancelServiceOrder`, {
        body: { serviceOrder: { id: orderId }, cancellationReason: 'customer changed mind' },
        headers,
      });

    it('cancels a running order: assessingCancellation → pendingCancellation → cancelled, task accepted → inProgress → done', async () => {
      const { body } = await create(orderBody(), { 'X-Simulator-Scenario': 'stepMs=40' });
      await waitFor(() => sim.serviceOrder(body.id)?.state === 'inProgress', 'inProgress');
      const res = await cancel(body.id);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        state: 'accepted',
        cancellationReason: 'customer changed mind',
        serviceOrder: { id: body.id, href: body.href, '@referredType': 'ServiceOrder' },
        href: `${sim.serviceOrderingUrl}/cancelServiceOrder/${res.body.id}`,
      });
      const orderStates: string[] = [];
      const task = await waitFor(
        () => {
          const state = sim.serviceOrder(body.id)!.state;
          if (orderStates[orderStates.length - 1] !== state) orderStates.push(state);
          const t = sim.cancelServiceOrder(res.body.id)!;
          return t.state === 'done' && t;
        },
        'task done',
        5000,
      );
      expect(orderStates).toEqual(['inProgress', 'assessingCancellation', 'pendingCancellation', 'cancelled']);
      expect(task.effectiveCancellationDate).toEqual(expect.any(String));
      const order = sim.serviceOrder(body.id)!;
      expect(order).toMatchObject({ state: 'cancelled', cancellationReason: 'customer changed mind' });
      expect(itemStates(order)).toEqual({ '1': 'cancelled', '2': 'cancelled', '2.1': 'cancelled' });
      const fetched = await call(`${sim.serviceOrderingUrl}/cancelServiceOrder/${res.body.id}`);
      expect(fetched.body.state).toBe('done');
      const list = await call(`${sim.serviceOrderingUrl}/cancelServiceOrder?serviceOrder.id=${body.id}`);
      expect(list.body.map((t: any) => t.id)).toEqual([res.body.id]);
    });

    it('refuses to cancel a completed order: the task is created in terminatedWithError and the order stays completed', async () => {
      const { body } = await create(orderBody());
      await settled(body.id);
      const res = await cancel(body.id);
      expect(res.status).toBe(201);
      expect(res.body.state).toBe('terminatedWithError');
      expect(res.body.errorMessage).toEqual({
        code: 'CANCELLATION_REFUSED',
        reason: 'Order cannot be cancelled',
        message: `Service order ${body.id} is completed and can no longer be cancelled`,
        status: 'terminatedWithError',
      });
      expect(sim.serviceOrder(body.id)!.state).toBe('completed');
    });

    it('returns the order to its previous state when the scenario denies the cancellation', async () => {
      const { body } = await create(orderBody(), { 'X-Simulator-Scenario': 'outcome=held;cancel=deny' });
      await waitFor(() => sim.serviceOrder(body.id)?.state === 'held', 'held');
      const res = await cancel(body.id);
      const task = await waitFor(
        () => sim.cancelServiceOrder(res.body.id)?.state === 'terminatedWithError' && sim.cancelServiceOrder(res.body.id),
        'denied',
      );
      expect(task.errorMessage).toMatchObject({ code: 'CANCELLATION_DENIED' });
      expect(sim.serviceOrder(body.id)!.state).toBe('held');
    });

    it('refuses a second cancel request while the first one is still running', async () => {
      const { body } = await create(orderBody(), { 'X-Simulator-Scenario': 'stepMs=40' });
      const first = await cancel(body.id);
      const second = await cancel(body.id);
      expect(second.body.state).toBe('terminatedWithError');
      expect(second.body.errorMessage.message).toBe(`Service order ${body.id} already has a cancellation in progress (${first.body.id})`);
      await waitFor(() => sim.cancelServiceOrder(first.body.id)?.state === 'done', 'first cancellation done', 5000);
    });

    it('answers 404 for an unknown order and 400 without serviceOrder.id', async () => {
      expect((await cancel('unknown-order')).status).toBe(404);
      const res = await call(`${sim.serviceOrderingUrl}/cancelServiceOrder`, { body: { serviceOrder: {} } });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('/serviceOrder/id');
    });
  });
});
