import { FulfillmentState } from '../../entities/enums';
import {
  canonicalState,
  emptyReport,
  isObject,
  list,
  text,
  type Json,
  type ReportedMeasure,
  type ResourceReport,
} from '../tmf/resource-report';

/** TMF653's recommended ExecutionStateType values, and the v5 spelling of cancelled. */
export const SERVICE_TEST_STATES = [
  'acknowledged',
  'rejected',
  'pending',
  'inProgress',
  'cancelled',
  'canceled',
  'completed',
  'failed',
] as const;

/** completed → FULFILLED; failed, rejected → ERROR; cancelled/canceled → CANCELED; anything else → PENDING. */
export function serviceTestFulfillmentState(state: string): FulfillmentState {
  if (state === 'completed') return FulfillmentState.FULFILLED;
  if (state === 'failed' || state === 'rejected') return FulfillmentState.ERROR;
  if (state === 'cancelled' || state === 'canceled') return FulfillmentState.CANCELED;
  return FulfillmentState.PENDING;
}

/** In v4.2 a measure's value is a Characteristic whose own value is the result; a plain value is taken as it is. */
function measureValue(value: unknown): string | null {
  const v = isObject(value) ? value.value : value;
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.slice(0, 10_000);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v).slice(0, 10_000);
}

function measure(m: Json): ReportedMeasure | null {
  const metricName = text(m.metricName, 200);
  if (!metricName) return null;
  return {
    metricName,
    definitionId: text(m.testMeasureDefinitionId, 200) ?? text(m.id, 200),
    value: measureValue(m.value),
    unitOfMeasure: text(m.unitOfMeasure, 100),
    captureDateTime: text(m.captureDateTime, 100),
    ruleViolations: Array.isArray(m.ruleViolation) && m.ruleViolation.length > 0 ? m.ruleViolation : undefined,
  };
}

/** A TMF653 ServiceTest (whole or partial) as a report: its state and its measured results. */
export function readServiceTest(test: Json): ResourceReport {
  const report = emptyReport();
  report.resourceId = text(test.id, 200);
  report.state = canonicalState(test.state, SERVICE_TEST_STATES);
  report.measures = list(test.testMeasure)
    .map(measure)
    .filter((m): m is ReportedMeasure => m !== null);
  // TMF653 v4 gives a test no error field: a failed test's rule violations are what it reports as wrong.
  if (report.state === 'failed') {
    for (const m of report.measures) {
      for (const v of list(m.ruleViolations)) {
        const message = text(v.description) ?? text(v.name);
        if (message) report.errors.push({ value: { reason: `${m.metricName}: rule violated`, message }, recordNumbers: null });
      }
    }
  }
  return report;
}

/** What each TMF653 v4.2 listener event is about (its path: /listener/{name}). */
export const SERVICE_TEST_EVENTS = {
  serviceTestCreateEvent: 'resource',
  serviceTestAttributeValueChangeEvent: 'resource',
  serviceTestStateChangeEvent: 'resource',
  serviceTestDeleteEvent: 'deleted',
  serviceTestSpecificationCreateEvent: 'specification',
  serviceTestSpecificationAttributeValueChangeEvent: 'specification',
  serviceTestSpecificationDeleteEvent: 'specificationDeleted',
} as const;
