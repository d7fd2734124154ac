import { randomUUID } from 'node:crypto';
import {
  CreateDecisionRuleDocument,
  DecisionRulesDocument,
  DeleteDecisionRuleDocument,
  UpdateDecisionRuleDocument,
  type DecisionRuleInput,
} from '../__generated__/graphql';
import { code, startTestApp, type TestApp } from '../support/app';
import { createRule, createSystem } from './factories';

describe('Decision rules', () => {
  let app: TestApp;
  let orderSystem: { id: string; name: string };
  let testSystem: { id: string; name: string };
  beforeAll(async () => {
    app = await startTestApp();
    orderSystem = await createSystem(app, { name: 'Fixed activation' });
    testSystem = await createSystem(app, { name: 'Line diagnostics', api: 'SERVICE_TEST_TMF653' });
  });
  afterAll(() => app.close());

  const orderRule = (overrides: Partial<DecisionRuleInput> = {}): DecisionRuleInput => ({
    subject: 'DOMAIN_ORDER',
    name: 'CFS to fixed activation',
    priority: 10,
    hierarchical: true,
    externalSystemId: orderSystem.id,
    conditions: [
      { field: 'category', operator: 'EQUALS', values: ['CFS'] },
      { field: 'action', operator: 'IN', values: ['add', 'MODIFY', 'noChange'] },
      { field: 'characteristic.technology', operator: 'EXISTS' },
    ],
    ...overrides,
  });

  it('creates a rule with its conditions and resolves its external system', async () => {
    const { createDecisionRule: rule } = await app.ok(CreateDecisionRuleDocument, { input: orderRule() });
    expect(rule).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      subject: 'DOMAIN_ORDER',
      name: 'CFS to fixed activation',
      priority: 10,
      active: true, // default
      hierarchical: true,
      conditions: [
        { field: 'category', operator: 'EQUALS', values: ['CFS'] },
        { field: 'action', operator: 'IN', values: ['add', 'MODIFY', 'noChange'] },
        { field: 'characteristic.technology', operator: 'EXISTS', values: [] },
      ],
      externalSystem: { id: orderSystem.id, name: 'Fixed activation' },
    });
    const listed = (await app.ok(DecisionRulesDocument, { subject: 'DOMAIN_ORDER' })).decisionRules;
    expect(listed).toContainEqual(rule);
  });

  it('lists rules by ascending priority (then name) and filters by subject', async () => {
    const late = await createRule(app, orderSystem.id, { name: 'b late', priority: 300 });
    const early = await createRule(app, orderSystem.id, { name: 'z early', priority: -5 });
    const tieB = await createRule(app, orderSystem.id, { name: 'tie b', priority: 200 });
    const tieA = await createRule(app, orderSystem.id, { name: 'tie a', priority: 200 });
    const test = await createRule(app, testSystem.id, { subject: 'TEST_RUN', name: 'all tests', priority: 1, hierarchical: false });

    const mine = new Set([late.id, early.id, tieA.id, tieB.id]);
    const orders = (await app.ok(DecisionRulesDocument, { subject: 'DOMAIN_ORDER' })).decisionRules;
    expect(orders.filter((r) => mine.has(r.id)).map((r) => r.name)).toEqual(['z early', 'tie a', 'tie b', 'b late']);
    const priorities = orders.map((r) => r.priority);
    expect(priorities).toEqual([...priorities].sort((a, b) => a - b));
    expect(orders.every((r) => r.subject === 'DOMAIN_ORDER')).toBe(true);

    const tests = (await app.ok(DecisionRulesDocument, { subject: 'TEST_RUN' })).decisionRules;
    expect(tests).toEqual([test]);
    expect(test.externalSystem).toEqual({ id: testSystem.id, name: 'Line diagnostics' });

    const everything = (await app.ok(DecisionRulesDocument, {})).decisionRules.map((r) => r.id);
    expect(everything).toEqual(expect.arrayContaining([...mine, test.id]));
    expect(everything).toHaveLength(orders.length + tests.length);
  });

  it('updates every field of a rule', async () => {
    const rule = await createRule(app, orderSystem.id, {
      name: 'to update',
      conditions: [{ field: 'domain', operator: 'EQUALS', values: ['FIXED'] }],
    });
    const other = await createSystem(app, { name: 'Mobile activation' });
    const { updateDecisionRule } = await app.ok(UpdateDecisionRuleDocument, {
      id: rule.id,
      input: {
        subject: 'DOMAIN_ORDER',
        name: 'updated',
        priority: 7,
        active: false,
        hierarchical: false,
        externalSystemId: other.id,
        conditions: [{ field: 'specification.id', operator: 'NOT_EQUALS', values: ['spec-legacy'] }],
      },
    });
    expect(updateDecisionRule).toEqual({
      id: rule.id,
      subject: 'DOMAIN_ORDER',
      name: 'updated',
      priority: 7,
      active: false,
      hierarchical: false,
      conditions: [{ field: 'specification.id', operator: 'NOT_EQUALS', values: ['spec-legacy'] }],
      externalSystem: { id: other.id, name: 'Mobile activation' },
    });
    expect((await app.ok(DecisionRulesDocument, { subject: 'DOMAIN_ORDER' })).decisionRules).toContainEqual(updateDecisionRule);
  });

  it('deletes a rule: true, then it is gone, and deleting it again is NOT_FOUND', async () => {
    const rule = await createRule(app, orderSystem.id, { name: 'to delete' });
    expect((await app.ok(DeleteDecisionRuleDocument, { id: rule.id })).deleteDecisionRule).toBe(true);
    const ids = (await app.ok(DecisionRulesDocument, {})).decisionRules.map((r) => r.id);
    expect(ids).not.toContain(rule.id);
    const again = await app.gql(DeleteDecisionRuleDocument, { id: rule.id });
    expect(code(again)).toBe('NOT_FOUND');
    expect(again.errors![0].extensions!.field).toBe('id');
  });

  it('an unknown rule id is NOT_FOUND on update and delete', async () => {
    for (const id of [randomUUID(), 'rule-1']) {
      const update = await app.gql(UpdateDecisionRuleDocument, { id, input: orderRule() });
      expect(code(update)).toBe('NOT_FOUND');
      expect(update.errors![0].message).toContain(id);
      expect(code(await app.gql(DeleteDecisionRuleDocument, { id }))).toBe('NOT_FOUND');
    }
  });

  describe('bad input is refused, naming the field, and nothing is stored', () => {
    const cases: [string, () => Partial<DecisionRuleInput>, string][] = [
      ['an empty name', () => ({ name: ' ' }), 'input.name'],
      [
        'an unknown condition field',
        () => ({ conditions: [{ field: 'colour', operator: 'EQUALS', values: ['red'] }] }),
        'input.conditions[0].field',
      ],
      [
        'a field that does not apply to the subject (mode for domain orders)',
        () => ({ conditions: [{ field: 'mode', operator: 'EQUALS', values: ['ON_DEMAND'] }] }),
        'input.conditions[0].field',
      ],
      [
        'a characteristic condition without a name',
        () => ({ conditions: [{ field: 'characteristic.', operator: 'EXISTS' }] }),
        'input.conditions[0].field',
      ],
      [
        'EQUALS with two values',
        () => ({ conditions: [{ field: 'category', operator: 'EQUALS', values: ['CFS', 'RFS'] }] }),
        'input.conditions[0].values',
      ],
      ['EQUALS without a value', () => ({ conditions: [{ field: 'category', operator: 'EQUALS' }] }), 'input.conditions[0].values'],
      ['IN without values', () => ({ conditions: [{ field: 'domain', operator: 'IN', values: [] }] }), 'input.conditions[0].values'],
      [
        'EXISTS with values',
        () => ({ conditions: [{ field: 'characteristic.vlan', operator: 'EXISTS', values: ['100'] }] }),
        'input.conditions[0].values',
      ],
      [
        'an action value that is not a TMF action',
        () => ({
          conditions: [
            { field: 'category', operator: 'EXISTS' },
            { field: 'action', operator: 'IN', values: ['add', 'upgrade'] },
          ],
        }),
        'input.conditions[1].values[1]',
      ],
      [
        'an empty condition value',
        () => ({ conditions: [{ field: 'domain', operator: 'EQUALS', values: [''] }] }),
        'input.conditions[0].values[0]',
      ],
      [
        'a NUL character in a condition value (PostgreSQL cannot store it)',
        () => ({ conditions: [{ field: 'domain', operator: 'EQUALS', values: ['FIX\u0000ED'] }] }),
        'input.conditions[0].values[0]',
      ],
      ['a DOMAIN_ORDER rule pointing to a TMF653 system', () => ({ externalSystemId: testSystem.id }), 'input.externalSystemId'],
      [
        'a TEST_RUN rule pointing to a TMF641 system',
        () => ({ subject: 'TEST_RUN', conditions: [], externalSystemId: orderSystem.id }),
        'input.externalSystemId',
      ],
    ];

    it.each(cases)('%s', async (_what, overrides, field) => {
      const name = `refused ${field} ${Math.random()}`;
      const base = orderRule({ name });
      const res = await app.gql(CreateDecisionRuleDocument, { input: { ...base, ...overrides() } });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe(field);
      expect(res.errors![0].message).toContain(field);
      expect((await app.ok(DecisionRulesDocument, {})).decisionRules.map((r) => r.name)).not.toContain(name);
    });

    it('an unknown external system is NOT_FOUND naming input.externalSystemId', async () => {
      const id = randomUUID();
      const res = await app.gql(CreateDecisionRuleDocument, { input: orderRule({ externalSystemId: id }) });
      expect(code(res)).toBe('NOT_FOUND');
      expect(res.errors![0].extensions!.field).toBe('input.externalSystemId');
      expect(res.errors![0].message).toBe(`External system "${id}" does not exist (input.externalSystemId)`);
    });

    it('a refused update leaves the rule as it was', async () => {
      const rule = await createRule(app, orderSystem.id, { name: 'stays' });
      const res = await app.gql(UpdateDecisionRuleDocument, {
        id: rule.id,
        input: orderRule({ name: 'changed', conditions: [{ field: 'action', operator: 'EQUALS', values: ['replace'] }] }),
      });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe('input.conditions[0].values[0]');
      expect((await app.ok(DecisionRulesDocument, {})).decisionRules).toContainEqual(rule);
    });
  });
});
