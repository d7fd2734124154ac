import type { ExternalErrorValue, InformationRequiredValue, JeopardyAlertValue, MilestoneValue } from '../../entities/columns';
import { CancellationState, ErrorCategory, FINAL_FULFILLMENT_STATES, FulfillmentState } from '../../entities/enums';
import type { ReportedMeasure, ResourceReport } from '../tmf/resource-report';

/** What the planner needs of a record (domain orders have the milestone, jeopardy and cancellation fields). */
export interface PlanRecord {
  id: string;
  number: string;
  fulfillmentState: FulfillmentState;
  externalState: string | null;
  externalId: string | null;
  lastEventAt: Date | null;
  externalErrors: ExternalErrorValue[];
  milestones?: MilestoneValue[];
  jeopardyAlerts?: JeopardyAlertValue[];
  informationRequired?: InformationRequiredValue | null;
  pointOfNoReturn?: boolean;
  state?: string;
  stateBeforeCancellation?: string | null;
}

export interface PlanInput {
  records: PlanRecord[];
  /** The external id of the resource the report is about (the CREATE's): records sent elsewhere since are not touched. */
  resourceId: string | null;
  report: ResourceReport;
  meaning: 'resource' | 'deleted' | 'informationRequired';
  /** For informationRequired: what the system asks for. */
  fieldPaths?: string[];
  eventTime: Date;
  receivedAt: Date;
  fulfillmentStateOf: (state: string) => FulfillmentState;
  /** True while a reported state still means "being cancelled" (no sign of a refusal). */
  stillCancelling: (state: string) => boolean;
  /** The name of the point-of-no-return milestone, any case. */
  pointOfNoReturnMilestone: string;
  /** The open cancellation of these records, if one is shared with the system. */
  cancellation: { state: CancellationState; requestedAt: Date } | null;
  /** Columns a cancellation sets besides the fulfillment state (a domain order's own state). */
  canceledColumns: Readonly<Record<string, unknown>>;
}

export interface RecordUpdate {
  record: PlanRecord;
  set: Record<string, unknown>;
  /** Set when the fulfillment or external state changes: the event to publish. */
  stateChange: { previous: FulfillmentState; next: FulfillmentState; externalState: string | null } | null;
}

export interface PlannedFallout {
  category: ErrorCategory;
  message: string;
  recordIds: string[];
}

export interface ApplicationPlan {
  updates: RecordUpdate[];
  fallouts: PlannedFallout[];
  measures: { recordId: string; measures: ReportedMeasure[] }[];
  /**
   * Set when the report shows the system going on with records whose cancellation it had answered: a
   * refusal. Giving them their state back and the fallout are the cancellation's (records/cancellations.ts).
   */
  cancellationRefusal: { recordIds: string[]; message: string } | null;
  /** Why nothing moved, when nothing did. */
  staleReason: string | null;
}

const FINAL = new Set(FINAL_FULFILLMENT_STATES);
const isFinal = (s: FulfillmentState) => FINAL.has(s);

const errorKey = (e: Pick<ExternalErrorValue, 'code' | 'reason' | 'message' | 'status'>) =>
  JSON.stringify([e.code ?? null, e.reason ?? null, e.message ?? null, e.status ?? null]);
const milestoneKey = (m: Pick<MilestoneValue, 'id' | 'name' | 'milestoneDate'>) => m.id ?? `${m.name}|${m.milestoneDate ?? ''}`;
const alertKey = (j: Pick<JeopardyAlertValue, 'id' | 'name' | 'alertDate'>) => j.id ?? `${j.name}|${j.alertDate ?? ''}`;

function names<T>(reported: { value: T; recordNumbers: string[] | null }[], record: PlanRecord): T[] {
  return reported.filter((r) => r.recordNumbers === null || r.recordNumbers.includes(record.number)).map((r) => r.value);
}

function describeErrors(errors: ExternalErrorValue[]): string {
  return errors.map((e) => [e.code, e.reason, e.message].filter(Boolean).join(': ')).join('; ');
}

/** The state reported for one record: its own part's (a TMF641 item) wins over the resource's. */
function reportedState(report: ResourceReport, record: PlanRecord): string | undefined {
  return report.partStates.find((p) => p.recordNumber === record.number)?.state ?? report.state;
}

