import { decidingAttributes, evaluateRules, noMatchMessage, validateRuleConditions } from '../../../src/services/decision/decision';
import type { RuleConditionValue } from '../../../src/services/model/record-model';
import { domainOrder, rule, testRun } from '../record-factories';

const cond = (field: string, operator: RuleConditionValue['operator'], values: string[] = []): RuleConditionValue => ({
  field,
  operator,
  values,
});

describe('decidingAttributes', () => {
  it('gives a domain order its fields, action in TMF spelling, characteristics by name and no mode', () => {
    const order = domainOrder({
      action: 'NO_CHANGE',
      serviceId: 'svc-9',
      characteristics: [
        { name: 'bandwidth', value: '100M' },
        { name: 'vlan', value: '' },
        { name: 'bandwidth', value: 'ignored duplicate' },
      ],
    });
    expect(decidingAttributes('DOMAIN_ORDER', order)).toEqual({
      category: 'CFS',
      action: 'noChange',
      domain: 'FIXED',
      'specification.id': 'spec-internet',
      'specification.name': 'Internet Access',
      'relatedService.id': 'svc-9',
      'characteristic.bandwidth': '100M',
      'characteristic.vlan': '',
    });
  });

  it('leaves out what a domain order does not have', () => {
    const order = domainOrder({ category: null, domain: undefined, serviceSpecification: { id: 's' } });
    expect(decidingAttributes('DOMAIN_ORDER', order)).toEqual({ action: 'add', 'specification.id': 's' });
  });

  it('gives a test run the external spec id, mode and related service, and no category/action/domain', () => {
    const run = testRun({ mode: 'PROACTIVE', characteristics: [{ name: 'port', value: '3' }] });
    expect(decidingAttributes('TEST_RUN', run)).toEqual({
      'specification.id': 'EXT-SPEC-1',
      'specification.name': 'Line test',
      mode: 'PROACTIVE',
      'relatedService.id': 'svc-42',
      'characteristic.port': '3',
    });
  });
});

