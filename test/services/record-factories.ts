import type {
  DecisionRuleRow,
  DomainOrderNode,
  MeasureDefinitionValue,
  TestRunNode,
  TestSpecificationValue,
} from '../../src/services/model/record-model';

/** Small builders of plain records for the pure-function tests. */

export function domainOrder(overrides: Partial<DomainOrderNode> = {}): DomainOrderNode {
  return {
    id: 'do-1',
    number: 'DO0001001',
    name: null,
    category: 'CFS',
    domain: 'FIXED',
    action: 'ADD',
    serviceSpecification: { id: 'spec-internet', name: 'Internet Access', version: '1.0' },
    serviceId: null,
    characteristics: [],
    children: [],
    ...overrides,
  };
}

/** A chain root → child → grandchild …, `depth` orders long; ids do-0 … do-(depth-1). */
export function orderChain(depth: number): DomainOrderNode {
  let node: DomainOrderNode | null = null;
  for (let level = depth - 1; level >= 0; level--) {
    node = domainOrder({
      id: `do-${level}`,
      number: `DO000${2000 + level}`,
      category: level === 0 ? 'CFS' : 'RFS',
      children: node ? [node] : [],
    });
  }
  return node as DomainOrderNode;
}

export function measure(n: number, overrides: Partial<MeasureDefinitionValue> = {}): MeasureDefinitionValue {
  return { id: `md-${n}`, definitionId: `def-${n}`, metricName: `metric${n}`, unitOfMeasure: 'ms', ...overrides };
}

export function testSpecification(overrides: Partial<TestSpecificationValue> = {}): TestSpecificationValue {
  return {
    id: 'ts-1',
    externalId: 'EXT-SPEC-1',
    name: 'Line test',
    version: '2.1',
    measureDefinitions: [measure(1)],
    ...overrides,
  };
}

export function testRun(overrides: Partial<TestRunNode> = {}): TestRunNode {
  return {
    id: 'tr-1',
    number: 'TR0001001',
    name: 'Line check',
    mode: 'ON_DEMAND',
    relatedServiceId: 'svc-42',
    characteristics: [],
    specification: testSpecification(),
    children: [],
    ...overrides,
  };
}

export function rule(overrides: Partial<DecisionRuleRow> = {}): DecisionRuleRow {
  return {
    id: 'rule-1',
    subject: 'DOMAIN_ORDER',
    name: 'default',
    priority: 100,
    active: true,
    conditions: [],
    hierarchical: false,
    externalSystemId: 'sys-1',
    ...overrides,
  };
}