/**
 * Decides what a report does to the records it concerns, without touching anything: per record the new
 * fulfillment and external state, the errors, milestones, jeopardy alerts and information request it
 * adds, the fallouts to open, and the results to keep. A record is left alone when the report is older
 * than the last event applied to it, when it was sent to another resource since, or when the report would
 * take it out of a final state (FULFILLED, CANCELED) into a state that is not final.
 */
export function planReport(input: PlanInput): ApplicationPlan {
  const plan: ApplicationPlan = { updates: [], fallouts: [], measures: [], cancellationRefusal: null, staleReason: null };
  const refusedIds: string[] = [];
  const stale: string[] = [];
  const failed: { record: PlanRecord; errors: ExternalErrorValue[] }[] = [];
  const asked: PlanRecord[] = [];
  for (const record of input.records) {
    if ((record.externalId ?? null) !== input.resourceId) {
      stale.push(`${record.number} was sent to another resource since (${record.externalId ?? 'none'})`);
      continue;
    }
    if (record.lastEventAt && input.eventTime < record.lastEventAt) {
      stale.push(`${record.number} already shows a later event (${record.lastEventAt.toISOString()})`);
      continue;
    }
    const set: Record<string, unknown> = {};
    let stateChange: RecordUpdate['stateChange'] = null;
    let state = reportedState(input.report, record);
    let next = state === undefined ? undefined : input.fulfillmentStateOf(state);
    if (input.meaning === 'deleted' && !isFinal(record.fulfillmentState)) next = FulfillmentState.ERROR;
    if (next !== undefined && isFinal(record.fulfillmentState) && !isFinal(next)) {
      stale.push(`${record.number} is ${record.fulfillmentState}, a final state`);
      continue;
    }
    const refused = cancellationRefused(input, record, state);
    if (refused) refusedIds.push(record.id);
    if (next !== undefined && (next !== record.fulfillmentState || (state ?? record.externalState) !== record.externalState)) {
      state = state ?? record.externalState ?? undefined;
      set.fulfillmentState = next;
      if (state !== undefined) set.externalState = state;
      if (next === FulfillmentState.CANCELED) Object.assign(set, input.canceledColumns);
      stateChange = { previous: record.fulfillmentState, next, externalState: state ?? null };
    }
    const errors = newErrors(input, record);
    if (errors.length > 0) set.externalErrors = [...record.externalErrors, ...errors];
    if (stateChange?.next === FulfillmentState.ERROR)
      failed.push({ record, errors: errors.length ? errors : record.externalErrors.slice(-1) });
    addMilestones(input, record, set);
    addJeopardy(input, record, set, plan);
    if (input.meaning === 'informationRequired' && record.informationRequired !== undefined && !isFinal(record.fulfillmentState)) {
      set.informationRequired = { fieldPaths: input.fieldPaths ?? [], message: null, receivedAt: input.receivedAt.toISOString() };
      asked.push(record);
    }
    const measures = input.report.measures;
    if (measures.length > 0) plan.measures.push({ recordId: record.id, measures });
    if (Object.keys(set).length > 0 || measures.length > 0 || refused) {
      set.lastEventAt = input.eventTime;
      plan.updates.push({ record, set, stateChange });
    } else {
      stale.push(`${record.number} already shows all of it`);
    }
  }
  openFallouts(input, plan, failed, asked);
  if (refusedIds.length > 0) {
    const numbers = input.records.filter((r) => refusedIds.includes(r.id)).map((r) => r.number);
    plan.cancellationRefusal = {
      recordIds: refusedIds,
      message: `The external system went on with ${numbers.join(', ')} (${input.report.state ?? 'not cancelled'}) instead of cancelling it`,
    };
  }
  if (plan.updates.length === 0) plan.staleReason = `Nothing to change: ${stale.join('; ') || 'it names no record'}`;
  return plan;
}

/**
 * A refusal shows in the resource's own state (a TMF641 order being assessed for cancellation keeps its
 * items inProgress), read only after the system answered the cancel task and for events after it.
 */
function cancellationRefused(input: PlanInput, record: PlanRecord, partState: string | undefined): boolean {
  const c = input.cancellation;
  const state = input.report.state ?? partState;
  if (!c || state === undefined || !record.stateBeforeCancellation) return false;
  const taskAnswered = c.state === CancellationState.ACKNOWLEDGED || c.state === CancellationState.IN_PROGRESS;
  return taskAnswered && input.eventTime > c.requestedAt && !input.stillCancelling(state);
}

