import {
  CancelDomainOrderDocument,
  CancelTestRunDocument,
  CreateDecisionRuleDocument,
  CreateDomainOrderDocument,
  CreateExternalSystemDocument,
  CreateTestRunDocument,
  CreateTestSpecificationDocument,
  DecisionRulesDocument,
  DiscardOutboundRequestDocument,
  DomainOrderDocument,
  DomainOrderIdsDocument,
  ExternalSystemsDocument,
  ResolveFalloutDocument,
  ReviseDomainOrderDocument,
  ReviseTestRunDocument,
  TestRunIdsDocument,
  TestSpecificationsDocument,
  UpdateDecisionRuleDocument,
} from '../__generated__/graphql';
import { MAX_CHARACTERISTICS_BYTES, unstorableText } from '../../src/services/common/input-checks';
import { code, startTestApp, type GqlResponse, type TestApp } from '../support/app';
import { createOrder, createRule, createRun, createSpec, createSystem, orderInput, runInput, systemInput } from './factories';

/** Text PostgreSQL cannot store: a lone high surrogate, a lone low surrogate, a NUL character. */
const BAD = [
  ['a lone high surrogate', 'ok \ud800 text', /^must be valid Unicode text: a lone surrogate \\ud800 is at position \d+$/],
  ['a lone low surrogate', '\udc00', /^must be valid Unicode text: a lone surrogate \\udc00 is at position \d+$/],
  ['a NUL character', 'nul\u0000here', /^must not contain a NUL character \(found at position \d+\)$/],
] as const;

describe('unstorableText', () => {
  it('names what is wrong and where, without quoting the text', () => {
    expect(BAD.map(([, text]) => unstorableText(text))).toEqual([
      'must be valid Unicode text: a lone surrogate \\ud800 is at position 3',
      'must be valid Unicode text: a lone surrogate \\udc00 is at position 0',
      'must not contain a NUL character (found at position 3)',
    ]);
    expect(unstorableText('\ude00\ud83d')).toBe('must be valid Unicode text: a lone surrogate \\ude00 is at position 0');
  });

  it('accepts every well-formed text, surrogate pairs (emoji, CJK extension B) included', () => {
    for (const text of ['', 'plain', '😀 100M', '𠀀', 'Ünïcödé – “quotes”', '\ud83d\ude00']) expect(unstorableText(text)).toBeNull();
  });
});