describe('evaluateRules', () => {
  const order = domainOrder({ characteristics: [{ name: 'tier', value: 'gold' }] });

  it('takes the first matching rule by ascending priority, whatever the input order', () => {
    const rules = [
      rule({ id: 'r300', name: 'c', priority: 300 }),
      rule({ id: 'r100', name: 'a', priority: 100, conditions: [cond('category', 'EQUALS', ['RFS'])] }),
      rule({ id: 'r200', name: 'b', priority: 200 }),
    ];
    expect(evaluateRules('DOMAIN_ORDER', order, rules)?.id).toBe('r200');
  });

  it('skips inactive rules and rules of the other subject', () => {
    const rules = [
      rule({ id: 'inactive', priority: 1, active: false }),
      rule({ id: 'test-run', priority: 2, subject: 'TEST_RUN' }),
      rule({ id: 'chosen', priority: 3 }),
    ];
    expect(evaluateRules('DOMAIN_ORDER', order, rules)?.id).toBe('chosen');
    expect(evaluateRules('TEST_RUN', testRun(), rules)?.id).toBe('test-run');
  });

  it('breaks priority ties by name, then by id', () => {
    const rules = [
      rule({ id: 'z', name: 'beta', priority: 5 }),
      rule({ id: 'y', name: 'alpha', priority: 5 }),
      rule({ id: 'x', name: 'alpha', priority: 5 }),
    ];
    expect(evaluateRules('DOMAIN_ORDER', order, rules)?.id).toBe('x');
    expect(evaluateRules('DOMAIN_ORDER', order, [...rules].reverse())?.id).toBe('x');
  });

  it('needs every condition of a rule to hold', () => {
    const r = rule({ conditions: [cond('category', 'EQUALS', ['CFS']), cond('domain', 'EQUALS', ['MOBILE'])] });
    expect(evaluateRules('DOMAIN_ORDER', order, [r])).toBeNull();
    const both = rule({ conditions: [cond('category', 'EQUALS', ['CFS']), cond('domain', 'EQUALS', ['FIXED'])] });
    expect(evaluateRules('DOMAIN_ORDER', order, [both])).toBe(both);
  });

  it('returns null when no rule matches or there are none', () => {
    expect(evaluateRules('DOMAIN_ORDER', order, [])).toBeNull();
    expect(evaluateRules('DOMAIN_ORDER', order, [rule({ conditions: [cond('category', 'EQUALS', ['RFS'])] })])).toBeNull();
  });

  const holds = (c: RuleConditionValue, record = order) => evaluateRules('DOMAIN_ORDER', record, [rule({ conditions: [c] })]) !== null;

  it.each([
    ['EQUALS same', cond('category', 'EQUALS', ['CFS']), true],
    ['EQUALS other', cond('category', 'EQUALS', ['RFS']), false],
    ['EQUALS is case-sensitive', cond('category', 'EQUALS', ['cfs']), false],
    ['EQUALS on absent attribute', cond('relatedService.id', 'EQUALS', ['svc-1']), false],
    ['NOT_EQUALS other', cond('category', 'NOT_EQUALS', ['RFS']), true],
    ['NOT_EQUALS same', cond('category', 'NOT_EQUALS', ['CFS']), false],
    ['NOT_EQUALS on absent attribute', cond('relatedService.id', 'NOT_EQUALS', ['svc-1']), true],
    ['IN listed', cond('domain', 'IN', ['MOBILE', 'FIXED']), true],
    ['IN not listed', cond('domain', 'IN', ['MOBILE', 'CORE']), false],
    ['IN on absent attribute', cond('relatedService.id', 'IN', ['svc-1']), false],
    ['EXISTS present', cond('specification.name', 'EXISTS'), true],
    ['EXISTS absent', cond('relatedService.id', 'EXISTS'), false],
    ['characteristic EQUALS', cond('characteristic.tier', 'EQUALS', ['gold']), true],
    ['characteristic EQUALS other', cond('characteristic.tier', 'EQUALS', ['silver']), false],
    ['characteristic name is case-sensitive', cond('characteristic.Tier', 'EXISTS'), false],
    ['characteristic IN', cond('characteristic.tier', 'IN', ['silver', 'gold']), true],
    ['characteristic EXISTS', cond('characteristic.tier', 'EXISTS'), true],
    ['characteristic EXISTS absent', cond('characteristic.colour', 'EXISTS'), false],
    ['characteristic NOT_EQUALS absent', cond('characteristic.colour', 'NOT_EQUALS', ['red']), true],
    ['specification.id EQUALS', cond('specification.id', 'EQUALS', ['spec-internet']), true],
  ])('%s', (_label, c, expected) => {
    expect(holds(c)).toBe(expected);
  });

  it('EXISTS does not hold for an empty characteristic value', () => {
    const blank = domainOrder({ characteristics: [{ name: 'vlan', value: '' }] });
    expect(holds(cond('characteristic.vlan', 'EXISTS'), blank)).toBe(false);
  });

  it('does not mistake object prototype names for attributes', () => {
    expect(holds(cond('constructor', 'EXISTS'))).toBe(false);
    expect(holds(cond('characteristic.toString', 'EXISTS'))).toBe(false);
  });

  it('compares action loosely: case, "_" and "-" do not matter', () => {
    const noChange = domainOrder({ action: 'NO_CHANGE' });
    expect(holds(cond('action', 'EQUALS', ['NO_CHANGE']), noChange)).toBe(true);
    expect(holds(cond('action', 'EQUALS', ['noChange']), noChange)).toBe(true);
    expect(holds(cond('action', 'EQUALS', ['no-change']), noChange)).toBe(true);
    expect(holds(cond('action', 'IN', ['ADD', 'NOCHANGE']), noChange)).toBe(true);
    expect(holds(cond('action', 'NOT_EQUALS', ['NO_CHANGE']), noChange)).toBe(false);
    expect(holds(cond('action', 'EQUALS', ['ADD']), noChange)).toBe(false);
  });

  it('compares mode loosely, and only for test runs', () => {
    const run = testRun({ mode: 'ON_DEMAND' });
    const runHolds = (c: RuleConditionValue) => evaluateRules('TEST_RUN', run, [rule({ subject: 'TEST_RUN', conditions: [c] })]) !== null;
    expect(runHolds(cond('mode', 'EQUALS', ['ONDEMAND']))).toBe(true);
    expect(runHolds(cond('mode', 'EQUALS', ['on_demand']))).toBe(true);
    expect(runHolds(cond('mode', 'EQUALS', ['PROACTIVE']))).toBe(false);
    expect(runHolds(cond('specification.name', 'EQUALS', ['line test']))).toBe(false);
    expect(runHolds(cond('specification.id', 'EQUALS', ['EXT-SPEC-1']))).toBe(true);
    expect(runHolds(cond('relatedService.id', 'IN', ['svc-41', 'svc-42']))).toBe(true);
  });
});

describe('noMatchMessage', () => {
  it('names the domain order, the table and its present attributes', () => {
    const order = domainOrder({
      number: 'DO0001004',
      domain: null,
      characteristics: [{ name: 'tier', value: 'gold' }],
    });
    expect(noMatchMessage('DOMAIN_ORDER', order)).toBe(
      'Domain order DO0001004 has no matching Service Order Outbound Policy rule ' +
        '(category=CFS, action=add, specification.id=spec-internet, specification.name=Internet Access)',
    );
  });

  it('names the test run and its mode, spec and related service', () => {
    expect(noMatchMessage('TEST_RUN', testRun({ number: 'TR0001002' }))).toBe(
      'Test run TR0001002 has no matching Test Run Outbound Policy rule ' +
        '(specification.id=EXT-SPEC-1, specification.name=Line test, mode=ON_DEMAND, relatedService.id=svc-42)',
    );
  });
});

