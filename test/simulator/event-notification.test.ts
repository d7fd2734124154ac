import { checkTmf } from '../../src/services/tmf/tmf-schema';
import { startSimulator, type Simulator } from '../../src/simulator';
import { CallbackListener, call, orderBody, testBody, waitFor, type ReceivedCallback } from './simulator-test-kit';

/** "eventType order=state 1=state 2=state 2.1=state" for compact comparison of an order event sequence. */
function orderStep(r: ReceivedCallback): string {
  const o = r.body.event.serviceOrder;
  const items = [o.serviceOrderItem[0], o.serviceOrderItem[1], o.serviceOrderItem[1].serviceOrderItem[0]];
  return `${r.body.eventType} ${o.state} ${items.map((i: any) => i.state).join(',')}`;
}

describe('notifications', () => {
  let sim: Simulator;
  let listener: CallbackListener;

  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 2, retryDelayMs: 5 });
  });
  beforeEach(async () => {
    listener = await new CallbackListener().start();
  });
  afterEach(async () => {
    sim.reset();
    sim.setOptions({ callbackUrl: undefined, callbackToken: undefined, notify: 'events' });
    await listener.close();
  });
  afterAll(() => sim.close());

  const createOrder = (body = orderBody(), headers: Record<string, string> = {}) =>
    call(`${sim.serviceOrderingUrl}/serviceOrder`, { body, headers }).then((r) => r.body);
  const register = (api: string, body: unknown) => call(`${api}/hub`, { body });

  it('registers a hub and delivers every order event to {callback}/listener/{eventName}, in order', async () => {
    const hub = await register(sim.serviceOrderingUrl, { callback: listener.url });
    expect(hub.status).toBe(201);
    expect(hub.body).toEqual({ id: expect.any(String), callback: listener.url });
    const order = await createOrder();
    await waitFor(() => listener.eventsFor(order.id).length === 9, '9 events');
    const events = listener.eventsFor(order.id);
    expect(events.map(orderStep)).toEqual([
      'ServiceOrderCreateEvent acknowledged acknowledged,acknowledged,acknowledged',
      'ServiceOrderStateChangeEvent inProgress acknowledged,acknowledged,acknowledged',
      'ServiceOrderStateChangeEvent inProgress inProgress,acknowledged,acknowledged',
      'ServiceOrderStateChangeEvent inProgress completed,acknowledged,acknowledged',
      'ServiceOrderStateChangeEvent inProgress completed,inProgress,acknowledged',
      'ServiceOrderStateChangeEvent inProgress completed,inProgress,inProgress',
      'ServiceOrderStateChangeEvent inProgress completed,inProgress,completed',
      'ServiceOrderStateChangeEvent inProgress completed,completed,completed',
      'ServiceOrderStateChangeEvent completed completed,completed,completed',
    ]);
    expect(events[0].path).toBe('/callbacks/listener/serviceOrderCreateEvent');
    expect(events[1].path).toBe('/callbacks/listener/serviceOrderStateChangeEvent');
    expect(new Set(events.map((e) => e.body.eventId)).size).toBe(9);
    expect(events[0].body).toEqual({
      eventId: expect.any(String),
      eventTime: expect.any(String),
      eventType: 'ServiceOrderCreateEvent',
      timeOcurred: events[0].body.eventTime,
      event: { serviceOrder: expect.objectContaining({ id: order.id, href: order.href, externalId: order.externalId }) },
    });
    expect(events[0].headers.authorization).toBeUndefined();
  });

  it('sends the configured bearer token, and retries a delivery the listener answered with 500', async () => {
    sim.setOptions({ callbackUrl: listener.url, callbackToken: 's3cret' });
    listener.answer = (_, index) => (index === 0 ? 500 : 201);
    const order = await createOrder();
    await waitFor(() => sim.serviceOrder(order.id)?.state === 'completed', 'completion');
    await sim.whenDeliveriesIdle();
    const events = listener.eventsFor(order.id);
    expect(events).toHaveLength(10);
    expect(events[0].status).toBe(500);
    expect(events[1].body.eventId).toBe(events[0].body.eventId);
    expect(events.slice(1).map((e) => e.body.eventType)).toEqual([
      'ServiceOrderCreateEvent',
      ...Array(8).fill('ServiceOrderStateChangeEvent'),
    ]);
    expect(events.every((e) => e.headers.authorization === 'Bearer s3cret')).toBe(true);
    expect(sim.deliveries()[0]).toMatchObject({ label: 'ServiceOrderCreateEvent', attempts: 2, status: 201, delivered: true });
  });

  it('gives up after deliveryAttempts and records the failure', async () => {
    sim.setOptions({ callbackUrl: listener.url });
    listener.answer = () => 503;
    await createOrder(orderBody({ serviceOrderItem: [{ id: '1', action: 'add', service: {} }] }), {
      'X-Simulator-Scenario': 'outcome=rejected',
    });
    await waitFor(() => sim.deliveries().length === 2, 'two finished deliveries');
    expect(sim.deliveries().map((d) => [d.label, d.attempts, d.status, d.delivered])).toEqual([
      ['ServiceOrderCreateEvent', 4, 503, false],
      ['ServiceOrderStateChangeEvent', 4, 503, false],
    ]);
    expect(listener.received).toHaveLength(8);
  });

  it('filters by the hub query eventType and stops after DELETE /hub/{id}', async () => {
    const hub = await register(sim.serviceOrderingUrl, { callback: listener.url, query: 'eventType=ServiceOrderCreateEvent' });
    expect(hub.body.query).toBe('eventType=ServiceOrderCreateEvent');
    const first = await createOrder();
    await waitFor(() => sim.serviceOrder(first.id)?.state === 'completed', 'completion');
    await sim.whenDeliveriesIdle();
    expect(listener.received.map((r) => r.body.eventType)).toEqual(['ServiceOrderCreateEvent']);
    expect((await call(`${sim.serviceOrderingUrl}/hub/${hub.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`${sim.serviceOrderingUrl}/hub/${hub.body.id}`, { method: 'DELETE' })).status).toBe(404);
    const second = await createOrder();
    await waitFor(() => sim.serviceOrder(second.id)?.state === 'completed', 'completion');
    await sim.whenDeliveriesIdle();
    expect(listener.received).toHaveLength(1);
  });

  it('refuses a hub without a usable callback', async () => {
    const missing = await register(sim.serviceOrderingUrl, { query: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('/callback');
    const relative = await register(sim.serviceTestUrl, { callback: 'listener' });
    expect(relative.status).toBe(400);
  });

  it('emits an attribute-value-change event on PATCH and cancel task events beside the order events', async () => {
    sim.setOptions({ callbackUrl: listener.url });
    const order = await createOrder(orderBody(), { 'X-Simulator-Scenario': 'outcome=held' });
    await waitFor(() => sim.serviceOrder(order.id)?.state === 'held', 'held');
    await call(`${sim.serviceOrderingUrl}/serviceOrder/${order.id}`, { method: 'PATCH', body: { description: 'new' } });
    const task = (await call(`${sim.serviceOrderingUrl}/cancelServiceOrder`, { body: { serviceOrder: { id: order.id } } })).body;
    await waitFor(() => sim.cancelServiceOrder(task.id)?.state === 'done', 'cancel done');
    await sim.whenDeliveriesIdle();
    const tail = listener.eventsFor(order.id).slice(4);
    expect(tail.map((r) => [r.body.eventType, (Object.values(r.body.event)[0] as any).state])).toEqual([
      ['ServiceOrderAttributeValueChangeEvent', 'held'],
      ['CancelServiceOrderCreateEvent', 'accepted'],
      ['ServiceOrderStateChangeEvent', 'assessingCancellation'],
      ['CancelServiceOrderStateChangeEvent', 'inProgress'],
      ['ServiceOrderStateChangeEvent', 'pendingCancellation'],
      ['ServiceOrderStateChangeEvent', 'cancelled'],
      ['CancelServiceOrderStateChangeEvent', 'done'],
    ]);
    expect(tail[0].path).toBe('/callbacks/listener/serviceOrderAttributeValueChangeEvent');
    expect(tail[1].path).toBe('/callbacks/listener/cancelServiceOrderCreateEvent');
    expect(tail[0].body.event.serviceOrder.description).toBe('new');
  });

  it('delivers service test events through a TMF653 hub', async () => {
    await register(sim.serviceTestUrl, { callback: listener.url });
    const test = (
      await call(`${sim.serviceTestUrl}/serviceTest`, { body: testBody(), headers: { 'X-Simulator-Scenario': 'outcome=pending' } })
    ).body;
    await waitFor(() => sim.serviceTest(test.id)?.state === 'pending', 'pending');
    await call(`${sim.serviceTestUrl}/serviceTest/${test.id}`, { method: 'PATCH', body: { description: 'go on' } });
    await waitFor(() => sim.serviceTest(test.id)?.state === 'completed', 'completion');
    await sim.whenDeliveriesIdle();
    expect(listener.eventsFor(test.id).map((r) => `${r.path} ${r.body.event.serviceTest.state}`)).toEqual([
      '/callbacks/listener/serviceTestCreateEvent acknowledged',
      '/callbacks/listener/serviceTestStateChangeEvent inProgress',
      '/callbacks/listener/serviceTestStateChangeEvent pending',
      '/callbacks/listener/serviceTestAttributeValueChangeEvent inProgress',
      '/callbacks/listener/serviceTestStateChangeEvent inProgress',
      '/callbacks/listener/serviceTestAttributeValueChangeEvent inProgress',
      '/callbacks/listener/serviceTestStateChangeEvent completed',
    ]);
  });

  it('answers with the compact outbound response instead of TMF events when configured so', async () => {
    sim.setOptions({ callbackUrl: listener.url, callbackToken: 'tok', notify: 'outboundresponse' });
    const order = await createOrder(orderBody({ externalId: 'SO-compact' }), { 'X-Simulator-Scenario': 'failItems=2.1' });
    await waitFor(() => sim.serviceOrder(order.id)?.state === 'partial', 'partial');
    await sim.whenDeliveriesIdle();
    expect(
      listener.received.every((r) => r.path === '/callbacks/serviceOrder/outboundresponse' && r.headers.authorization === 'Bearer tok'),
    ).toBe(true);
    const states = (...s: string[]) => ({
      externalId: 'SO-compact',
      serviceOrderItem: [
        { id: '1', state: s[0] },
        { id: '2', state: s[1] },
        { id: '2.1', state: s[2] },
      ],
    });
    expect(listener.received.map((r) => r.body)).toEqual([
      states('pending', 'pending', 'pending'),
      states('fulfilled', 'pending', 'pending'),
      states('fulfilled', 'pending', 'error'),
      states('fulfilled', 'error', 'error'),
    ]);
  });

  it("sends a test's compact status as PATCH {callback}/serviceTest/{id}, with its measured results", async () => {
    sim.setOptions({ callbackUrl: listener.url, callbackToken: 'tok', notify: 'outboundresponse' });
    const test = (await call(`${sim.serviceTestUrl}/serviceTest`, { body: testBody() })).body;
    await waitFor(() => sim.serviceTest(test.id)?.state === 'completed', 'completion');
    await sim.whenDeliveriesIdle();
    expect(
      listener.received.every(
        (r) => r.method === 'PATCH' && r.path === `/callbacks/serviceTest/${test.id}` && r.headers.authorization === 'Bearer tok',
      ),
    ).toBe(true);
    const measures = sim.serviceTest(test.id)!.testMeasure;
    expect(listener.received.map((r) => r.body)).toEqual([
      { state: 'acknowledged' },
      { state: 'inProgress' },
      { state: 'inProgress', testMeasure: measures },
      { state: 'completed', testMeasure: measures },
    ]);
    for (const { body } of listener.received)
      expect(checkTmf('TMF653', 'ServiceTest_Update', body)).toEqual({ valid: true, violations: [] });
    expect(sim.deliveries().map((d) => [d.method, d.label])).toEqual(Array(4).fill(['PATCH', 'serviceTestStatus']));
  });

  it('sends nothing to the callback URL in notify=none mode', async () => {
    sim.setOptions({ callbackUrl: listener.url, notify: 'none' });
    const order = await createOrder();
    await waitFor(() => sim.serviceOrder(order.id)?.state === 'completed', 'completion');
    await sim.whenDeliveriesIdle();
    expect(listener.received).toEqual([]);
  });
});
