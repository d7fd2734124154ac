import { Role } from '../../src/services/auth/roles';
import { checkTmf } from '../../src/services/tmf/tmf-schema';
import type { Simulator } from '../../src/simulator';
import {
  CreateTestRunDocument,
  E2eSetSystemEnabledDocument,
  E2eTestRunSpecificationDocument,
  ImportTestSpecificationsDocument,
  SubmitTestRunDocument,
  TestSpecificationsSyncedDocument,
  UpdateTestMeasureDefinitionDocument,
  UpdateTestSpecificationDocument,
  type ExternalSystemInput,
  type TestSpecificationsSyncedQuery,
} from '../__generated__/graphql';
import { unique } from '../graphql/factories';
import { undeclaredProperties } from '../services/tmf-strict';
import { code, type GqlResponse, type TestApp } from '../support/app';
import {
  CASE,
  caseRule,
  closedPort,
  orderingSystem,
  runStates,
  startStubPeer,
  testSystem,
  waitFor,
  waitForState,
  type PeerAnswer,
  type PeerRequest,
  type StubPeer,
} from './e2e-kit';
import { callback, callingBackSystem, closeInboundWorld, inboundMessages, startInboundWorld } from './inbound-kit';

type Spec = TestSpecificationsSyncedQuery['testSpecifications'][number];

/** The local copies of one system's specifications, by externalId. */
async function copiesOf(app: TestApp, systemId: string): Promise<Spec[]> {
  const all = (await app.ok(TestSpecificationsSyncedDocument)).testSpecifications;
  return all.filter((s) => s.externalSystem?.id === systemId).sort((a, b) => a.externalId.localeCompare(b.externalId));
}

async function importFrom(app: TestApp, systemId: string): Promise<Spec[]> {
  return (await app.ok(ImportTestSpecificationsDocument, { externalSystemId: systemId })).importTestSpecifications;
}

function copy(specs: Spec[], externalId: string): Spec {
  const found = specs.find((s) => s.externalId === externalId);
  if (!found) throw new Error(`no local copy of ${externalId} among ${specs.map((s) => s.externalId).join(', ')}`);
  return found;
}

const definition = (spec: Spec, metricName: string) => spec.measureDefinitions.find((d) => d.metricName === metricName)!;

/** A ServiceTestSpecification as a TMF653 v4.2 system lists it (its definitions carry no id). */
function remoteSpec(id: string, name: string, metrics: string[] = ['latency']) {
  return {
    id,
    name,
    version: '1.0',
    lifecycleStatus: 'Active',
    testMeasureDefinition: metrics.map((metricName) => ({ metricName, unitOfMeasure: 'ms', valueType: 'number' })),
  };
}

/** TMF paging over `catalogue`, at most `pageSize` a page (a server may cap the limit asked for), with or without X-Total-Count. */
function pages(catalogue: () => unknown[], pageSize: number, options: { total?: boolean } = {}) {
  return (req: PeerRequest): PeerAnswer => {
    const all = catalogue();
    const offset = Number(req.url.searchParams.get('offset') ?? 0);
    const limit = Math.min(Number(req.url.searchParams.get('limit') ?? pageSize), pageSize);
    const page = all.slice(offset, offset + limit);
    const headers: Record<string, string> = { 'x-result-count': String(page.length) };
    if (options.total !== false) headers['x-total-count'] = String(all.length);
    return { status: 200, headers, body: page };
  };
}

