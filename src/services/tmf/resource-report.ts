import type { FulfillmentState } from '../../entities/enums';

/**
 * What an external system said about one of its resources (a service order, a service test, a cancel
 * task), read leniently from a TMF event, a status call or a poll, as plain data the gateway applies to
 * its records. Absent means "not said": a partial report never blanks out what the records show.
 */
export interface ResourceReport {
  /** The resource's id at the external system (the id recorded when our request was delivered). */
  resourceId?: string;
  /** Our correlation key as the system echoes it (TMF641 externalId: the submission's requestId). */
  correlationId?: string;
  /** The resource's state, in the spec's own spelling when it is one of its states. */
  state?: string;
  /** States of parts that map onto single records (TMF641 items: item id = domain order number), nested too. */
  partStates: { recordNumber: string; state: string }[];
  /** Errors reported, each for the records it names (null: every record of the resource). */
  errors: Reported<ReportedError>[];
  milestones: Reported<ReportedMilestone>[];
  jeopardyAlerts: Reported<ReportedJeopardyAlert>[];
  /** TMF653 results. */
  measures: ReportedMeasure[];
}

export interface Reported<T> {
  value: T;
  /** Record numbers it names; null when it names none (it concerns the whole resource). */
  recordNumbers: string[] | null;
}

export interface ReportedError {
  code?: string;
  reason?: string;
  message?: string;
  status?: string;
}

export interface ReportedMilestone {
  id?: string;
  name: string;
  description?: string;
  message?: string;
  status?: string;
  milestoneDate?: string;
}

export interface ReportedJeopardyAlert {
  id?: string;
  name: string;
  jeopardyType?: string;
  exception?: string;
  message?: string;
  alertDate?: string;
}

export interface ReportedMeasure {
  metricName: string;
  /** The definition id the system names (TMF653 v5 testMeasureDefinitionId, or a measure's own id). */
  definitionId?: string;
  value: string | null;
  unitOfMeasure?: string;
  captureDateTime?: string;
  ruleViolations?: unknown;
}

export const emptyReport = (): ResourceReport => ({ partStates: [], errors: [], milestones: [], jeopardyAlerts: [], measures: [] });

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A non-empty string, trimmed and cut to `max` characters; undefined for anything else. */
export function text(value: unknown, max = 2000): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t === '' ? undefined : t.slice(0, max);
}

export function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** A state in the spelling of `known` when it matches one in any case ("INPROGRESS" → "inProgress"), else as sent. */
export function canonicalState(value: unknown, known: readonly string[]): string | undefined {
  const raw = text(value, 100);
  if (raw === undefined) return undefined;
  const folded = raw.toLowerCase().replace(/[\s_-]/g, '');
  return known.find((k) => k.toLowerCase() === folded) ?? raw;
}

/** The record numbers a list of item refs names (`itemId`, else `id`); null when there are none. */
export function itemRefs(value: unknown): string[] | null {
  const ids = list(value)
    .map((ref) => text(ref.itemId) ?? text(ref.id))
    .filter((id): id is string => id !== undefined);
  return ids.length > 0 ? ids : null;
}

/** What a listener event is about: a record's resource, its deletion, a request for information, a cancel task, a test specification. */
export type ListenerEventMeaning =
  | 'resource'
  | 'deleted'
  | 'informationRequired'
  | 'cancelTask'
  | 'cancelInformationRequired'
  | 'specification'
  | 'specificationDeleted';

/** The outbound request that shares a cancellation with the external system. */
export interface CancelRequestPlan {
  httpMethod: string;
  path: string;
  payload: object;
}

/** A state carried as part of a FulfillmentState-typed value (kept here so the pure modules need no enum import). */
export type FulfillmentStateName = `${FulfillmentState}`;