describe('validateRuleConditions', () => {
  it('accepts good conditions of every kind', () => {
    expect(
      validateRuleConditions('DOMAIN_ORDER', [
        cond('category', 'EQUALS', ['CFS']),
        cond('action', 'IN', ['add', 'NO_CHANGE', 'Modify', 'delete']),
        cond('domain', 'NOT_EQUALS', ['MOBILE']),
        cond('characteristic.tier', 'EXISTS'),
        cond('characteristic.a.b', 'EQUALS', ['x']),
      ]),
    ).toEqual([]);
    expect(
      validateRuleConditions('TEST_RUN', [cond('mode', 'IN', ['ON_DEMAND', 'PROACTIVE', 'ONDEMAND']), cond('relatedService.id', 'EXISTS')]),
    ).toEqual([]);
  });

  it('reports unknown fields and empty characteristic names', () => {
    expect(
      validateRuleConditions('DOMAIN_ORDER', [cond('colour', 'EXISTS'), cond('characteristic.', 'EXISTS'), cond('Category', 'EXISTS')]),
    ).toEqual([
      {
        field: 'conditions[0].field',
        message:
          'Unknown condition field "colour"; use one of category, action, domain, specification.id, specification.name, mode, relatedService.id or characteristic.<name>',
      },
      { field: 'conditions[1].field', message: '"characteristic." needs a characteristic name after "characteristic."' },
      {
        field: 'conditions[2].field',
        message:
          'Unknown condition field "Category"; use one of category, action, domain, specification.id, specification.name, mode, relatedService.id or characteristic.<name>',
      },
    ]);
  });

  it('reports fields that do not apply to the subject', () => {
    expect(validateRuleConditions('TEST_RUN', [cond('category', 'EXISTS'), cond('action', 'EXISTS'), cond('domain', 'EXISTS')])).toEqual([
      { field: 'conditions[0].field', message: 'Condition field "category" does not apply to test runs' },
      { field: 'conditions[1].field', message: 'Condition field "action" does not apply to test runs' },
      { field: 'conditions[2].field', message: 'Condition field "domain" does not apply to test runs' },
    ]);
    expect(validateRuleConditions('DOMAIN_ORDER', [cond('mode', 'EQUALS', ['PROACTIVE'])])).toEqual([
      { field: 'conditions[0].field', message: 'Condition field "mode" does not apply to domain orders' },
    ]);
  });

  it('reports operators with the wrong number of values', () => {
    expect(
      validateRuleConditions('DOMAIN_ORDER', [
        cond('category', 'EQUALS', []),
        cond('category', 'NOT_EQUALS', ['A', 'B']),
        cond('category', 'IN', []),
        cond('category', 'EXISTS', ['CFS']),
      ]),
    ).toEqual([
      { field: 'conditions[0].values', message: 'EQUALS takes exactly one value, got 0' },
      { field: 'conditions[1].values', message: 'NOT_EQUALS takes exactly one value, got 2' },
      { field: 'conditions[2].values', message: 'IN takes at least one value' },
      { field: 'conditions[3].values', message: 'EXISTS takes no values, got 1' },
    ]);
  });

  it('reports empty values, unknown actions and unknown modes', () => {
    expect(validateRuleConditions('DOMAIN_ORDER', [cond('domain', 'IN', ['FIXED', '']), cond('action', 'IN', ['add', 'create'])])).toEqual([
      { field: 'conditions[0].values[1]', message: 'Values must not be empty' },
      { field: 'conditions[1].values[1]', message: '"create" is not an action; use add, modify, delete or noChange' },
    ]);
    expect(validateRuleConditions('TEST_RUN', [cond('mode', 'EQUALS', ['SCHEDULED'])])).toEqual([
      { field: 'conditions[0].values[0]', message: '"SCHEDULED" is not a test mode; use ON_DEMAND or PROACTIVE' },
    ]);
  });

  it('reports an unknown operator and tolerates missing values', () => {
    const odd = { field: 'category', operator: 'LIKE', values: undefined } as unknown as RuleConditionValue;
    expect(validateRuleConditions('DOMAIN_ORDER', [odd])).toEqual([
      { field: 'conditions[0].operator', message: 'Unknown operator "LIKE"; use EQUALS, NOT_EQUALS, IN or EXISTS' },
    ]);
  });
});