function newErrors(input: PlanInput, record: PlanRecord): ExternalErrorValue[] {
  const known = new Set(record.externalErrors.map(errorKey));
  const out: ExternalErrorValue[] = [];
  for (const e of names(input.report.errors, record)) {
    const value = { code: e.code ?? null, reason: e.reason ?? null, message: e.message ?? null, status: e.status ?? null };
    if (known.has(errorKey(value))) continue;
    known.add(errorKey(value));
    out.push({ ...value, receivedAt: input.receivedAt.toISOString() });
  }
  if (input.meaning === 'deleted' && out.length === 0 && !isFinal(record.fulfillmentState)) {
    out.push({
      code: null,
      reason: 'deleted',
      message: 'The external system deleted the resource',
      status: null,
      receivedAt: input.receivedAt.toISOString(),
    });
  }
  return out;
}

function addMilestones(input: PlanInput, record: PlanRecord, set: Record<string, unknown>): void {
  if (record.milestones === undefined) return;
  const known = new Set(record.milestones.map(milestoneKey));
  const added = names(input.report.milestones, record)
    .filter((m) => !known.has(milestoneKey(m)) && known.add(milestoneKey(m)))
    .map((m) => ({ ...nulls(m), receivedAt: input.receivedAt.toISOString() }) as MilestoneValue);
  if (added.length === 0) return;
  set.milestones = [...record.milestones, ...added];
  const ponr = input.pointOfNoReturnMilestone.toLowerCase();
  if (!record.pointOfNoReturn && added.some((m) => m.name.toLowerCase() === ponr)) set.pointOfNoReturn = true;
}

function addJeopardy(input: PlanInput, record: PlanRecord, set: Record<string, unknown>, plan: ApplicationPlan): void {
  if (record.jeopardyAlerts === undefined) return;
  const known = new Set(record.jeopardyAlerts.map(alertKey));
  const added = names(input.report.jeopardyAlerts, record)
    .filter((j) => !known.has(alertKey(j)) && known.add(alertKey(j)))
    .map((j) => ({ ...nulls(j), receivedAt: input.receivedAt.toISOString() }) as JeopardyAlertValue);
  if (added.length === 0) return;
  set.jeopardyAlerts = [...record.jeopardyAlerts, ...added];
  for (const alert of added) {
    // One fallout per alert, for every record it names: the same alert on several records is one case.
    const existing = plan.fallouts.find((f) => f.category === ErrorCategory.JEOPARDY && f.message.endsWith(`[${alertKey(alert)}]`));
    if (existing) existing.recordIds.push(record.id);
    else {
      const what = [alert.jeopardyType, alert.message ?? alert.exception].filter(Boolean).join(': ');
      plan.fallouts.push({
        category: ErrorCategory.JEOPARDY,
        message: `Jeopardy "${alert.name}"${what ? ` (${what})` : ''} [${alertKey(alert)}]`,
        recordIds: [record.id],
      });
    }
  }
}

function openFallouts(
  input: PlanInput,
  plan: ApplicationPlan,
  failed: { record: PlanRecord; errors: ExternalErrorValue[] }[],
  asked: PlanRecord[],
) {
  if (failed.length > 0) {
    const detail = describeErrors(failed.flatMap((f) => f.errors));
    const states = [...new Set(failed.map((f) => reportedState(input.report, f.record) ?? f.record.externalState ?? 'failed'))].join(', ');
    plan.fallouts.push({
      category: ErrorCategory.EXTERNAL_FAILURE,
      message: `The external system reported ${failed.map((f) => f.record.number).join(', ')} ${states}${detail ? `: ${detail}` : ''}`,
      recordIds: failed.map((f) => f.record.id),
    });
  }
  if (asked.length > 0) {
    const paths = (input.fieldPaths ?? []).join(', ');
    plan.fallouts.push({
      category: ErrorCategory.INFORMATION_REQUIRED,
      message: `The external system waits for information about ${asked.map((r) => r.number).join(', ')}${paths ? `: ${paths}` : ''}; revise the order and share the revision`,
      recordIds: asked.map((r) => r.id),
    });
  }
}

/** Optional fields as null, so that stored values have one shape. */
function nulls<T extends object>(value: T): { [K in keyof T]: T[K] | null } {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v ?? null])) as { [K in keyof T]: T[K] | null };
}
