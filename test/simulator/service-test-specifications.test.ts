import { startSimulator, type Simulator } from '../../src/simulator';
import { CallbackListener, call, waitFor } from './simulator-test-kit';

describe('TMF653 service test specifications', () => {
  let sim: Simulator;
  let listener: CallbackListener;

  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 2 });
    listener = await new CallbackListener().start();
  });
  afterEach(() => {
    sim.reset();
    sim.setOptions({ callbackUrl: undefined, notify: 'events' });
    listener.received.length = 0;
  });
  afterAll(async () => {
    await sim.close();
    await listener.close();
  });

  const url = (suffix = '') => `${sim.serviceTestUrl}/serviceTestSpecification${suffix}`;
  const newSpecification = (overrides: Record<string, unknown> = {}) => ({
    name: 'DNS resolution test',
    version: '1.0',
    lifecycleStatus: 'In design',
    relatedServiceSpecification: [{ id: 'internet' }],
    testMeasureDefinition: [{ name: 'Resolution time', metricName: 'dnsResolutionTime', unitOfMeasure: 'ms', valueType: 'number' }],
    ...overrides,
  });

  it('starts with three active specifications whose measure definitions have no id', async () => {
    const res = await call(url());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-count')).toBe('3');
    expect(res.headers.get('x-result-count')).toBe('3');
    expect(res.body.map((s: any) => [s.id, s.name, s.version, s.lifecycleStatus])).toEqual([
      ['line-test', 'Access line test', '2.1', 'Active'],
      ['throughput-test', 'Throughput test', '1.4', 'Active'],
      ['latency-test', 'Latency and jitter test', '1.0', 'Active'],
    ]);
    expect(res.body[0].href).toBe(url('/line-test'));
    expect(res.body[2].testMeasureDefinition).toEqual([
      {
        name: 'Round-trip latency',
        metricName: 'latency',
        metricDescription: 'Median round-trip time of 100 probes',
        unitOfMeasure: 'ms',
        valueType: 'number',
      },
      {
        name: 'Jitter',
        metricName: 'jitter',
        metricDescription: 'Mean variation of the round-trip time',
        unitOfMeasure: 'ms',
        valueType: 'number',
      },
      {
        name: 'Packet loss',
        metricName: 'packetLoss',
        metricDescription: 'Share of probes without an answer',
        unitOfMeasure: '%',
        valueType: 'number',
      },
    ]);
    const definitions = res.body.flatMap((s: any) => s.testMeasureDefinition);
    expect(definitions.filter((d: any) => 'id' in d)).toEqual([]);
    expect(sim.serviceTestSpecifications()).toEqual(res.body);
  });

  it('pages with offset/limit and keeps only the requested fields', async () => {
    const page = await call(url('?offset=1&limit=1&fields=name'));
    expect(page.body).toEqual([{ id: 'throughput-test', href: url('/throughput-test'), name: 'Throughput test' }]);
    expect(page.headers.get('x-total-count')).toBe('3');
    expect(page.headers.get('x-result-count')).toBe('1');
    const beyond = await call(url('?offset=3&limit=10'));
    expect(beyond.body).toEqual([]);
    expect(beyond.headers.get('x-total-count')).toBe('3');
    expect((await call(url('?offset=x'))).status).toBe(400);
  });

  it('GET /{id} answers one specification, 404 for an unknown one', async () => {
    const one = await call(url('/throughput-test'));
    expect(one.body).toEqual(sim.serviceTestSpecification('throughput-test'));
    expect(one.body.testMeasureDefinition.map((d: any) => d.metricName)).toEqual(['downstreamThroughput', 'upstreamThroughput']);
    const missing = await call(url('/nope'));
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('No serviceTestSpecification with id nope');
  });

  it('POST validates against ServiceTestSpecification_Create and creates with id, href and lastUpdate', async () => {
    const refused = await call(url(), { body: { name: 'no related service' } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('/relatedServiceSpecification');
    const res = await call(url(), { body: newSpecification() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      ...newSpecification(),
      id: expect.any(String),
      '@type': 'ServiceTestSpecification',
      lastUpdate: expect.any(String),
    });
    expect(res.body.href).toBe(url(`/${res.body.id}`));
    expect(res.headers.get('location')).toBe(res.body.href);
    expect(sim.serviceTestSpecifications()).toHaveLength(4);
  });

  it('PATCH merges (ServiceTestSpecification_Update), replacing the definitions as a whole', async () => {
    expect((await call(url('/line-test'), { method: 'PATCH', body: { version: 3 } })).status).toBe(400);
    const definitions = [{ metricName: 'attenuation', unitOfMeasure: 'dB', valueType: 'number' }];
    const res = await call(url('/line-test'), { method: 'PATCH', body: { version: '2.2', testMeasureDefinition: definitions } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: 'line-test',
      name: 'Access line test',
      version: '2.2',
      testMeasureDefinition: definitions,
      lastUpdate: expect.any(String),
    });
    expect((await call(url('/nope'), { method: 'PATCH', body: { version: '1' } })).status).toBe(404);
  });

  it('DELETE removes a specification; reset() brings the seeded ones back', async () => {
    expect((await call(url('/latency-test'), { method: 'DELETE' })).status).toBe(204);
    expect((await call(url('/latency-test'))).status).toBe(404);
    expect((await call(url('/latency-test'), { method: 'DELETE' })).status).toBe(404);
    await call(url(), { body: newSpecification() });
    expect(sim.serviceTestSpecifications().map((s) => s.id)).toEqual(['line-test', 'throughput-test', expect.any(String)]);
    sim.reset();
    expect(sim.serviceTestSpecifications().map((s) => s.id)).toEqual(['line-test', 'throughput-test', 'latency-test']);
  });

  it('reports create, change and delete to TMF653 hubs and to the callback URL in events mode', async () => {
    await call(`${sim.serviceTestUrl}/hub`, { body: { callback: `${listener.url}/hub` } });
    sim.setOptions({ callbackUrl: listener.url });
    const created = (await call(url(), { body: newSpecification() })).body;
    await call(url(`/${created.id}`), { method: 'PATCH', body: { lifecycleStatus: 'Active', description: 'ready' } });
    await call(url(`/${created.id}`), { method: 'DELETE' });
    await waitFor(() => listener.received.length === 6, 'six deliveries');
    const at = (prefix: string) =>
      listener.received.filter((r) => r.path.startsWith(prefix)).map((r) => [r.path.slice(prefix.length), r.body.fieldPath]);
    const expected = [
      ['/listener/serviceTestSpecificationCreateEvent', undefined],
      ['/listener/serviceTestSpecificationAttributeValueChangeEvent', 'lifecycleStatus,description'],
      ['/listener/serviceTestSpecificationDeleteEvent', undefined],
    ];
    expect(at('/callbacks/hub')).toEqual(expected);
    expect(at('/callbacks/listener')).toEqual(expected.map(([path, fieldPath]) => [path!.slice('/listener'.length), fieldPath]));
    const deleted = listener.received.find((r) => r.body.eventType === 'ServiceTestSpecificationDeleteEvent')!;
    expect(deleted.body.event.serviceTestSpecification).toMatchObject({ id: created.id, lifecycleStatus: 'Active', description: 'ready' });
  });

  it('sends no specification events to the callback URL in outboundresponse mode', async () => {
    sim.setOptions({ callbackUrl: listener.url, notify: 'outboundresponse' });
    await call(url(), { body: newSpecification() });
    await sim.whenDeliveriesIdle();
    expect(listener.received).toEqual([]);
  });
});
