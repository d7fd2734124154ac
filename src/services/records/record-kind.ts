import type { DecisionSubject, FulfillmentState, TmfApi } from '../../entities/enums';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import type { Role } from '../auth/roles';
import type { RequestContext } from '../context/request-context';
import type { DomainOrderNode, PlannedRequest, TestRunNode } from '../model/record-model';
import type { CancelTaskReport } from '../tmf641/service-order.report';
import type { CancelRequestPlan, Json, ListenerEventMeaning, ReportedMeasure, ResourceReport } from '../tmf/resource-report';

/** A row of a record kind's link table: one record an outbound request carries. */
export interface RecordLinkRow {
  outboundRequestId: string;
  position: number;
  /** The record's version the request carries (a delivered REVISE clears updatesAvailable only if it is still current). */
  recordVersion: number;
}

/** A link table between records of a kind and rows of another table. */
export interface LinkTable<L = object> {
  readonly entity: new () => L;
  readonly table: string;
  /** The column and entity property that hold the record id. */
  readonly column: string;
  readonly property: string;
}

/** The plain tree of either kind, as the decision table and the payload builders take it. */
export type RecordNode = DomainOrderNode | TestRunNode;

/**
 * Everything that differs between the two kinds of record Southgate fulfils, domain orders (TMF641) and
 * test runs (TMF653): where they are stored, how they are named in messages, who may act on them, and how
 * they go over the wire. Code that handles "a record" takes a RecordKind and never asks which kind it is.
 *
 * The methods are declared as methods (not function-valued properties) on purpose: a kind typed with its
 * own entity and node is then usable wherever "some RecordKind" is expected.
 */
export interface RecordKind<R extends FulfillmentRecord = FulfillmentRecord, N extends RecordNode = RecordNode> {
  readonly subject: DecisionSubject;
  /** Stem of names derived from the kind: loader names, routing keys (domainOrder, testRun). */
  readonly key: string;
  /** In messages: "Domain order DO0001001", "3 domain orders". */
  readonly label: string;
  readonly plural: string;
  /** The GraphQL argument that names a record of the kind in its own mutations (domainOrderId, testRunId). */
  readonly idArgument: string;
  readonly entity: new () => R;
  readonly table: string;
  /** The table of the records each outbound request carries. */
  readonly link: LinkTable<RecordLinkRow>;
  /** The records each inbound message touched, and each fallout concerns. */
  readonly inboundLink: LinkTable;
  readonly falloutLink: LinkTable;
  /** The TMF Open API its requests are sent with. */
  readonly api: TmfApi;
  /** The decision table that routes it ("Service Order Outbound Policy"). */
  readonly policy: string;
  /** Who may submit, revise, cancel it and handle its outbound requests and fallout. */
  readonly roles: readonly Role[];
  /** The external resource collection, relative to the system's base URL ("/serviceOrder"). */
  readonly collection: string;
  /** Columns a cancellation sets besides the fulfillment state (a domain order's own state). */
  readonly canceledColumns: Readonly<Record<string, unknown>>;
  /** Columns set while a cancellation is shared with the system (a domain order keeps the state to go back to). */
  cancellingColumns(record: R): Record<string, unknown>;
  /** Columns that take a record back to where it was before a cancellation that was refused. */
  restoredColumns(record: R): Record<string, unknown>;
  /**
   * False only when the record itself shows that no cancellation of it is open (a domain order keeps its
   * state to go back to from the cancellation's start to its end, set in the same transaction as the
   * cancellation): read from the locked record, it spares the look-up of the cancellation.
   */
  mayBeCancelling(record: R): boolean;
  /** True while a reported state still means "being cancelled": no sign that the cancellation was refused. */
  stillCancelling(state: string): boolean;
  /** The key of the kind's resource in its API's events ("serviceOrder"). */
  readonly resourceKey: string;
  /** The key of its cancel task in the API's events ("cancelServiceOrder"); null where there is none (TMF653). */
  readonly cancelTaskKey: string | null;
  /** The events of the kind's API's listener, by the name in their path. */
  readonly listenerEvents: Readonly<Record<string, ListenerEventMeaning>>;
  /** Decision condition fields that make no sense for this kind. */
  readonly notApplicableFields: readonly string[];

  /** Past its point of no return, nothing about the record may change any more. */
  atPointOfNoReturn(record: R): boolean;
  /** The record's own deciding values (not its characteristics); null or undefined where unset. */
  decidingValues(node: N): Record<string, string | null | undefined>;
  /**
   * The columns toTree reads of a row besides SUBMISSION_COLUMNS (record-lifecycle.ts): a submission's
   * locked read of the subtree, a whole 10,000-node tree at most, selects only those.
   */
  readonly treeColumns: readonly string[];
  /** The plain tree of a subtree's rows (parents before children, the top first). */
  toTree(ctx: RequestContext, rows: R[]): Promise<N>;
  /** The CREATE requests a submission of `root` queues; throws a domain error when it cannot be sent. */
  planCreate(root: N, hierarchical: boolean, requestId: string): PlannedRequest[];
  /** The body of the REVISE that shares the changed records, validated against the official update schema. */
  revisionPayload(ctx: RequestContext, changed: R[], createRequestId: string): Promise<object>;
  /** Where to look a CREATE up when its outcome is unknown: by our correlation key, before sending it again. */
  lookUpPath(requestId: string, payloadJson: string): string;
  /** What the system says about the kind's resource (an event's payload, a status body, a poll's answer). */
  readReport(resource: Json): ResourceReport;
  /** The fulfillment state a reported state means. */
  fulfillmentStateOf(state: string): FulfillmentState;
  /** The request that cancels the record's external resource, payload validated against the official schema. */
  cancelRequest(externalId: string, reason: string | null): CancelRequestPlan;
  /** The cancel task a cancel request is answered with, where the API has one (TMF641); undefined otherwise. */
  readCancelTask(task: Json): CancelTaskReport | undefined;
  /** Keeps reported results (TMF653 test measures) of a record, matched to its definitions; a later report of a metric replaces the earlier one. */
  saveResults(ctx: RequestContext, record: R, measures: ReportedMeasure[]): Promise<void>;
}

/** "Domain order DO0001001" */
export function labelOf(kind: RecordKind, record: { number: string }): string {
  return `${kind.label} ${record.number}`;
}

/** Path of a record's external resource ("/serviceOrder/SO-1"); empty until its CREATE delivered the external id. */
export function resourcePath(kind: RecordKind, externalId: string | null): string {
  return externalId ? `${kind.collection}/${encodeURIComponent(externalId)}` : '';
}

/** The record id a row of the kind's outbound request link table points at. */
export function linkedRecordId(kind: RecordKind, link: RecordLinkRow): string {
  return recordIdOf(kind.link, link);
}

/** The record id a row of a link table points at. */
export function recordIdOf(table: LinkTable, row: object): string {
  return (row as Record<string, string>)[table.property];
}
