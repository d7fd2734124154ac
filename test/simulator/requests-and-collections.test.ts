import { startSimulator, type Simulator } from '../../src/simulator';
import { call, orderBody, testBody, waitFor } from './simulator-test-kit';

describe('request counting, collections and admin endpoints', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 2 });
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  const postOrder = (body: unknown, headers: Record<string, string> = {}) =>
    call(`${sim.serviceOrderingUrl}/serviceOrder`, { body, headers });

  it('counts requests per externalId, per name and per method + route, telling created and faulted apart', async () => {
    const first = await postOrder(orderBody({ externalId: 'SO-A' }), { 'X-Simulator-Fault': 'status=503' });
    expect(first.status).toBe(503);
    const order = (await postOrder(orderBody({ externalId: 'SO-A' }))).body;
    await call(`${sim.serviceOrderingUrl}/serviceOrder/${order.id}`);
    await call(`${sim.serviceOrderingUrl}/serviceOrder?externalId=SO-A`);
    await postOrder({ externalId: 'SO-A' }); // invalid: still received
    await call(`${sim.serviceTestUrl}/serviceTest`, { body: testBody({ name: 'T-1' }) });

    expect(sim.countFor({ externalId: 'SO-A' })).toEqual({ received: 5, created: 1, faulted: 1 });
    expect(sim.countFor({ externalId: 'SO-A', method: 'POST' })).toEqual({ received: 3, created: 1, faulted: 1 });
    expect(sim.countFor({ method: 'GET', path: '/serviceOrder/{id}' })).toEqual({ received: 1, created: 0, faulted: 0 });
    expect(sim.countFor({ method: 'POST', path: '/serviceOrder' })).toEqual({ received: 3, created: 1, faulted: 1 });
    expect(sim.countFor({ name: 'T-1' })).toEqual({ received: 1, created: 1, faulted: 0 });

    const report = (await call(`${sim.url}/simulator/requests`)).body;
    expect(report.total).toEqual({ received: 6, created: 2, faulted: 1 });
    expect(report.byExternalId).toEqual({ 'SO-A': { received: 5, created: 1, faulted: 1 } });
    expect(report.byName).toEqual({ 'T-1': { received: 1, created: 1, faulted: 0 } });
    expect(report.byRoute).toContainEqual({
      method: 'POST',
      route: '/tmf-api/serviceOrdering/v4/serviceOrder',
      received: 3,
      created: 1,
      faulted: 1,
    });
    const filtered = (await call(`${sim.url}/simulator/requests?externalId=SO-A&method=GET`)).body;
    expect(filtered).toEqual({ received: 2, created: 0, faulted: 0 });
  });

  it('POST /simulator/reset forgets orders, hubs and counts', async () => {
    await postOrder(orderBody({ externalId: 'SO-R' }));
    await call(`${sim.serviceOrderingUrl}/hub`, { body: { callback: 'http://127.0.0.1:9/cb' } });
    expect((await call(`${sim.url}/simulator/reset`, { method: 'POST' })).status).toBe(204);
    expect(sim.serviceOrders()).toEqual([]);
    expect(sim.hubs()).toEqual([]);
    expect(sim.countFor({})).toEqual({ received: 0, created: 0, faulted: 0 });
    expect((await call(`${sim.serviceOrderingUrl}/serviceOrder`)).body).toEqual([]);
  });

  describe('GET collections', () => {
    let ids: string[];

    beforeEach(async () => {
      ids = [];
      for (const externalId of ['SO-1', 'SO-2', 'SO-3', 'SO-4']) {
        const headers: Record<string, string> = externalId === 'SO-3' ? { 'X-Simulator-Scenario': 'outcome=failed' } : {};
        ids.push((await postOrder(orderBody({ externalId, priority: externalId === 'SO-2' ? '1' : '4' }), headers)).body.id);
      }
      await waitFor(() => sim.serviceOrders().every((o) => ['completed', 'failed'].includes(o.state)), 'all orders ended');
    });

    const list = (query: string) => call(`${sim.serviceOrderingUrl}/serviceOrder${query}`);

    it('returns a JSON array with X-Total-Count and X-Result-Count', async () => {
      const res = await list('');
      expect(res.body.map((o: any) => o.id)).toEqual(ids);
      expect(res.headers.get('x-total-count')).toBe('4');
      expect(res.headers.get('x-result-count')).toBe('4');
    });

    it('filters on externalId, state and other attributes by exact match', async () => {
      expect((await list('?externalId=SO-2')).body.map((o: any) => o.externalId)).toEqual(['SO-2']);
      expect((await list('?externalId=SO-2x')).body).toEqual([]);
      expect((await list('?state=failed')).body.map((o: any) => o.externalId)).toEqual(['SO-3']);
      expect((await list('?state=completed&priority=4')).body.map((o: any) => o.externalId)).toEqual(['SO-1', 'SO-4']);
      expect((await list('?externalId=SO-1&externalId=SO-4')).body.map((o: any) => o.externalId)).toEqual(['SO-1', 'SO-4']);
    });

    it('pages with offset/limit and keeps only the requested fields plus id and href', async () => {
      const res = await list('?offset=1&limit=2&fields=externalId,state');
      expect(res.headers.get('x-total-count')).toBe('4');
      expect(res.headers.get('x-result-count')).toBe('2');
      expect(res.body).toEqual([
        { id: ids[1], href: `${sim.serviceOrderingUrl}/serviceOrder/${ids[1]}`, externalId: 'SO-2', state: 'completed' },
        { id: ids[2], href: `${sim.serviceOrderingUrl}/serviceOrder/${ids[2]}`, externalId: 'SO-3', state: 'failed' },
      ]);
      expect((await list('?limit=-1')).status).toBe(400);
    });

    it('filters service tests by name', async () => {
      await call(`${sim.serviceTestUrl}/serviceTest`, { body: testBody({ name: 'wanted' }) });
      await call(`${sim.serviceTestUrl}/serviceTest`, { body: testBody({ name: 'other' }) });
      const res = await call(`${sim.serviceTestUrl}/serviceTest?name=wanted&fields=name`);
      expect(res.body).toEqual([{ id: expect.any(String), href: expect.any(String), name: 'wanted' }]);
      expect(res.headers.get('x-total-count')).toBe('1');
    });
  });

  it('sets scenarios and runtime options over HTTP, without ever showing the token', async () => {
    const scenario = await call(`${sim.url}/simulator/scenarios`, { body: { match: { externalId: 'SO-F' }, scenario: 'outcome=failed' } });
    expect(scenario.status).toBe(201);
    const { body } = await postOrder(orderBody({ externalId: 'SO-F' }));
    await waitFor(() => sim.serviceOrder(body.id)?.state === 'failed', 'failed');
    const bad = await call(`${sim.url}/simulator/scenarios`, { body: { match: { name: 'T' }, scenario: { outcome: 'partial' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('outcome "partial" is not one of completed|failed|pending|rejected for a service test');

    const config = await call(`${sim.url}/simulator/config`, {
      method: 'PATCH',
      body: { stepMs: 3, callbackToken: 'secret', notify: 'none' },
    });
    expect(config.body).toEqual({ stepMs: 3, callbackUrl: null, notify: 'none', callbackTokenSet: true });
    expect((await call(`${sim.url}/simulator/config`, { method: 'PATCH', body: { notify: 'carrier-pigeon' } })).status).toBe(400);
    sim.setOptions({ stepMs: 2, callbackToken: undefined, notify: 'events' });
    expect((await call(`${sim.url}/simulator/health`)).body).toEqual({ status: 'ok' });
  });
});