describe('E2E: test specifications from the test system, and the id field of their measure definitions', () => {
  let app: TestApp;
  let sim: Simulator;
  let peer: StubPeer;

  beforeAll(async () => {
    ({ app, sim } = await startInboundWorld());
    peer = await startStubPeer();
  });
  afterAll(async () => {
    await peer.close();
    await closeInboundWorld({ app, sim });
  });
  afterEach(() => {
    // The simulator's catalogue back to its three seeded specifications, and no callbacks.
    sim.reset();
    sim.setOptions({ notify: 'none' });
    peer.requests.length = 0;
  });

  const peerSystem = (overrides: Partial<ExternalSystemInput> = {}) =>
    testSystem(app, sim, { baseUrl: peer.baseUrl, timeoutMs: 2000, ...overrides });

  describe('import, the refusal for a missing id, filling it, the submission', () => {
    it('imports the simulator’s specifications with their definitions (no ids); a run is refused until they are filled, then sent with them', async () => {
      const system = await testSystem(app, sim);
      const imported = await importFrom(app, system.id);

      // What the simulator publishes, one local copy each, its definitions as listed and without ids.
      const published = sim.serviceTestSpecifications();
      expect(imported.map((s) => s.externalId).sort()).toEqual(published.map((s) => s.id).sort());
      for (const remote of published) {
        const local = copy(imported, remote.id);
        expect(local).toEqual({
          id: expect.any(String),
          externalId: remote.id,
          name: remote.name,
          version: remote.version,
          lifecycleStatus: 'Active',
          syncedAt: expect.any(String),
          externalSystem: { id: system.id, name: system.name },
          measureDefinitions: remote.testMeasureDefinition!.map((d) => ({
            id: expect.any(String),
            definitionId: null,
            metricName: d.metricName,
            unitOfMeasure: d.unitOfMeasure,
            valueType: d.valueType,
          })),
        });
      }
      expect(await copiesOf(app, system.id)).toEqual([...imported].sort((a, b) => a.externalId.localeCompare(b.externalId)));
      // The import read the catalogue from the simulator, once.
      expect(sim.countFor({ method: 'GET', path: '/serviceTestManagement/v4/serviceTestSpecification' }).received).toBe(1);

      await caseRule(app, system.id, 'imported-spec', { subject: 'TEST_RUN' });
      const latency = copy(imported, 'latency-test');
      const run = (
        await app.ok(CreateTestRunDocument, {
          input: {
            name: unique('Latency after repair'),
            specificationId: latency.id,
            relatedServiceId: 'svc-voip-7',
            characteristics: [{ name: CASE, value: 'imported-spec' }],
          },
        })
      ).createTestRun;
      const tester = app.token([Role.TEST_MANAGER]);

      const refused = await app.gql(SubmitTestRunDocument, { testRunId: run.id }, tester);
      expect(code(refused)).toBe('TEST_MEASURE_DEFINITION_ID_MISSING');
      for (const metric of ['latency', 'jitter', 'packetLoss']) {
        expect(refused.errors![0].message).toContain(`${run.number}: "${metric}" of test specification latency-test`);
      }
      expect(await runStates(app, run.id)).toMatchObject({ fulfillmentState: 'NOT_REQUESTED', outboundRequests: [] });

      // Fill the id field of two; the third still refuses, naming only itself.
      const filled = { latency: 'TMD-RTT-01', jitter: 'TMD-JIT-01', packetLoss: 'TMD-LOSS-01' };
      for (const metric of ['latency', 'jitter'] as const) {
        const d = definition(latency, metric);
        const updated = (
          await app.ok(UpdateTestMeasureDefinitionDocument, {
            id: d.id,
            input: { metricName: metric, definitionId: filled[metric], unitOfMeasure: d.unitOfMeasure, valueType: d.valueType },
          })
        ).updateTestMeasureDefinition;
        expect(updated).toEqual({ ...d, definitionId: filled[metric] });
      }
      const stillRefused = await app.gql(SubmitTestRunDocument, { testRunId: run.id }, tester);
      expect(code(stillRefused)).toBe('TEST_MEASURE_DEFINITION_ID_MISSING');
      expect(stillRefused.errors![0].message).toContain('"packetLoss"');
      expect(stillRefused.errors![0].message).not.toContain('"latency"');
      const loss = definition(latency, 'packetLoss');
      await app.ok(UpdateTestMeasureDefinitionDocument, {
        id: loss.id,
        input: { metricName: 'packetLoss', definitionId: filled.packetLoss, unitOfMeasure: '%', valueType: 'number' },
      });

      const submitted = (await app.ok(SubmitTestRunDocument, { testRunId: run.id }, tester)).submitTestRun;
      const [request] = submitted.outboundRequests;
      const payload = request.payload as { name: string; testMeasure: Record<string, unknown>[] };
      expect(checkTmf('TMF653', 'ServiceTest_Create', payload)).toEqual({ valid: true, violations: [] });
      expect(payload).toMatchObject({ testSpecification: { id: 'latency-test' }, relatedService: { id: 'svc-voip-7' } });
      expect(payload.testMeasure).toEqual([
        expect.objectContaining({ metricName: 'latency', unitOfMeasure: 'ms', testMeasureDefinitionId: filled.latency }),
        expect.objectContaining({ metricName: 'jitter', unitOfMeasure: 'ms', testMeasureDefinitionId: filled.jitter }),
        expect.objectContaining({ metricName: 'packetLoss', unitOfMeasure: '%', testMeasureDefinitionId: filled.packetLoss }),
      ]);
      await waitForState(app, request.id, 'DELIVERED');
      const [stored] = sim.serviceTests({ name: payload.name });
      expect(stored.testMeasure?.map((m) => m.testMeasureDefinitionId)).toEqual([filled.latency, filled.jitter, filled.packetLoss]);
    });

    it('re-importing keeps filled ids and applies what changed at the system: a renamed specification, an added and a removed definition', async () => {
      const system = await testSystem(app, sim);
      const first = await importFrom(app, system.id);
      const line = copy(first, 'line-test');
      const attenuation = definition(line, 'attenuation');
      const noise = definition(line, 'signalToNoiseMargin');
      await app.ok(UpdateTestMeasureDefinitionDocument, {
        id: attenuation.id,
        input: { metricName: 'attenuation', definitionId: 'TMD-ATT' },
      });
      await app.ok(UpdateTestMeasureDefinitionDocument, {
        id: noise.id,
        input: { metricName: 'signalToNoiseMargin', definitionId: 'TMD-SNR', unitOfMeasure: 'dB', valueType: 'number' },
      });

      // At the test system: line-test renamed, a definition added and one (lineSyncStatus) dropped.
      const remote = sim.serviceTestSpecification('line-test')!;
      const changed = await fetch(`${sim.serviceTestUrl}/serviceTestSpecification/line-test`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({
          name: 'Access line test (G.fast)',
          version: '2.2',
          testMeasureDefinition: [
            ...remote.testMeasureDefinition!.filter((d) => d.metricName !== 'lineSyncStatus'),
            { name: 'Crosstalk', metricName: 'crosstalk', unitOfMeasure: 'dB', valueType: 'number' },
          ],
        }),
      });
      expect(changed.status).toBe(200);

      const second = await importFrom(app, system.id);
      const again = copy(second, 'line-test');
      expect(again).toMatchObject({ id: line.id, name: 'Access line test (G.fast)', version: '2.2', lifecycleStatus: 'Active' });
      expect(again.measureDefinitions).toEqual([
        { ...attenuation, definitionId: 'TMD-ATT' },
        { ...noise, definitionId: 'TMD-SNR' },
        { id: expect.any(String), definitionId: null, metricName: 'crosstalk', unitOfMeasure: 'dB', valueType: 'number' },
      ]);
      expect(new Date(again.syncedAt!).getTime()).toBeGreaterThanOrEqual(new Date(line.syncedAt!).getTime());
      // The others are the same copies, unchanged; nothing was duplicated.
      expect(second.map((s) => s.id).sort()).toEqual(first.map((s) => s.id).sort());
      expect(copy(second, 'throughput-test')).toEqual({ ...copy(first, 'throughput-test'), syncedAt: expect.any(String) });
      expect(await copiesOf(app, system.id)).toHaveLength(3);
    });
  });

  describe('paging, auth, and failed imports', () => {
    const catalogue = [1, 2, 3, 4, 5].map((n) => remoteSpec(`peer-spec-${n}`, `Peer specification ${n}`, ['latency', `metric${n}`]));

    it('reads every page (TMF offset/limit, X-Total-Count), each request with the system’s credentials', async () => {
      const system = await peerSystem({ auth: { type: 'BEARER', token: 'peer-bearer-token-0042' } });
      peer.answer = pages(() => catalogue, 2);
      const imported = await importFrom(app, system.id);

      expect(imported.map((s) => s.externalId).sort()).toEqual(catalogue.map((s) => s.id));
      expect(copy(imported, 'peer-spec-4').measureDefinitions.map((d) => d.metricName)).toEqual(['latency', 'metric4']);
      expect(
        peer.requests.map((r) => [r.method, r.url.pathname, r.url.searchParams.get('offset'), r.url.searchParams.get('limit')]),
      ).toEqual([
        ['GET', '/tmf-api/serviceTestManagement/v4/serviceTestSpecification', '0', '100'],
        ['GET', '/tmf-api/serviceTestManagement/v4/serviceTestSpecification', '2', '100'],
        ['GET', '/tmf-api/serviceTestManagement/v4/serviceTestSpecification', '4', '100'],
      ]);
      expect(peer.requests.map((r) => r.headers.authorization)).toEqual(Array(3).fill('Bearer peer-bearer-token-0042'));
      expect(peer.requests.every((r) => r.headers.accept === 'application/json')).toBe(true);
    });

    it('without X-Total-Count reads on until a page is empty; basic auth reaches the system too', async () => {
      const system = await peerSystem({ auth: { type: 'BASIC', username: 'southgate', password: 'peer-basic-password' } });
      peer.answer = pages(() => catalogue, 2, { total: false });
      const imported = await importFrom(app, system.id);

      expect(imported).toHaveLength(5);
      expect(peer.requests.map((r) => r.url.searchParams.get('offset'))).toEqual(['0', '2', '4', '5']);
      const basic = `Basic ${Buffer.from('southgate:peer-basic-password').toString('base64')}`;
      expect(new Set(peer.requests.map((r) => r.headers.authorization))).toEqual(new Set([basic]));
    });

    /** Bytes past what the client reads of one answer (8 MiB). */
    const huge = JSON.stringify([remoteSpec('peer-spec-3', 'x'.repeat(9 * 1024 * 1024))]);
    const TOKEN = 'peer-secret-token-7f3a9c';

    // What the system answers for the second page (the first, with a renamed specification, is fine).
    const failures: [string, PeerAnswer, RegExp][] = [
      [
        'a 4xx',
        { status: 404, body: { code: '404', reason: 'Not found', message: 'No such resource' } },
        /HTTP 404 Not Found: Not found: No such resource/,
      ],
      [
        'a 5xx',
        { status: 503, body: { code: '503', reason: 'Down for maintenance' } },
        /HTTP 503 Service Unavailable: Down for maintenance/,
      ],
      [
        'a 401 whose body repeats the credentials',
        { status: 401, body: { code: '401', reason: 'Unauthorized', message: `token Bearer ${TOKEN} is not valid here` } },
        /HTTP 401 Unauthorized: Unauthorized: token Bearer \[redacted\] is not valid here/,
      ],
      ['an answer that is not a list', { body: { id: 'peer-spec-3', name: 'one, not a list' } }, /did not answer a list of specifications/],
      ['a specification without an id', { body: [{ name: 'Nameless id' }] }, /Specification #3 of the answer has no id/],
      ['a specification without a name', { body: [{ id: 'peer-spec-3' }] }, /Specification peer-spec-3 has no name/],
      ['an entry that is not an object', { body: ['peer-spec-3'] }, /Specification #3 of the answer is not an object/],
      ['bad JSON', { raw: '[{"id": "peer-spec-3", "name": ' }, /did not answer JSON/],
      ['an answer too big to read', { raw: huge }, /answered more than 8 MiB/],
      ['no answer within the system’s timeout', { hang: true }, /timed out/i],
      [
        'a system that ignores offset',
        { headers: { 'x-total-count': '5' }, body: catalogue.slice(0, 2) },
        /says it has 5 specifications, but GET .* repeated earlier ones/,
      ],
    ];

    it.each(failures)('%s changes nothing and says what to fix (BAD_USER_INPUT)', async (_what, failure, message) => {
      const system = await peerSystem({ timeoutMs: 1000, auth: { type: 'BEARER', token: TOKEN } });
      const served = catalogue.slice(0, 4);
      peer.answer = pages(() => served, 2);
      await importFrom(app, system.id);
      const before = await copiesOf(app, system.id);
      expect(before).toHaveLength(4);

      // Now the first page would rename a specification, and the second page fails.
      served[0] = { ...served[0], name: 'Renamed on the first page' };
      const healthy = pages(() => served, 2);
      peer.answer = (req) => (req.url.searchParams.get('offset') === '0' ? healthy(req) : failure);
      peer.requests.length = 0;
      const res = await app.gql(ImportTestSpecificationsDocument, { externalSystemId: system.id });

      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe('externalSystemId');
      expect(res.errors![0].message).toMatch(message);
      expect(res.errors![0].message).not.toContain(TOKEN);
      expect(res.data).toBeNull();
      expect(peer.requests.map((r) => r.url.searchParams.get('offset'))).toEqual(['0', '2']);
      expect(await copiesOf(app, system.id)).toEqual(before);
    });

    it('an unreachable system changes nothing and says to check it is up', async () => {
      const system = await peerSystem({ baseUrl: `http://127.0.0.1:${await closedPort()}/tmf-api/serviceTestManagement/v4` });
      const res = await app.gql(ImportTestSpecificationsDocument, { externalSystemId: system.id });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toMatch(/serviceTestSpecification\?offset=0&limit=100 failed: .*ECONNREFUSED/);
      expect(res.errors![0].message).toContain(`check that ${system.name} is up and its base URL is the TMF653 API root`);
      expect(await copiesOf(app, system.id)).toEqual([]);
    });

    it('the address policy of sends holds: a metadata address stored before the policy was tightened is never connected to', async () => {
      const system = await peerSystem();
      // As a row written by an older version would hold it; the API itself refuses such a base URL.
      await app.db.dataSource.query('UPDATE external_system SET base_url = $1 WHERE id = $2', [
        'http://169.254.169.254/tmf-api/serviceTestManagement/v4',
        system.id,
      ]);
      const res = await app.gql(ImportTestSpecificationsDocument, { externalSystemId: system.id });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toMatch(/failed: 169\.254\.169\.254 is a link-local or cloud metadata address/);
      expect(await copiesOf(app, system.id)).toEqual([]);
    });

    it('a TMF641 system, or a disabled one, is refused before anything is sent', async () => {
      const ordering = await orderingSystem(app, peer.baseUrl);
      const res = await app.gql(ImportTestSpecificationsDocument, { externalSystemId: ordering.id });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toBe(
        `${ordering.name} is a SERVICE_ORDERING_TMF641 system; test specifications are imported from a SERVICE_TEST_TMF653 system`,
      );

      const input = { name: unique('Disabled diagnostics'), api: 'SERVICE_TEST_TMF653' as const, baseUrl: peer.baseUrl };
      const disabled = await testSystem(app, sim, input);
      await app.ok(E2eSetSystemEnabledDocument, { id: disabled.id, input: { ...input, enabled: false } });
      const off = await app.gql(ImportTestSpecificationsDocument, { externalSystemId: disabled.id });
      expect(code(off)).toBe('EXTERNAL_SYSTEM_DISABLED');
      expect(off.errors![0].message).toBe(`External system ${disabled.name} is disabled; enable it to import from it`);

      expect(peer.requests).toEqual([]);
      expect([...(await copiesOf(app, ordering.id)), ...(await copiesOf(app, disabled.id))]).toEqual([]);
    });
  });

  describe('updateTestSpecification', () => {
    it('replaces name, version and definitions; a definition matched by metricName keeps its row and filled id; omitted definitions stay', async () => {
      const system = await testSystem(app, sim);
      const throughput = copy(await importFrom(app, system.id), 'throughput-test');
      const down = definition(throughput, 'downstreamThroughput');
      const up = definition(throughput, 'upstreamThroughput');
      await app.ok(UpdateTestMeasureDefinitionDocument, { id: down.id, input: { metricName: down.metricName, definitionId: 'TMD-DOWN' } });

      const updated = (
        await app.ok(UpdateTestSpecificationDocument, {
          id: throughput.id,
          input: {
            externalId: 'throughput-test',
            name: 'Throughput test (local name)',
            version: '1.5',
            measureDefinitions: [
              { metricName: 'latency', unitOfMeasure: 'ms', definitionId: 'TMD-RTT' },
              { metricName: 'downstreamThroughput', unitOfMeasure: 'Mbit/s', valueType: 'number' },
            ],
          },
        })
      ).updateTestSpecification;
      expect(updated).toEqual({
        ...throughput,
        name: 'Throughput test (local name)',
        version: '1.5',
        measureDefinitions: [
          { id: expect.any(String), definitionId: 'TMD-RTT', metricName: 'latency', unitOfMeasure: 'ms', valueType: null },
          { ...down, definitionId: 'TMD-DOWN', unitOfMeasure: 'Mbit/s' },
        ],
      });
      expect(updated.measureDefinitions.map((d) => d.id)).not.toContain(up.id);

      // Without measureDefinitions only the name and version change.
      const renamed = (
        await app.ok(UpdateTestSpecificationDocument, {
          id: throughput.id,
          input: { externalId: 'throughput-test', name: 'Renamed again' },
        })
      ).updateTestSpecification;
      expect(renamed).toEqual({ ...updated, name: 'Renamed again', version: null });
    });

    const refusals: [string, Record<string, unknown>, string][] = [
      ['an empty name', { name: ' ' }, 'input.name'],
      [
        'a metric listed twice',
        { measureDefinitions: [{ metricName: 'm' }, { metricName: 'm' }] },
        'input.measureDefinitions[1].metricName',
      ],
      [
        'a definitionId used twice',
        {
          measureDefinitions: [
            { metricName: 'a', definitionId: 'X' },
            { metricName: 'b', definitionId: 'X' },
          ],
        },
        'input.measureDefinitions[1].definitionId',
      ],
      ['a definition without a metric', { measureDefinitions: [{ metricName: '' }] }, 'input.measureDefinitions[0].metricName'],
      ['another externalId for a copy of a system’s specification', { externalId: 'something-else' }, 'input.externalId'],
      ['a NUL character', { name: 'bad\u0000name' }, 'input.name'],
    ];

    it.each(refusals)('refuses %s with BAD_USER_INPUT naming the field, writing nothing', async (_what, change, field) => {
      const system = await testSystem(app, sim);
      const latency = copy(await importFrom(app, system.id), 'latency-test');
      const before = await copiesOf(app, system.id);
      const input = { externalId: 'latency-test', name: 'Changed', measureDefinitions: [{ metricName: 'latency' }], ...change };
      const res = await app.gql(UpdateTestSpecificationDocument, { id: latency.id, input: input as never });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe(field);
      expect(await copiesOf(app, system.id)).toEqual(before);
    });

    it('updateTestMeasureDefinition: the metric and the id are enough to fill it; what the input leaves out stays, null clears it', async () => {
      const system = await testSystem(app, sim);
      const latency = copy(await importFrom(app, system.id), 'latency-test');
      const jitter = definition(latency, 'jitter');
      const filled = (
        await app.ok(UpdateTestMeasureDefinitionDocument, { id: jitter.id, input: { metricName: 'jitter', definitionId: 'TMD-JIT' } })
      ).updateTestMeasureDefinition;
      expect(filled).toEqual({ ...jitter, definitionId: 'TMD-JIT', unitOfMeasure: 'ms', valueType: 'number' });

      const changed = (
        await app.ok(UpdateTestMeasureDefinitionDocument, { id: jitter.id, input: { metricName: 'jitterMs', unitOfMeasure: null } })
      ).updateTestMeasureDefinition;
      expect(changed).toEqual({ ...filled, metricName: 'jitterMs', unitOfMeasure: null });
      expect(definition(copy(await copiesOf(app, system.id), 'latency-test'), 'jitterMs')).toEqual(changed);
    });

    it('updateTestMeasureDefinition refuses an id or a metric another definition of the specification has, and an unknown definition', async () => {
      const system = await testSystem(app, sim);
      const latency = copy(await importFrom(app, system.id), 'latency-test');
      const [rtt, jitter] = latency.measureDefinitions;
      await app.ok(UpdateTestMeasureDefinitionDocument, { id: rtt.id, input: { metricName: rtt.metricName, definitionId: 'TMD-1' } });
      const before = await copiesOf(app, system.id);

      const sameId = await app.gql(UpdateTestMeasureDefinitionDocument, {
        id: jitter.id,
        input: { metricName: 'jitter', definitionId: 'TMD-1' },
      });
      expect([code(sameId), sameId.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'input.definitionId']);
      const sameMetric = await app.gql(UpdateTestMeasureDefinitionDocument, { id: jitter.id, input: { metricName: 'latency' } });
      expect([code(sameMetric), sameMetric.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'input.metricName']);
      const unknown = await app.gql(UpdateTestMeasureDefinitionDocument, { id: latency.id, input: { metricName: 'jitter' } });
      expect(code(unknown)).toBe('NOT_FOUND');
      expect(await copiesOf(app, system.id)).toEqual(before);
    });
  });

  describe('serviceTestSpecification events', () => {
    const url = (suffix = '') => `${sim.serviceTestUrl}/serviceTestSpecification${suffix}`;
    const send = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(url(path), {
        method,
        headers: { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.status).toBeLessThan(300);
      return res.status === 204 ? null : ((await res.json()) as { id: string });
    };
    const until = (systemId: string, ok: (specs: Spec[]) => boolean, what: string) =>
      waitFor(async () => {
        const specs = await copiesOf(app, systemId);
        return ok(specs) ? specs : null;
      }, what);

    it('create, attribute value change and delete update the local copy; a deleted one stays, and its runs can be read', async () => {
      const { system } = await callingBackSystem(app, sim, 'tests');
      const line = copy(await importFrom(app, system.id), 'line-test');
      const attenuation = definition(line, 'attenuation');
      await app.ok(UpdateTestMeasureDefinitionDocument, {
        id: attenuation.id,
        input: { metricName: 'attenuation', definitionId: 'TMD-ATT' },
      });

      // Create: a new specification appears, as the event describes it.
      const created = (await send('POST', '', {
        name: 'Voice quality test',
        version: '1.0',
        lifecycleStatus: 'In design',
        relatedServiceSpecification: [{ id: 'voip' }],
        testMeasureDefinition: [{ metricName: 'mos', unitOfMeasure: 'MOS', valueType: 'number' }],
      }))!;
      const afterCreate = await until(system.id, (s) => s.some((x) => x.externalId === created.id), 'the created specification');
      expect(copy(afterCreate, created.id)).toMatchObject({
        name: 'Voice quality test',
        lifecycleStatus: 'In design',
        externalSystem: { id: system.id },
        measureDefinitions: [{ definitionId: null, metricName: 'mos', unitOfMeasure: 'MOS', valueType: 'number' }],
      });

      // Attribute value change: line-test renamed and given another definition; the filled id stays.
      const remote = sim.serviceTestSpecification('line-test')!;
      await send('PATCH', '/line-test', {
        name: 'Access line test, revised',
        testMeasureDefinition: [...remote.testMeasureDefinition!, { name: 'Crosstalk', metricName: 'crosstalk', unitOfMeasure: 'dB' }],
      });
      const afterChange = await until(
        system.id,
        (s) => copy(s, 'line-test').name === 'Access line test, revised',
        'the change of line-test',
      );
      const changed = copy(afterChange, 'line-test');
      expect(changed.id).toBe(line.id);
      expect(changed.measureDefinitions.map((d) => [d.metricName, d.definitionId])).toEqual([
        ['lineSyncStatus', null],
        ['attenuation', 'TMD-ATT'],
        ['signalToNoiseMargin', null],
        ['crosstalk', null],
      ]);

      // Delete: the copy is kept, marked deleted, and a run that uses it still reads it.
      const run = (
        await app.ok(CreateTestRunDocument, { input: { name: unique('Line check'), specificationId: line.id, relatedServiceId: 'svc-1' } })
      ).createTestRun;
      await send('DELETE', '/line-test');
      await until(system.id, (s) => copy(s, 'line-test').lifecycleStatus === 'deleted', 'line-test marked deleted');
      const read = (await app.ok(E2eTestRunSpecificationDocument, { id: run.id }, app.token([Role.VIEWER]))).testRun!;
      expect(read.specification).toMatchObject({ id: line.id, name: 'Access line test, revised', lifecycleStatus: 'deleted' });
      expect(read.specification.measureDefinitions.find((d) => d.metricName === 'attenuation')!.definitionId).toBe('TMD-ATT');

      // Every event was applied, and each is a valid TMF653 v4.2 event.
      await sim.whenDeliveriesIdle();
      const messages = (await inboundMessages(app, { externalSystemId: system.id })).edges.map((e) => e.node);
      expect(messages.map((m) => [m.eventType, m.outcome]).sort()).toEqual(
        [
          ['ServiceTestSpecificationCreateEvent', 'APPLIED'],
          ['ServiceTestSpecificationAttributeValueChangeEvent', 'APPLIED'],
          ['ServiceTestSpecificationDeleteEvent', 'APPLIED'],
        ].sort(),
      );
      for (const m of messages) {
        expect(checkTmf('TMF653', m.eventType!, m.body)).toEqual({ valid: true, violations: [] });
        expect(undeclaredProperties('TMF653', m.eventType!, m.body)).toEqual([]);
      }
      // The other copies saw nothing.
      expect(copy(await copiesOf(app, system.id), 'latency-test').lifecycleStatus).toBe('Active');
    });
  });

  describe('serviceTestSpecification events sent by hand', () => {
    const post = (systemId: string, token: string, eventType: string, specification: Record<string, unknown>, eventId = unique('evt')) =>
      callback(
        app,
        `${systemId}/listener/${eventType[0].toLowerCase()}${eventType.slice(1)}`,
        {
          eventId: eventId.replace(/\s/g, '-'),
          eventTime: new Date().toISOString(),
          eventType,
          event: { serviceTestSpecification: specification },
        },
        { token },
      );

    it('a partial change merges, a repeated event is a DUPLICATE, and an event about a specification it cannot know is STALE with why', async () => {
      const { system, token } = await callingBackSystem(app, sim, 'tests', { notify: 'none' });
      const line = copy(await importFrom(app, system.id), 'line-test');

      // The same event id twice: the second is a duplicate, whatever it says.
      const lifecycle = (lifecycleStatus: string) =>
        post(system.id, token, 'ServiceTestSpecificationAttributeValueChangeEvent', { id: 'line-test', lifecycleStatus }, 'evt-partial');
      const partial = await lifecycle('Retired');
      expect([partial.status, partial.body.outcome]).toEqual([201, 'APPLIED']);
      const retired = copy(await copiesOf(app, system.id), 'line-test');
      expect(retired).toEqual({ ...line, lifecycleStatus: 'Retired', syncedAt: expect.any(String) });

      const again = await lifecycle('Active');
      expect([again.status, again.body.outcome]).toEqual([201, 'DUPLICATE']);
      expect(copy(await copiesOf(app, system.id), 'line-test').lifecycleStatus).toBe('Retired');

      const unknown = await post(system.id, token, 'ServiceTestSpecificationDeleteEvent', { id: 'never-listed' });
      expect([unknown.status, unknown.body.outcome]).toEqual([201, 'STALE']);
      const stored = (await inboundMessages(app, { externalSystemId: system.id })).edges.map((e) => e.node);
      expect(stored.find((m) => m.id === unknown.body.id)!.reason).toBe(
        'No local copy of never-listed to mark deleted, and it names no name to create one with',
      );
      expect((await copiesOf(app, system.id)).map((s) => s.externalId)).not.toContain('never-listed');
    });
  });

  describe('roles', () => {
    it('a viewer sees the imported copies; only an administrator may import or change them', async () => {
      const system = await testSystem(app, sim);
      const latency = copy(await importFrom(app, system.id), 'latency-test');
      const before = await copiesOf(app, system.id);

      const viewer = app.token([Role.VIEWER]);
      const seen = (await app.ok(TestSpecificationsSyncedDocument, undefined, viewer)).testSpecifications;
      expect(seen.filter((s) => s.externalSystem?.id === system.id).sort((a, b) => a.externalId.localeCompare(b.externalId))).toEqual(
        before,
      );

      const calls: ((token: string) => Promise<GqlResponse<unknown>>)[] = [
        (t) => app.gql(ImportTestSpecificationsDocument, { externalSystemId: system.id }, t),
        (t) => app.gql(UpdateTestSpecificationDocument, { id: latency.id, input: { externalId: 'latency-test', name: 'Mine' } }, t),
        (t) =>
          app.gql(
            UpdateTestMeasureDefinitionDocument,
            { id: latency.measureDefinitions[0].id, input: { metricName: 'latency', definitionId: 'TMD-X' } },
            t,
          ),
      ];
      const requestsBefore = sim.countFor({ method: 'GET', path: '/serviceTestManagement/v4/serviceTestSpecification' }).received;
      for (const role of [Role.VIEWER, Role.TEST_MANAGER, Role.ORDER_FULFILLMENT_MANAGER, Role.SERVICE_ORDER_MANAGER]) {
        for (const call of calls) {
          const res = await call(app.token([role]));
          expect(code(res)).toBe('FORBIDDEN');
        }
      }
      expect(sim.countFor({ method: 'GET', path: '/serviceTestManagement/v4/serviceTestSpecification' }).received).toBe(requestsBefore);
      expect(await copiesOf(app, system.id)).toEqual(before);
    });
  });
});
