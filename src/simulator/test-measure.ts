import type { MeasureValue } from './scenario';
import { isObject, type Json } from './tmf-resources';

interface MetricProfile {
  pattern: RegExp;
  unit: string;
  value: MeasureValue;
}

/**
 * Plausible, fixed values per kind of metric, so that tests can assert exact results; a scenario's
 * `measures` overrides them. Order matters: "jitter" must win over "delay" in "delay jitter".
 */
const PROFILES: MetricProfile[] = [
  { pattern: /sync|status/i, unit: 'state', value: 'synchronised' },
  { pattern: /attenuation/i, unit: 'dB', value: 18.5 },
  { pattern: /noise|snr/i, unit: 'dB', value: 9.2 },
  { pattern: /jitter/i, unit: 'ms', value: 0.8 },
  { pattern: /latency|delay|rtt|round.?trip/i, unit: 'ms', value: 12.5 },
  { pattern: /loss/i, unit: '%', value: 0 },
  { pattern: /throughput|bandwidth|speed|rate/i, unit: 'Mbps', value: 940 },
  { pattern: /availability|uptime/i, unit: '%', value: 100 },
];
const FALLBACK: Omit<MetricProfile, 'pattern'> = { unit: 'count', value: 1 };

/**
 * The measured testMeasure[] of a test about to end: one entry per requested measure (the request's
 * testMeasure[] entries), keeping what the client sent (testMeasureDefinitionId included) and adding
 * metricName, unitOfMeasure, captureDateTime and the value as a v4 Characteristic {name, value, valueType}.
 */
export function measureAll(requested: unknown, overrides: Record<string, MeasureValue> | undefined, now: string): Json[] | undefined {
  if (!Array.isArray(requested)) return undefined;
  return requested.filter(isObject).map((r) => measureOne(r, overrides ?? {}, now));
}

function measureOne(requested: Json, overrides: Record<string, MeasureValue>, now: string): Json {
  const definitionId = typeof requested.testMeasureDefinitionId === 'string' ? requested.testMeasureDefinitionId : undefined;
  const metricName = typeof requested.metricName === 'string' ? requested.metricName : (definitionId ?? 'measure');
  const profile = PROFILES.find((p) => p.pattern.test(metricName)) ?? FALLBACK;
  const value = overrides[metricName] ?? (definitionId !== undefined ? overrides[definitionId] : undefined) ?? profile.value;
  return {
    ...requested,
    metricName,
    unitOfMeasure: typeof requested.unitOfMeasure === 'string' ? requested.unitOfMeasure : profile.unit,
    captureDateTime: now,
    value: { name: metricName, value, valueType: typeof value },
  };
}

/**
 * A measure that failed its test: TMF653 v4.2 gives a ServiceTest no error field, so the reason a test
 * failed travels as a MeasureThresholdRuleViolation on the measure, which the gateway keeps with the result.
 */
export function withRuleViolation(measure: Json): Json {
  const value = isObject(measure.value) ? measure.value.value : undefined;
  const violation = {
    name: `${String(measure.metricName)} conformance`,
    description: `Measured ${String(measure.metricName)} (${String(value)} ${String(measure.unitOfMeasure)}) is outside its conformance target (simulator scenario)`,
    thresholdRuleSeverity: 'critical',
  };
  return { ...measure, ruleViolation: [violation] };
}
