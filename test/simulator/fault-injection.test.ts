import { startSimulator, type Simulator } from '../../src/simulator';
import { CallbackListener, call, orderBody, waitFor } from './simulator-test-kit';

describe('fault injection', () => {
  let sim: Simulator;
  let listener: CallbackListener;

  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 2 });
    listener = await new CallbackListener().start();
  });
  afterEach(() => {
    sim.reset();
    sim.setOptions({ callbackUrl: undefined, callbackToken: undefined });
    listener.received.length = 0;
  });
  afterAll(async () => {
    await sim.close();
    await listener.close();
  });

  const post = (body: unknown, fault?: string) =>
    call(`${sim.serviceOrderingUrl}/serviceOrder`, { body, headers: fault ? { 'X-Simulator-Fault': fault } : {} });
  const oneItemOrder = (externalId: string) => orderBody({ externalId, serviceOrderItem: [{ id: '1', action: 'add', service: {} }] });

  describe('per request (X-Simulator-Fault header)', () => {
    it.each([400, 409, 422, 500, 503])('answers %i with a TMF Error and creates nothing', async (status) => {
      const res = await post(orderBody({ externalId: `SO-${status}` }), `status=${status}`);
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ code: 'SIMULATED_FAULT', status: String(status), '@type': 'Error' });
      expect(res.headers.get('retry-after')).toBeNull();
      expect(sim.serviceOrders()).toEqual([]);
      expect(sim.countFor({ externalId: `SO-${status}` })).toEqual({ received: 1, created: 0, faulted: 1 });
    });

    it('answers 429 with Retry-After (1 s unless retryAfter says otherwise)', async () => {
      expect((await post(orderBody(), 'status=429')).headers.get('retry-after')).toBe('1');
      const res = await post(orderBody(), 'status=429; retryAfter=2');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('2');
    });

    it('delays past the client timeout, then still creates the order (as a slow real system would)', async () => {
      const attempt = fetch(`${sim.serviceOrderingUrl}/serviceOrder`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-simulator-fault': 'delayMs=150' },
        body: JSON.stringify(orderBody({ externalId: 'SO-slow' })),
        signal: AbortSignal.timeout(30),
      });
      await expect(attempt).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(sim.countFor({ externalId: 'SO-slow' })).toEqual({ received: 1, created: 0, faulted: 1 });
      await waitFor(() => sim.serviceOrders({ externalId: 'SO-slow' }).length === 1, 'late creation');
      expect(sim.countFor({ externalId: 'SO-slow' })).toEqual({ received: 1, created: 1, faulted: 1 });
    });

    it('drops the connection before handling (nothing created) or after it (response lost, order created)', async () => {
      await expect(post(orderBody({ externalId: 'SO-drop' }), 'drop')).rejects.toThrow('fetch failed');
      expect(sim.serviceOrders({ externalId: 'SO-drop' })).toEqual([]);
      await expect(post(orderBody({ externalId: 'SO-lost' }), 'drop=after')).rejects.toThrow('fetch failed');
      expect(sim.serviceOrders({ externalId: 'SO-lost' })).toHaveLength(1);
      expect(sim.countFor({ externalId: 'SO-lost' })).toEqual({ received: 1, created: 1, faulted: 1 });
    });

    it('refuses an unknown fault directive with 400', async () => {
      const res = await post(orderBody(), 'status=503;explode');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'INVALID_FAULT', message: 'x-simulator-fault: unknown fault directive "explode"' });
    });
  });

  describe('per scenario (fault rules)', () => {
    it('POST /simulator/faults: the next 2 POST /serviceOrder answer 503, then requests pass again', async () => {
      const rule = await call(`${sim.url}/simulator/faults`, {
        body: { match: { method: 'POST', path: '/serviceOrder' }, fault: 'status=503', count: 2 },
      });
      expect(rule.status).toBe(201);
      expect((await call(`${sim.serviceOrderingUrl}/serviceOrder`)).status).toBe(200); // GET does not match
      expect((await post(orderBody({ externalId: 'SO-r' }))).status).toBe(503);
      expect((await post(orderBody({ externalId: 'SO-r' }))).status).toBe(503);
      expect((await post(orderBody({ externalId: 'SO-r' }))).status).toBe(201);
      expect(sim.countFor({ externalId: 'SO-r', method: 'POST' })).toEqual({ received: 3, created: 1, faulted: 2 });
      expect((await call(`${sim.url}/simulator/faults`)).body).toEqual([]);
    });

    it('matches on externalId in-process and is removed by clearFaults / DELETE /simulator/faults', async () => {
      sim.injectFault({ match: { externalId: 'SO-bad' }, fault: { status: 422 } });
      expect((await post(orderBody({ externalId: 'SO-bad' }))).status).toBe(422);
      expect((await post(orderBody({ externalId: 'SO-good' }))).status).toBe(201);
      expect((await post(orderBody({ externalId: 'SO-bad' }))).status).toBe(422);
      expect((await call(`${sim.url}/simulator/faults`, { method: 'DELETE' })).status).toBe(204);
      expect((await post(orderBody({ externalId: 'SO-bad' }))).status).toBe(201);
    });

    it('refuses an invalid rule with 400', async () => {
      const res = await call(`${sim.url}/simulator/faults`, { body: { match: { verb: 'POST' }, fault: { status: 200 } } });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('match/verb is not a known matcher field; status must be an HTTP error status (400-599)');
    });

    it('makes the hub refuse (POST /hub, DELETE /hub/{id}), for the client\'s "hub refused" path', async () => {
      const subscribe = (api: string) => call(`${api}/hub`, { body: { callback: listener.url } });
      sim.injectFault({ match: { method: 'POST', path: '/hub' }, fault: 'status=503', count: 1 });
      const refused = await subscribe(sim.serviceOrderingUrl);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ code: 'SIMULATED_FAULT', status: '503', '@type': 'Error' });
      expect(sim.hubs()).toEqual([]);
      sim.injectFault({ match: { method: 'POST', path: '/serviceTestManagement/v4/hub' }, fault: 'status=400' });
      expect((await subscribe(sim.serviceTestUrl)).status).toBe(400);
      const hub = await subscribe(sim.serviceOrderingUrl);
      expect(hub.status).toBe(201);
      const gone = await call(`${sim.serviceOrderingUrl}/hub/${hub.body.id}`, {
        method: 'DELETE',
        headers: { 'X-Simulator-Fault': 'status=500' },
      });
      expect(gone.status).toBe(500);
      expect(sim.hubs()).toEqual([hub.body]);
      expect(sim.countFor({ path: '/hub' })).toEqual({ received: 3, created: 1, faulted: 2 });
    });

    it('applies start-time fault rules, and reset() restores them', async () => {
      const other = await startSimulator({ faults: [{ match: { path: '/serviceOrder' }, fault: 'status=500', count: 1 }] });
      try {
        const postTo = () => call(`${other.serviceOrderingUrl}/serviceOrder`, { body: orderBody() });
        expect((await postTo()).status).toBe(500);
        expect((await postTo()).status).toBe(201);
        other.reset();
        expect((await postTo()).status).toBe(500);
      } finally {
        await other.close();
      }
    });
  });

  describe('event faults', () => {
    const eventsOf = async (externalId: string, fault: string) => {
      sim.setOptions({ callbackUrl: listener.url, callbackToken: 'good' });
      const order = (await post(oneItemOrder(externalId), fault)).body;
      await waitFor(() => sim.serviceOrder(order.id)?.state === 'completed', 'completion');
      await sim.whenDeliveriesIdle();
      return { order, received: listener.received };
    };
    const step = (r: any) =>
      `${r.body.eventType} ${r.body.event.serviceOrder.state}/${r.body.event.serviceOrder.serviceOrderItem[0].state}`;

    it('duplicateEvent: delivers every event twice with the same eventId', async () => {
      const { received } = await eventsOf('SO-dup', 'duplicateEvent');
      expect(received).toHaveLength(10);
      for (let i = 0; i < 10; i += 2) expect(received[i + 1].body).toEqual(received[i].body);
    });

    it('outOfOrderEvents: swaps consecutive events in pairs', async () => {
      const { received } = await eventsOf('SO-ooo', 'outOfOrderEvents');
      expect(received.map(step)).toEqual([
        'ServiceOrderStateChangeEvent inProgress/acknowledged',
        'ServiceOrderCreateEvent acknowledged/acknowledged',
        'ServiceOrderStateChangeEvent inProgress/completed',
        'ServiceOrderStateChangeEvent inProgress/inProgress',
        'ServiceOrderStateChangeEvent completed/completed',
      ]);
    });

    it('unknownOrderEvent: also sends a state change for an order that does not exist', async () => {
      const { order, received } = await eventsOf('SO-ghost', 'unknownOrderEvent');
      expect(received).toHaveLength(6);
      // The ghost travels on its own stream, so it may arrive before or after the create event.
      const ghosts = received.filter((r) => r.body.event.serviceOrder.id !== order.id);
      expect(ghosts.map((r) => r.body.eventType)).toEqual(['ServiceOrderStateChangeEvent']);
      const ghost = ghosts[0].body.event.serviceOrder;
      expect(ghost.externalId).toBe(`unknown-${ghost.id}`);
      expect(sim.serviceOrder(ghost.id)).toBeUndefined();
    });

    it('badToken: the callbacks about the order carry an invalid bearer token', async () => {
      const { received } = await eventsOf('SO-token', 'badToken');
      expect(received.map((r) => r.headers.authorization)).toEqual(Array(5).fill('Bearer invalid-token'));
    });
  });
});
