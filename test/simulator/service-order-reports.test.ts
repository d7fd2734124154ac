import { startSimulator, type Simulator } from '../../src/simulator';
import { CallbackListener, call, orderBody, waitFor, type ReceivedCallback } from './simulator-test-kit';

/** "eventType orderState" of every TMF event about the order, in arrival order. */
const steps = (events: ReceivedCallback[]) => events.map((r) => `${r.body.eventType} ${(Object.values(r.body.event)[0] as any).state}`);

describe('TMF641 reports: milestones, jeopardy, information required, errors, delete', () => {
  let sim: Simulator;
  let listener: CallbackListener;

  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 2 });
    listener = await new CallbackListener().start();
  });
  beforeEach(() => sim.setOptions({ callbackUrl: listener.url }));
  afterEach(() => {
    sim.reset();
    listener.received.length = 0;
  });
  afterAll(async () => {
    await sim.close();
    await listener.close();
  });

  const create = (scenario: string, body = orderBody()) =>
    call(`${sim.serviceOrderingUrl}/serviceOrder`, { body, headers: scenario ? { 'X-Simulator-Scenario': scenario } : {} }).then(
      (r) => r.body,
    );
  const patch = (id: string, body: unknown) => call(`${sim.serviceOrderingUrl}/serviceOrder/${id}`, { method: 'PATCH', body });
  const cancel = (id: string, headers: Record<string, string> = {}) =>
    call(`${sim.serviceOrderingUrl}/cancelServiceOrder`, { body: { serviceOrder: { id }, cancellationReason: 'moved house' }, headers });
  const stateIs = (id: string, state: string) =>
    waitFor(() => sim.serviceOrder(id)?.state === state && sim.serviceOrder(id), `order ${state}`);
  const ref = (order: { id: string; href: string }, itemId: string) => ({
    id: itemId,
    itemId,
    serviceOrderId: order.id,
    serviceOrderHref: order.href,
  });

  it('reports each milestone once, after the first item started, naming that item', async () => {
    const order = await create('milestone=designCompleted,pointOfNoReturn');
    const done = await stateIs(order.id, 'completed');
    await sim.whenDeliveriesIdle();
    expect(done.milestone).toEqual([
      {
        id: '1',
        name: 'designCompleted',
        description: 'The network design for the order is complete',
        message: `Service order ${order.id}: The network design for the order is complete`,
        milestoneDate: expect.any(String),
        status: 'completed',
        serviceOrderItem: [ref(order, '1')],
      },
      expect.objectContaining({ id: '2', name: 'pointOfNoReturn', status: 'completed', serviceOrderItem: [ref(order, '1')] }),
    ]);
    const events = listener.eventsFor(order.id);
    expect(steps(events).slice(0, 5)).toEqual([
      'ServiceOrderCreateEvent acknowledged',
      'ServiceOrderStateChangeEvent inProgress',
      'ServiceOrderStateChangeEvent inProgress',
      'ServiceOrderMilestoneEvent inProgress',
      'ServiceOrderMilestoneEvent inProgress',
    ]);
    expect(events[3].path).toBe('/callbacks/listener/serviceOrderMilestoneEvent');
    expect(events[3].body.event.serviceOrder.milestone.map((m: any) => m.name)).toEqual(['designCompleted']);
    expect(events[4].body.event.serviceOrder.milestone.map((m: any) => m.name)).toEqual(['designCompleted', 'pointOfNoReturn']);
    expect(events.filter((e) => e.body.eventType === 'ServiceOrderMilestoneEvent')).toHaveLength(2);
  });

  it('denies a cancellation once the order has passed its point of no return', async () => {
    const order = await create('milestone=pointOfNoReturn; stepMs=30');
    await waitFor(() => sim.serviceOrder(order.id)?.milestone?.length, 'the milestone');
    const res = await cancel(order.id);
    expect(res.body).toMatchObject({
      state: 'terminatedWithError',
      completionMessage: `Service order ${order.id} has passed its point of no return and can no longer be cancelled`,
      errorMessage: { code: 'CANCELLATION_REFUSED' },
    });
    expect((await stateIs(order.id, 'completed')).state).toBe('completed');
  });

  it('raises a jeopardy alert per type, with the item it is about', async () => {
    const order = await create('jeopardy=Hazard');
    const done = await stateIs(order.id, 'completed');
    await sim.whenDeliveriesIdle();
    expect(done.jeopardyAlert).toEqual([
      {
        id: '1',
        name: 'Hazard jeopardy',
        jeopardyType: 'Hazard',
        exception: 'Site access not confirmed',
        message: `Service order ${order.id}: The order may miss its expected completion date`,
        alertDate: expect.any(String),
        serviceOrderItem: [ref(order, '1')],
      },
    ]);
    const jeopardy = listener.eventsFor(order.id).filter((e) => e.path === '/callbacks/listener/serviceOrderJeopardyEvent');
    expect(jeopardy.map((e) => e.body.event.serviceOrder.jeopardyAlert.length)).toEqual([1]);
  });

  it('holds the order for information, says which field in fieldPath, and goes on after the revision', async () => {
    const order = await create('infoRequired=serviceCharacteristic.bandwidth');
    await stateIs(order.id, 'held');
    await sim.whenDeliveriesIdle();
    const asked = listener.eventsFor(order.id).filter((e) => e.body.eventType === 'ServiceOrderInformationRequiredEvent');
    expect(asked).toHaveLength(1);
    expect(asked[0].path).toBe('/callbacks/listener/serviceOrderInformationRequiredEvent');
    expect(asked[0].body).toMatchObject({
      fieldPath: 'serviceCharacteristic.bandwidth',
      description: `Service order ${order.id} is held until serviceCharacteristic.bandwidth is provided (PATCH the order)`,
      event: { serviceOrder: { id: order.id, state: 'held' } },
    });
    const revision = {
      serviceOrderItem: [{ id: '1', action: 'modify', service: { serviceCharacteristic: [{ name: 'bandwidth', value: '500M' }] } }],
    };
    const res = await patch(order.id, revision);
    expect(res.body.state).toBe('inProgress');
    const done = await stateIs(order.id, 'completed');
    expect(done.serviceOrderItem[0].service.serviceCharacteristic).toEqual([{ name: 'bandwidth', value: '500M' }]);
    await sim.whenDeliveriesIdle();
    const tail = listener.eventsFor(order.id).slice(3, 7);
    expect(tail.map((e) => [e.body.eventType, e.body.event.serviceOrder.state, e.body.fieldPath])).toEqual([
      ['ServiceOrderStateChangeEvent', 'held', undefined],
      ['ServiceOrderInformationRequiredEvent', 'held', 'serviceCharacteristic.bandwidth'],
      ['ServiceOrderAttributeValueChangeEvent', 'inProgress', 'serviceOrderItem'],
      ['ServiceOrderStateChangeEvent', 'inProgress', undefined],
    ]);
  });

  it('names the changed fields of a PATCH in the attribute value change event', async () => {
    const order = await create('outcome=held');
    await stateIs(order.id, 'held');
    await patch(order.id, { description: 'new', note: [{ text: 'call first' }] });
    await sim.whenDeliveriesIdle();
    const change = listener.eventsFor(order.id).find((e) => e.body.eventType === 'ServiceOrderAttributeValueChangeEvent');
    expect(change!.body.fieldPath).toBe('description,note');
  });

  it('takes the scenario from a simulatorScenario characteristic, for clients that cannot send headers', async () => {
    const body = orderBody();
    body.serviceOrderItem[1].serviceOrderItem[0].service.serviceCharacteristic = [
      { name: 'simulatorScenario', value: 'jeopardy=Critical; failItems=2.1' },
    ];
    const order = await create('', body);
    const done = await stateIs(order.id, 'partial');
    expect(done.jeopardyAlert!.map((a) => a.jeopardyType)).toEqual(['Critical']);
    const bad = orderBody();
    bad.serviceOrderItem[0].service.serviceCharacteristic = [{ name: 'simulatorScenario', value: 'cancel=maybe' }];
    const refused = await call(`${sim.serviceOrderingUrl}/serviceOrder`, { body: bad });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe('/serviceOrderItem: characteristic simulatorScenario: cancel must be "accept", "deny" or "info"');
  });

  it('puts the failed items in the errorMessage of a failed order, and every item in that of a rejected one', async () => {
    const failed = await stateIs((await create('outcome=failed')).id, 'failed');
    expect(failed.errorMessage).toEqual([
      {
        code: 'ITEMS_FAILED',
        reason: 'Order items failed',
        message: `Service order ${failed.id}: items 1, 2, 2.1 failed`,
        status: 'failed',
        timestamp: expect.any(String),
        serviceOrderItem: [ref(failed, '1'), ref(failed, '2'), ref(failed, '2.1')],
      },
    ]);
    const rejected = await stateIs((await create('outcome=rejected')).id, 'rejected');
    expect(rejected.errorMessage![0]).toMatchObject({
      code: 'ORDER_REJECTED',
      status: 'rejected',
      serviceOrderItem: [ref(rejected, '1'), ref(rejected, '2'), ref(rejected, '2.1')],
    });
  });

  it('DELETE removes the order at once, stops its progress and reports a delete event', async () => {
    const order = await create('stepMs=20');
    await stateIs(order.id, 'inProgress');
    const res = await call(`${sim.serviceOrderingUrl}/serviceOrder/${order.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(sim.serviceOrder(order.id)).toBeUndefined();
    expect((await call(`${sim.serviceOrderingUrl}/serviceOrder/${order.id}`)).status).toBe(404);
    expect((await call(`${sim.serviceOrderingUrl}/serviceOrder/${order.id}`, { method: 'DELETE' })).status).toBe(404);
    await new Promise((r) => setTimeout(r, 60));
    await sim.whenDeliveriesIdle();
    const events = listener.eventsFor(order.id);
    expect(events[events.length - 1]).toMatchObject({
      path: '/callbacks/listener/serviceOrderDeleteEvent',
      body: { eventType: 'ServiceOrderDeleteEvent', event: { serviceOrder: { id: order.id, state: 'inProgress' } } },
    });
  });

  describe('cancellation', () => {
    const taskSteps = (orderId: string) =>
      listener
        .eventsFor(orderId)
        .filter((e) => e.body.event.cancelServiceOrder)
        .map((e) => `${e.body.eventType} ${e.body.event.cancelServiceOrder.state}`);

    it('reports the task accepted, in progress and done, and the order cancelled', async () => {
      const order = await create('outcome=held');
      await stateIs(order.id, 'held');
      const task = (await cancel(order.id)).body;
      await stateIs(order.id, 'cancelled');
      await sim.whenDeliveriesIdle();
      expect(taskSteps(order.id)).toEqual([
        'CancelServiceOrderCreateEvent accepted',
        'CancelServiceOrderStateChangeEvent inProgress',
        'CancelServiceOrderStateChangeEvent done',
      ]);
      expect(sim.cancelServiceOrder(task.id)).toMatchObject({ state: 'done', completionMessage: `Service order ${order.id} is cancelled` });
      expect(steps(listener.eventsFor(order.id)).pop()).toBe('CancelServiceOrderStateChangeEvent done');
      expect(
        steps(listener.eventsFor(order.id))
          .filter((s) => s.startsWith('ServiceOrderStateChangeEvent'))
          .pop(),
      ).toBe('ServiceOrderStateChangeEvent cancelled');
    });

    it('cancel=deny ends the task terminatedWithError and returns the order', async () => {
      const order = await create('outcome=held');
      await stateIs(order.id, 'held');
      const task = (await cancel(order.id, { 'X-Simulator-Scenario': 'cancel=deny' })).body;
      await waitFor(() => sim.cancelServiceOrder(task.id)?.state === 'terminatedWithError', 'denied');
      await sim.whenDeliveriesIdle();
      expect(taskSteps(order.id)).toEqual([
        'CancelServiceOrderCreateEvent accepted',
        'CancelServiceOrderStateChangeEvent inProgress',
        'CancelServiceOrderStateChangeEvent terminatedWithError',
      ]);
      expect(sim.serviceOrder(order.id)!.state).toBe('held');
    });

    it('cancel=info asks for information, waits, and goes on once the order is PATCHed', async () => {
      const order = await create('outcome=held');
      await stateIs(order.id, 'held');
      const task = (await cancel(order.id, { 'X-Simulator-Scenario': 'cancel=info' })).body;
      await waitFor(() => taskSteps(order.id).length === 3, 'the information request');
      await new Promise((r) => setTimeout(r, 20));
      expect(sim.serviceOrder(order.id)!.state).toBe('assessingCancellation');
      const asked = listener.eventsFor(order.id).find((e) => e.body.eventType === 'CancelServiceOrderInformationRequiredEvent')!;
      expect(asked.path).toBe('/callbacks/listener/cancelServiceOrderInformationRequiredEvent');
      expect(asked.body).toMatchObject({
        fieldPath: 'requestedCancellationDate',
        event: { cancelServiceOrder: { id: task.id, state: 'inProgress' } },
      });
      expect((await patch(order.id, { state: 'inProgress' })).status).toBe(409);
      const answer = await patch(order.id, { note: [{ text: 'cancel today' }] });
      expect(answer.status).toBe(200);
      await stateIs(order.id, 'cancelled');
      await sim.whenDeliveriesIdle();
      expect(taskSteps(order.id)).toEqual([
        'CancelServiceOrderCreateEvent accepted',
        'CancelServiceOrderStateChangeEvent inProgress',
        'CancelServiceOrderInformationRequiredEvent inProgress',
        'CancelServiceOrderStateChangeEvent done',
      ]);
    });
  });
});
