import type { DomainOrderEntity } from '../../entities/domain-order.entity';
import type { TestRunEntity } from '../../entities/test-run.entity';
import type { TestMeasureDefinitionEntity, TestSpecificationEntity } from '../../entities/test-specification.entity';
import type { DomainOrderNode, TestRunNode, TestSpecificationValue } from '../model/record-model';

/** Rows of one subtree (parents before children) as the plain tree the pure functions take. */
function nest<R extends { id: string; parentId: string | null }, N extends { children: N[] }>(rows: R[], toNode: (row: R) => N): N {
  const nodes = new Map(rows.map((r) => [r.id, toNode(r)]));
  for (const r of rows.slice(1)) nodes.get(r.parentId!)?.children.push(nodes.get(r.id)!);
  return nodes.get(rows[0].id)!;
}

export function orderTree(rows: DomainOrderEntity[]): DomainOrderNode {
  return nest(rows, (o) => ({
    id: o.id,
    number: o.number,
    name: o.name,
    category: o.category,
    domain: o.domain,
    action: o.action,
    serviceSpecification: o.serviceSpecification,
    serviceId: o.serviceId,
    characteristics: o.characteristics,
    children: [],
  }));
}

export function specificationValue(spec: TestSpecificationEntity, definitions: TestMeasureDefinitionEntity[]): TestSpecificationValue {
  return {
    id: spec.id,
    externalId: spec.externalId,
    name: spec.name,
    version: spec.version,
    measureDefinitions: definitions.map((d) => ({
      id: d.id,
      definitionId: d.definitionId,
      metricName: d.metricName,
      unitOfMeasure: d.unitOfMeasure,
      valueType: d.valueType,
    })),
  };
}

export function testRunTree(rows: TestRunEntity[], specs: Map<string, TestSpecificationValue>): TestRunNode {
  return nest(rows, (r) => ({
    id: r.id,
    number: r.number,
    name: r.name,
    mode: r.mode,
    relatedServiceId: r.relatedServiceId,
    characteristics: r.characteristics,
    specification: specs.get(r.specificationId)!,
    children: [],
  }));
}
