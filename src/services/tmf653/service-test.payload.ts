import type { MeasureDefinitionValue, TestMode, TestRunNode, TestSpecificationValue } from '../model/record-model';
import { isSet, toTmfCharacteristics } from '../tmf641/service-order.payload';

// TMF653 v4.2.0 request bodies. As for TMF641: declared properties only, no server-owned ones (id,
// href, state on create), no nulls. The one deliberate extra is testMeasure[].testMeasureDefinitionId,
// a v5 field the product requires so results can be matched to definitions; v4.2 servers ignore it.
// testSpecification carries no `name`: v4.2's ServiceTestSpecificationRef does not declare one.

type Json = Record<string, unknown>;

/** The TMF653 resource collection tests are created in, relative to the API root. */
export const SERVICE_TEST_COLLECTION = '/serviceTest';

/** TMF653 spelling of the test mode ("PROACTIVE" or "ONDEMAND" in the spec's field description). */
export const TMF_TEST_MODE: Record<TestMode, string> = {
  ON_DEMAND: 'ONDEMAND',
  PROACTIVE: 'PROACTIVE',
};

/**
 * The ServiceTest name for a run in a submission. Unique per submission because recovery after a crash
 * looks the test up by name at the external system before sending it again.
 */
export function serviceTestName(run: TestRunNode, requestId: string): string {
  return `${run.number}-${requestId}`;
}

/** The measure definitions that lack the external definition id; a run is only sent when this is empty. */
export function missingDefinitionIds(spec: TestSpecificationValue): MeasureDefinitionValue[] {
  return spec.measureDefinitions.filter((d) => !hasDefinitionId(d));
}

function hasDefinitionId(definition: MeasureDefinitionValue): boolean {
  return isSet(definition.definitionId?.trim());
}

function testMeasure(definition: MeasureDefinitionValue): Json {
  return {
    metricName: definition.metricName,
    ...(isSet(definition.unitOfMeasure) ? { unitOfMeasure: definition.unitOfMeasure } : {}),
    ...(hasDefinitionId(definition) ? { testMeasureDefinitionId: definition.definitionId } : {}),
    '@type': 'TestMeasure',
  };
}

/** TMF653 ServiceTest_Create for `POST /serviceTest`: one run (a ServiceTest has no children). */
export function buildServiceTestCreate(run: TestRunNode, opts: { requestId: string }): object {
  const spec = run.specification;
  const characteristics = toTmfCharacteristics(run.characteristics);
  const measures = spec.measureDefinitions.map(testMeasure);
  return {
    name: serviceTestName(run, opts.requestId),
    description: run.name,
    mode: TMF_TEST_MODE[run.mode],
    relatedService: { id: run.relatedServiceId },
    testSpecification: {
      id: spec.externalId,
      ...(isSet(spec.version) ? { version: spec.version } : {}),
      '@referredType': 'ServiceTestSpecification',
    },
    ...(characteristics.length > 0 ? { characteristic: characteristics } : {}),
    ...(measures.length > 0 ? { testMeasure: measures } : {}),
    '@type': 'ServiceTest',
  };
}

/**
 * TMF653 ServiceTest_Update for `PATCH /serviceTest/{id}`. `opts.requestId` is the one the run was
 * created under, so the name stays what the system already knows. The characteristic array is always
 * sent, empty included: under merge semantics an array replaces the old one, and an absent one would
 * leave removed characteristics in place. ServiceTest_Update skips `@type`.
 */
export function buildServiceTestRevision(run: TestRunNode, opts: { requestId: string }): object {
  return {
    name: serviceTestName(run, opts.requestId),
    description: run.name,
    characteristic: toTmfCharacteristics(run.characteristics),
  };
}

/** TMF653 v4 has no cancel task: a test is cancelled by patching its state. */
export function buildServiceTestCancellation(): object {
  return { state: 'cancelled' };
}