describe('Text PostgreSQL cannot store is BAD_USER_INPUT naming the field, in every input', () => {
  let app: TestApp;
  let ids: { order: string; run: string; spec: string; system: string; rule: string };
  beforeAll(async () => {
    app = await startTestApp({ env: { DISPATCH_ENABLED: 'false' } });
    const system = await createSystem(app);
    const spec = await createSpec(app);
    ids = {
      order: (await createOrder(app)).id,
      run: (await createRun(app, spec.id)).id,
      spec: spec.id,
      system: system.id,
      rule: (await createRule(app, system.id)).id,
    };
  });
  afterAll(() => app.close());

  /** Everything the cases below could have written, to show that nothing was. */
  async function snapshot() {
    return JSON.stringify([
      (await app.ok(DomainOrderIdsDocument, { first: 500 })).domainOrders,
      (await app.ok(DomainOrderDocument, { id: ids.order })).domainOrder,
      (await app.ok(TestRunIdsDocument, { first: 500 })).testRuns,
      (await app.ok(DecisionRulesDocument, {})).decisionRules,
      (await app.ok(ExternalSystemsDocument)).externalSystems,
      (await app.ok(TestSpecificationsDocument)).testSpecifications,
    ]);
  }

  const cases: [string, (bad: string) => Promise<GqlResponse<unknown>>][] = [
    [
      'input.characteristics[0].value',
      (bad) => app.gql(CreateDomainOrderDocument, { input: orderInput({ characteristics: [{ name: 'bandwidth', value: bad }] }) }),
    ],
    [
      'input.characteristics[0].name',
      (bad) => app.gql(CreateDomainOrderDocument, { input: orderInput({ characteristics: [{ name: bad, value: '1G' }] }) }),
    ],
    [
      'input.characteristics[0].valueType',
      (bad) => app.gql(CreateDomainOrderDocument, { input: orderInput({ characteristics: [{ name: 'b', value: '1G', valueType: bad }] }) }),
    ],
    [
      'input.serviceSpecification.id',
      (bad) => app.gql(CreateDomainOrderDocument, { input: orderInput({ serviceSpecification: { id: bad } }) }),
    ],
    [
      'input.serviceSpecification.name',
      (bad) => app.gql(CreateDomainOrderDocument, { input: orderInput({ serviceSpecification: { id: 's', name: bad } }) }),
    ],
    ['input.name', (bad) => app.gql(CreateDomainOrderDocument, { input: orderInput({ name: bad }) })],
    ['input.category', (bad) => app.gql(CreateDomainOrderDocument, { input: orderInput({ category: bad }) })],
    ['input.serviceId', (bad) => app.gql(CreateDomainOrderDocument, { input: orderInput({ action: 'MODIFY', serviceId: bad }) })],
    [
      'input.children[1].children[0].characteristics[0].value',
      (bad) =>
        app.gql(CreateDomainOrderDocument, {
          input: orderInput({
            children: [orderInput(), orderInput({ children: [orderInput({ characteristics: [{ name: 'n', value: bad }] })] })],
          }),
        }),
    ],
    [
      'input.characteristics[0].value',
      (bad) => app.gql(ReviseDomainOrderDocument, { id: ids.order, input: { characteristics: [{ name: 'b', value: bad }] } }),
    ],
    ['input.name', (bad) => app.gql(ReviseDomainOrderDocument, { id: ids.order, input: { name: bad } })],
    ['reason', (bad) => app.gql(CancelDomainOrderDocument, { id: ids.order, reason: bad })],
    ['input.name', (bad) => app.gql(CreateTestRunDocument, { input: runInput(ids.spec, { name: bad }) })],
    ['input.relatedServiceId', (bad) => app.gql(CreateTestRunDocument, { input: runInput(ids.spec, { relatedServiceId: bad }) })],
    [
      'input.characteristics[0].value',
      (bad) => app.gql(CreateTestRunDocument, { input: runInput(ids.spec, { characteristics: [{ name: 'n', value: bad }] }) }),
    ],
    [
      'input.characteristics[0].value',
      (bad) => app.gql(ReviseTestRunDocument, { id: ids.run, input: { characteristics: [{ name: 'n', value: bad }] } }),
    ],
    ['reason', (bad) => app.gql(CancelTestRunDocument, { id: ids.run, reason: bad })],
    [
      'input.conditions[0].values[1]',
      (bad) =>
        app.gql(CreateDecisionRuleDocument, {
          input: {
            subject: 'DOMAIN_ORDER',
            name: 'r',
            priority: 1,
            hierarchical: true,
            externalSystemId: ids.system,
            conditions: [{ field: 'category', operator: 'IN', values: ['CFS', bad] }],
          },
        }),
    ],
    [
      'input.conditions[0].field',
      (bad) =>
        app.gql(UpdateDecisionRuleDocument, {
          id: ids.rule,
          input: {
            subject: 'DOMAIN_ORDER',
            name: 'r',
            priority: 1,
            hierarchical: true,
            externalSystemId: ids.system,
            conditions: [{ field: `characteristic.${bad}`, operator: 'EXISTS' }],
          },
        }),
    ],
    [
      'input.name',
      (bad) =>
        app.gql(CreateDecisionRuleDocument, {
          input: { subject: 'DOMAIN_ORDER', name: bad, priority: 1, hierarchical: true, externalSystemId: ids.system },
        }),
    ],
    ['input.name', (bad) => app.gql(CreateExternalSystemDocument, { input: systemInput({ name: bad }) })],
    ['input.baseUrl', (bad) => app.gql(CreateExternalSystemDocument, { input: systemInput({ baseUrl: `https://tmf.example/${bad}` }) })],
    [
      'input.auth.password',
      (bad) =>
        app.gql(CreateExternalSystemDocument, {
          input: systemInput({ auth: { type: 'BASIC', username: 'u', password: `secret-${bad}` } }),
        }),
    ],
    [
      'input.inboundToken',
      (bad) => app.gql(CreateExternalSystemDocument, { input: systemInput({ inboundToken: `inbound-token-long-enough-${bad}` }) }),
    ],
    ['input.externalId', (bad) => app.gql(CreateTestSpecificationDocument, { input: { externalId: bad, name: 'spec' } })],
    [
      'input.measureDefinitions[0].metricName',
      (bad) =>
        app.gql(CreateTestSpecificationDocument, { input: { externalId: 'e', name: 'spec', measureDefinitions: [{ metricName: bad }] } }),
    ],
    ['reason', (bad) => app.gql(DiscardOutboundRequestDocument, { id: ids.order, reason: bad })],
    ['resolution', (bad) => app.gql(ResolveFalloutDocument, { id: ids.order, resolution: bad })],
  ];

  describe.each(BAD)('%s', (_what, bad, why) => {
    it.each(cases)('%s', async (field, call) => {
      const before = await snapshot();
      const res = await call(bad);
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe(field);
      const message = res.errors![0].message;
      expect(message.startsWith(`${field} `)).toBe(true);
      expect(message.slice(field.length + 1)).toMatch(why);
      expect(message).not.toContain(bad);
      expect(await snapshot()).toBe(before);
    });
  });

  it('surrogate pairs are stored and read back exactly', async () => {
    const value = '😀 𠀀 – fibre';
    const order = await createOrder(app, { name: value, characteristics: [{ name: 'emoji 😀', value }] });
    const read = (await app.ok(DomainOrderDocument, { id: order.id })).domainOrder!;
    expect(read.name).toBe(value);
    expect(read.characteristics).toEqual([{ name: 'emoji 😀', value, valueType: null }]);
  });

  describe(`a record's characteristics hold at most ${MAX_CHARACTERISTICS_BYTES} bytes together`, () => {
    const characteristics = (n: number, size: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, value: 'x'.repeat(size) }));

    it('more is refused with the size and the limit, on create and on revision, and nothing changes', async () => {
      const before = await snapshot();
      const create = await app.gql(CreateDomainOrderDocument, { input: orderInput({ characteristics: characteristics(7, 10_000) }) });
      expect(code(create)).toBe('BAD_USER_INPUT');
      expect(create.errors![0].extensions!.field).toBe('input.characteristics');
      expect(create.errors![0].message).toBe(
        `input.characteristics hold 70014 bytes together; a record's characteristics may hold at most ${MAX_CHARACTERISTICS_BYTES} (names, values and value types)`,
      );
      const revise = await app.gql(ReviseTestRunDocument, { id: ids.run, input: { characteristics: characteristics(7, 10_000) } });
      expect(code(revise)).toBe('BAD_USER_INPUT');
      expect(revise.errors![0].extensions!.field).toBe('input.characteristics');
      // Multi-byte characters count as what they take in UTF-8.
      const wide = await app.gql(CreateTestRunDocument, {
        input: runInput(ids.spec, { characteristics: characteristics(3, 10_000).map((c) => ({ ...c, value: '€'.repeat(10_000) })) }),
      });
      expect(wide.errors![0].message).toMatch(/^input\.characteristics hold 90006 bytes together/);
      expect(await snapshot()).toBe(before);
    });

    it('up to the limit is accepted', async () => {
      const order = await createOrder(app, { characteristics: characteristics(6, 10_000) });
      expect((await app.ok(DomainOrderDocument, { id: order.id })).domainOrder!.characteristics).toHaveLength(6);
    });
  });
});
