import { CreateTestSpecificationDocument, TestSpecificationsDocument, type TestSpecificationInput } from '../__generated__/graphql';
import { code, startTestApp, type TestApp } from '../support/app';

describe('Test specifications', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  const input = (overrides: Partial<TestSpecificationInput> = {}): TestSpecificationInput => ({
    externalId: 'TS-LINE-001',
    name: 'Line quality test',
    version: '2.1',
    measureDefinitions: [
      { definitionId: 'def-sync', metricName: 'syncRate', unitOfMeasure: 'kbit/s', valueType: 'integer' },
      { definitionId: 'def-snr', metricName: 'snrMargin', unitOfMeasure: 'dB', valueType: 'number' },
      { metricName: 'loopLength' },
      { definitionId: 'def-crc', metricName: 'crcErrors' },
    ],
    ...overrides,
  });

  it('creates a specification with its measure definitions, in the order given', async () => {
    const { createTestSpecification: spec } = await app.ok(CreateTestSpecificationDocument, { input: input() });
    expect(spec).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      externalId: 'TS-LINE-001',
      name: 'Line quality test',
      version: '2.1',
      measureDefinitions: [
        { id: expect.any(String), definitionId: 'def-sync', metricName: 'syncRate', unitOfMeasure: 'kbit/s', valueType: 'integer' },
        { id: expect.any(String), definitionId: 'def-snr', metricName: 'snrMargin', unitOfMeasure: 'dB', valueType: 'number' },
        // A definition may be stored without its id; it is then reported before sending (TEST_MEASURE_DEFINITION_ID_MISSING).
        { id: expect.any(String), definitionId: null, metricName: 'loopLength', unitOfMeasure: null, valueType: null },
        { id: expect.any(String), definitionId: 'def-crc', metricName: 'crcErrors', unitOfMeasure: null, valueType: null },
      ],
    });
    expect(new Set(spec.measureDefinitions.map((d) => d.id)).size).toBe(4);
    expect((await app.ok(TestSpecificationsDocument)).testSpecifications).toContainEqual(spec);
  });

  it('lists specifications by name, each with its own definitions', async () => {
    const b = (await app.ok(CreateTestSpecificationDocument, { input: input({ externalId: 'B', name: 'B spec', measureDefinitions: [] }) }))
      .createTestSpecification;
    const a = (
      await app.ok(CreateTestSpecificationDocument, {
        input: input({
          externalId: 'A',
          name: 'A spec',
          version: null,
          measureDefinitions: [{ definitionId: 'def-sync', metricName: 'sync' }],
        }),
      })
    ).createTestSpecification;
    const listed = (await app.ok(TestSpecificationsDocument)).testSpecifications;
    const names = listed.map((s) => s.name);
    expect(names).toEqual([...names].sort());
    expect(listed.find((s) => s.id === b.id)!.measureDefinitions).toEqual([]);
    // The same definitionId in another specification is fine.
    expect(listed.find((s) => s.id === a.id)).toEqual({ ...a, version: null });
    expect(a.measureDefinitions.map((d) => d.definitionId)).toEqual(['def-sync']);
  });

  const refused: [string, Partial<TestSpecificationInput>, string][] = [
    [
      'a definitionId used twice',
      {
        measureDefinitions: [
          { definitionId: 'def-a', metricName: 'a' },
          { definitionId: 'def-b', metricName: 'b' },
          { definitionId: 'def-a', metricName: 'c' },
        ],
      },
      'input.measureDefinitions[2].definitionId',
    ],
    ['an empty externalId', { externalId: ' ' }, 'input.externalId'],
    ['an empty name', { name: '' }, 'input.name'],
    [
      'a definition without a metric name',
      { measureDefinitions: [{ definitionId: 'x', metricName: '  ' }] },
      'input.measureDefinitions[0].metricName',
    ],
  ];

  it.each(refused)('refuses %s with BAD_USER_INPUT naming the field, storing nothing', async (_what, overrides, field) => {
    const name = `refused ${field}`;
    const res = await app.gql(CreateTestSpecificationDocument, { input: input({ name, ...overrides }) });
    expect(code(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe(field);
    expect(res.errors![0].message).toContain(field);
    const names = (await app.ok(TestSpecificationsDocument)).testSpecifications.map((s) => s.name);
    expect(names).not.toContain(name);
  });
});
