import {
  buildServiceTestCancellation,
  buildServiceTestCreate,
  buildServiceTestRevision,
  missingDefinitionIds,
} from '../../../src/services/tmf653/service-test.payload';
import { checkTmf } from '../../../src/services/tmf/tmf-schema';
import { measure, testRun, testSpecification } from '../record-factories';
import { undeclaredProperties } from '../tmf-strict';

type Test = Record<string, unknown> & { testMeasure?: Array<Record<string, unknown>>; characteristic?: unknown[] };

function expectValid(definition: string, payload: object): void {
  expect(checkTmf('TMF653', definition, payload)).toEqual({ valid: true, violations: [] });
}

describe('buildServiceTestCreate', () => {
  const run = testRun({
    number: 'TR0001002',
    name: 'Line check after repair',
    mode: 'ON_DEMAND',
    relatedServiceId: 'svc-42',
    characteristics: [
      { name: 'port', value: '3', valueType: 'integer' },
      { name: 'profile', value: 'fast' },
    ],
    specification: testSpecification({
      externalId: 'EXT-SPEC-7',
      version: '2.1',
      measureDefinitions: [
        measure(1, { metricName: 'latency', unitOfMeasure: 'ms', definitionId: 'def-lat' }),
        measure(2, { metricName: 'throughput', unitOfMeasure: 'Mbit/s', definitionId: 'def-thr' }),
        measure(3, { metricName: 'sync', unitOfMeasure: null, definitionId: 'def-sync' }),
      ],
    }),
  });

  it('builds the ServiceTest with mode in TMF spelling and one testMeasure per definition, in order', () => {
    const payload = buildServiceTestCreate(run, { requestId: 'req-9' });
    expect(payload).toEqual({
      name: 'TR0001002-req-9',
      description: 'Line check after repair',
      mode: 'ONDEMAND',
      relatedService: { id: 'svc-42' },
      testSpecification: { id: 'EXT-SPEC-7', version: '2.1', '@referredType': 'ServiceTestSpecification' },
      characteristic: [
        { name: 'port', value: '3', valueType: 'integer' },
        { name: 'profile', value: 'fast' },
      ],
      testMeasure: [
        { metricName: 'latency', unitOfMeasure: 'ms', testMeasureDefinitionId: 'def-lat', '@type': 'TestMeasure' },
        { metricName: 'throughput', unitOfMeasure: 'Mbit/s', testMeasureDefinitionId: 'def-thr', '@type': 'TestMeasure' },
        { metricName: 'sync', testMeasureDefinitionId: 'def-sync', '@type': 'TestMeasure' },
      ],
      '@type': 'ServiceTest',
    });
    expectValid('ServiceTest_Create', payload);
  });

  it('uses only declared properties, except the v5 testMeasureDefinitionId', () => {
    const payload = buildServiceTestCreate(run, { requestId: 'req-9' });
    expect(undeclaredProperties('TMF653', 'ServiceTest_Create', payload)).toEqual([
      '/testMeasure/0/testMeasureDefinitionId',
      '/testMeasure/1/testMeasureDefinitionId',
      '/testMeasure/2/testMeasureDefinitionId',
    ]);
  });

  it('sends PROACTIVE as is, and no state, version, characteristic or measure when there are none', () => {
    const bare = testRun({ mode: 'PROACTIVE', specification: testSpecification({ version: null, measureDefinitions: [] }) });
    const payload = buildServiceTestCreate(bare, { requestId: 'r' }) as Test;
    expect(payload).toEqual({
      name: 'TR0001001-r',
      description: 'Line check',
      mode: 'PROACTIVE',
      relatedService: { id: 'svc-42' },
      testSpecification: { id: 'EXT-SPEC-1', '@referredType': 'ServiceTestSpecification' },
      '@type': 'ServiceTest',
    });
    expectValid('ServiceTest_Create', payload);
    expect(undeclaredProperties('TMF653', 'ServiceTest_Create', payload)).toEqual([]);
  });

  it('gives every submission of the same run its own name', () => {
    const a = buildServiceTestCreate(run, { requestId: 'req-a' }) as Test;
    const b = buildServiceTestCreate(run, { requestId: 'req-b' }) as Test;
    expect([a.name, b.name]).toEqual(['TR0001002-req-a', 'TR0001002-req-b']);
  });

  it('preserves characteristic values with special characters exactly', () => {
    const values = ['"quoted"', 'back\\slash', 'ünï ✓ 🚀', '<b>&</b>', 'a\nb', ''];
    const characteristics = values.map((value, i) => ({ name: `k${i}`, value }));
    const payload = JSON.parse(JSON.stringify(buildServiceTestCreate(testRun({ characteristics }), { requestId: 'r' }))) as Test;
    expect(payload.characteristic).toEqual(characteristics);
    expectValid('ServiceTest_Create', payload);
  });

  it('is caught by the schema when a required field is missing', () => {
    const { relatedService: _omitted, ...broken } = buildServiceTestCreate(run, { requestId: 'r' }) as Test;
    expect(checkTmf('TMF653', 'ServiceTest_Create', broken)).toEqual({
      valid: false,
      violations: [{ path: '/relatedService', message: "must have required property 'relatedService'" }],
    });
  });
});

describe('missingDefinitionIds', () => {
  it('lists the definitions without a definitionId, in order', () => {
    const spec = testSpecification({
      measureDefinitions: [
        measure(1),
        measure(2, { definitionId: null }),
        measure(3, { definitionId: '' }),
        measure(4, { definitionId: '   ' }),
        measure(5, { definitionId: undefined }),
        measure(6),
      ],
    });
    expect(missingDefinitionIds(spec).map((d) => d.id)).toEqual(['md-2', 'md-3', 'md-4', 'md-5']);
    expect(missingDefinitionIds(testSpecification())).toEqual([]);
  });
});

describe('buildServiceTestRevision and buildServiceTestCancellation', () => {
  it('patches name, description and characteristics', () => {
    const run = testRun({ name: 'Renamed', characteristics: [{ name: 'port', value: '4' }] });
    const payload = buildServiceTestRevision(run, { requestId: 'req-1' });
    expect(payload).toEqual({ name: 'TR0001001-req-1', description: 'Renamed', characteristic: [{ name: 'port', value: '4' }] });
    expectValid('ServiceTest_Update', payload);
    expect(undeclaredProperties('TMF653', 'ServiceTest_Update', payload)).toEqual([]);
  });

  it('sends an empty characteristic list so removed characteristics are cleared', () => {
    expect(buildServiceTestRevision(testRun(), { requestId: 'r' })).toEqual({
      name: 'TR0001001-r',
      description: 'Line check',
      characteristic: [],
    });
  });

  it('cancels by setting the state', () => {
    const payload = buildServiceTestCancellation();
    expect(payload).toEqual({ state: 'cancelled' });
    expectValid('ServiceTest_Update', payload);
    expect(undeclaredProperties('TMF653', 'ServiceTest_Update', payload)).toEqual([]);
  });
});
