import { list, text, type Json } from '../tmf/resource-report';

/** A TMF653 ServiceTestSpecification as the gateway keeps it; an absent field is "not said" (partial events). */
export interface SpecificationReport {
  externalId?: string;
  name?: string;
  version?: string;
  lifecycleStatus?: string;
  /** Undefined when the resource does not carry testMeasureDefinition at all. */
  definitions?: DefinitionReport[];
}

export interface DefinitionReport {
  metricName: string;
  unitOfMeasure?: string;
  valueType?: string;
  /** v4.2 defines no id for a TestMeasureDefinition; some systems send one all the same. */
  definitionId?: string;
}

/** Reads a ServiceTestSpecification; definitions without a metricName are skipped (there is nothing to match them by). */
export function readServiceTestSpecification(spec: Json): SpecificationReport {
  const definitions =
    'testMeasureDefinition' in spec
      ? list(spec.testMeasureDefinition).flatMap((d): DefinitionReport[] => {
          const metricName = text(d.metricName, 200);
          if (!metricName) return [];
          return [
            { metricName, unitOfMeasure: text(d.unitOfMeasure, 50), valueType: text(d.valueType, 50), definitionId: text(d.id, 200) },
          ];
        })
      : undefined;
  return {
    externalId: text(spec.id, 200),
    name: text(spec.name, 200),
    version: text(spec.version, 50),
    lifecycleStatus: text(spec.lifecycleStatus, 50),
    definitions,
  };
}
