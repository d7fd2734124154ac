import type { DecisionSubject, TmfApi } from '../../entities/enums';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import type { Role } from '../auth/roles';
import type { RequestContext } from '../context/request-context';
import type { DomainOrderNode, PlannedRequest, TestRunNode } from '../model/record-model';

/** A row of a record kind's link table: one record an outbound request carries. */
export interface RecordLinkRow {
  outboundRequestId: string;
  position: number;
  /** The record's version the request carries (a delivered REVISE clears updatesAvailable only if it is still current). */
  recordVersion: number;
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
  /** The table of the records each outbound request carries, and its column and entity property for the record. */
  readonly link: {
    readonly entity: new () => RecordLinkRow;
    readonly table: string;
    readonly column: string;
    readonly property: string;
  };
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
  /** Decision condition fields that make no sense for this kind. */
  readonly notApplicableFields: readonly string[];

  /** Past its point of no return, nothing about the record may change any more. */
  atPointOfNoReturn(record: R): boolean;
  /** The record's own deciding values (not its characteristics); null or undefined where unset. */
  decidingValues(node: N): Record<string, string | null | undefined>;
  /** The plain tree of a subtree's rows (parents before children, the top first). */
  toTree(ctx: RequestContext, rows: R[]): Promise<N>;
  /** The CREATE requests a submission of `root` queues; throws a domain error when it cannot be sent. */
  planCreate(root: N, hierarchical: boolean, requestId: string): PlannedRequest[];
  /** The body of the REVISE that shares the changed records, validated against the official update schema. */
  revisionPayload(ctx: RequestContext, changed: R[], createRequestId: string): Promise<object>;
  /** Where to look a CREATE up when its outcome is unknown: by our correlation key, before sending it again. */
  lookUpPath(requestId: string, payloadJson: string): string;
}

/** "Domain order DO0001001" */
export function labelOf(kind: RecordKind, record: { number: string }): string {
  return `${kind.label} ${record.number}`;
}

/** Path of a record's external resource ("/serviceOrder/SO-1"); empty until its CREATE delivered the external id. */
export function resourcePath(kind: RecordKind, externalId: string | null): string {
  return externalId ? `${kind.collection}/${encodeURIComponent(externalId)}` : '';
}

/** The record id a link row points at. */
export function linkedRecordId(kind: RecordKind, link: RecordLinkRow): string {
  return (link as unknown as Record<string, string>)[kind.link.property];
}
