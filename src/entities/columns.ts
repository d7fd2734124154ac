import type { ValueTransformer } from 'typeorm';

/** PostgreSQL bigint comes back as a string; our sequences stay far below 2^53. */
export const bigintNumber: ValueTransformer = {
  to: (v: number | undefined) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};

export interface CharacteristicValue {
  name: string;
  value: string;
  valueType?: string | null;
}

export interface SpecificationRefValue {
  id: string;
  name?: string | null;
  version?: string | null;
}

/** A TMF641 ServiceOrderMilestone, as reported for an order (dates as ISO strings). */
export interface MilestoneValue {
  id?: string | null;
  name: string;
  description?: string | null;
  message?: string | null;
  status?: string | null;
  milestoneDate?: string | null;
  receivedAt: string;
}

/** A TMF641 ServiceOrderJeopardyAlert, as raised for an order. */
export interface JeopardyAlertValue {
  id?: string | null;
  name: string;
  jeopardyType?: string | null;
  exception?: string | null;
  message?: string | null;
  alertDate?: string | null;
  receivedAt: string;
}

/** What an external system waits for before it can go on. */
export interface InformationRequiredValue {
  fieldPaths: string[];
  message?: string | null;
  receivedAt: string;
}

/** An error an external system reported for a record (TMF641 errorMessage, or a failed test). */
export interface ExternalErrorValue {
  code?: string | null;
  reason?: string | null;
  message?: string | null;
  status?: string | null;
  receivedAt: string;
}
