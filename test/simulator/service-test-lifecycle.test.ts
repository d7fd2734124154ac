import { startSimulator, type Simulator } from '../../src/simulator';
import { call, testBody, waitFor } from './simulator-test-kit';

describe('TMF653 service tests', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 2 });
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  const create = (body: unknown, headers: Record<string, string> = {}) => call(`${sim.serviceTestUrl}/serviceTest`, { body, headers });
  const patch = (id: string, body: unknown) => call(`${sim.serviceTestUrl}/serviceTest/${id}`, { method: 'PATCH', body });
  const stateIs = (id: string, state: string) =>
    waitFor(() => sim.serviceTest(id)?.state === state && sim.serviceTest(id), `test ${id} ${state}`);

  it('accepts a valid test: 201, acknowledged, href and startDateTime set', async () => {
    const res = await create(testBody({ name: 'valid-test', mode: 'ONDEMAND' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'valid-test', mode: 'ONDEMAND', state: 'acknowledged', '@type': 'ServiceTest' });
    expect(res.body.href).toBe(`${sim.serviceTestUrl}/serviceTest/${res.body.id}`);
    expect(Date.parse(res.body.startDateTime)).not.toBeNaN();
  });

  it.each([
    ['name', { relatedService: { id: 's' }, testSpecification: { id: 't' } }],
    ['relatedService', { name: 'n', testSpecification: { id: 't' } }],
    ['testSpecification', { name: 'n', relatedService: { id: 's' } }],
  ])('rejects a test without %s: 400 naming /%s', async (field, body) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_REQUEST', status: '400', '@type': 'Error' });
    expect(res.body.message).toBe(
      `Request body does not match TMF653 ServiceTest_Create: /${field}: must have required property '${field}'`,
    );
  });

  it('completes with one measure per requested metric, echoing testMeasureDefinitionId', async () => {
    const { body } = await create(testBody());
    const test = await stateIs(body.id, 'completed');
    expect(test.endDateTime).toEqual(expect.any(String));
    expect(test.testMeasure).toEqual([
      {
        metricName: 'latency',
        unitOfMeasure: 'ms',
        captureDateTime: expect.any(String),
        value: { name: 'latency', value: 12.5, valueType: 'number' },
      },
      {
        metricName: 'throughput',
        testMeasureDefinitionId: 'def-2',
        unitOfMeasure: 'Mbps',
        captureDateTime: expect.any(String),
        value: { name: 'throughput', value: 940, valueType: 'number' },
      },
    ]);
  });

  it('takes measured values from the scenario and fails when it says so', async () => {
    const { body } = await create(testBody(), { 'X-Simulator-Scenario': 'outcome=failed; measure.latency=250' });
    const test = await stateIs(body.id, 'failed');
    expect(test.testMeasure!.map((m: any) => m.value.value)).toEqual([250, 940]);
  });

  it('fails a test carrying the simulatorOutcome characteristic, and rejects an outcome tests do not have', async () => {
    const { body } = await create(testBody({ characteristic: [{ name: 'simulatorOutcome', value: 'failed' }] }));
    await stateIs(body.id, 'failed');
    const bad = await create(testBody({ characteristic: [{ name: 'simulatorOutcome', value: 'partial' }] }));
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('/characteristic');
  });

  it('PATCH merges attributes (ServiceTest_Update) and PATCH state=cancelled cancels a running test', async () => {
    const { body } = await create(testBody(), { 'X-Simulator-Scenario': 'outcome=pending' });
    await stateIs(body.id, 'pending');
    const changed = await patch(body.id, { description: 'rerun after fix', state: 'cancelled' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ description: 'rerun after fix', state: 'cancelled', endDateTime: expect.any(String) });
    const fetched = await call(`${sim.serviceTestUrl}/serviceTest/${body.id}`);
    expect(fetched.body.state).toBe('cancelled');
  });

  it('refuses to cancel a completed test with 409, and validates the PATCH body', async () => {
    const { body } = await create(testBody());
    const invalid = await patch(body.id, { testMeasure: 'fast' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toContain('/testMeasure');
    await stateIs(body.id, 'completed');
    const res = await patch(body.id, { state: 'cancelled' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      code: 'INVALID_STATE',
      reason: 'Conflict',
      message: `Service test ${body.id} is completed and can no longer be cancelled`,
      status: '409',
      '@type': 'Error',
    });
  });

  it('answers 404 for an unknown test id', async () => {
    expect((await call(`${sim.serviceTestUrl}/serviceTest/nope`)).status).toBe(404);
    expect((await patch('nope', { state: 'cancelled' })).status).toBe(404);
    expect((await call(`${sim.serviceTestUrl}/serviceTest/nope`, { method: 'DELETE' })).status).toBe(404);
  });

  it('gives the first measure of a failed test the rule violation that failed it', async () => {
    const { body } = await create(testBody(), { 'X-Simulator-Scenario': 'outcome=failed; measure.latency=250' });
    const test = await stateIs(body.id, 'failed');
    expect(test.testMeasure![0].ruleViolation).toEqual([
      {
        name: 'latency conformance',
        description: 'Measured latency (250 ms) is outside its conformance target (simulator scenario)',
        thresholdRuleSeverity: 'critical',
      },
    ]);
    expect(test.testMeasure![1].ruleViolation).toBeUndefined();
  });

  it('measures before it ends: the test is still inProgress with its results, then completes', async () => {
    const { body } = await create(testBody(), { 'X-Simulator-Scenario': 'stepMs=30' });
    const measured = await waitFor(
      () => sim.serviceTest(body.id)?.testMeasure?.some((m) => m.value !== undefined) && sim.serviceTest(body.id),
      'measures',
    );
    expect(measured.state).toBe('inProgress');
    expect(measured.testMeasure!.map((m: any) => m.value.value)).toEqual([12.5, 940]);
    await stateIs(body.id, 'completed');
  });

  it('takes the scenario from a simulatorScenario characteristic', async () => {
    const { body } = await create(
      testBody({ characteristic: [{ name: 'simulatorScenario', value: 'outcome=failed; measure.throughput=12' }] }),
    );
    const test = await stateIs(body.id, 'failed');
    expect(test.testMeasure!.map((m: any) => m.value.value)).toEqual([12.5, 12]);
  });

  it('DELETE removes a test at once and stops it', async () => {
    const { body } = await create(testBody(), { 'X-Simulator-Scenario': 'stepMs=20' });
    const res = await call(`${sim.serviceTestUrl}/serviceTest/${body.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(sim.serviceTest(body.id)).toBeUndefined();
    expect((await call(`${sim.serviceTestUrl}/serviceTest/${body.id}`)).status).toBe(404);
  });
});
