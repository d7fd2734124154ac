import { FulfillmentState } from '../../entities/enums';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import { BadUserInputError, ConflictError, NotFoundError } from '../common/domain.errors';
import { columnSet, hydrate } from '../common/entity-rows';
import { isUuid } from '../common/input-checks';
import type { TreeAnchor } from '../common/tree-input';
import type { RequestContext } from '../context/request-context';
import { labelOf, type RecordKind } from './record-kind';
import { RECORD_KINDS } from './record-kinds';
import { recordLoader } from './record-loaders';
import { prepared } from '../common/prepared';

/** States in which the record has a live (queued, sent or accepted) outbound request. */
export const SENT_STATES: ReadonlySet<FulfillmentState> = new Set([FulfillmentState.PENDING, FulfillmentState.FULFILLED]);

/** The "Create Outbound Fulfillment Request" rule, on the record's own fields. */
export function canRequestFulfillment(record: Pick<FulfillmentRecord, 'fulfillmentState'>): boolean {
  return record.fulfillmentState === FulfillmentState.NOT_REQUESTED || record.fulfillmentState === FulfillmentState.ERROR;
}

/**
 * Applies a revision under the optimistic lock: the UPDATE only matches the version the caller read
 * (or, without expectedVersion, the version just loaded), so of two concurrent revisions one wins and
 * the other gets CONFLICT instead of silently overwriting.
 */
export async function updateVersioned<T extends FulfillmentRecord>(
  ctx: RequestContext,
  kind: RecordKind<T>,
  record: T,
  expectedVersion: number | null | undefined,
  changes: Partial<T>,
): Promise<T> {
  const expected = expectedVersion ?? record.version;
  const staleMessage = `${labelOf(kind, record)} was changed by someone else (now version ${record.version}, you expected ${expected}); reload it and try again`;
  if (expected !== record.version) throw new ConflictError(staleMessage);
  const result = await ctx.manager
    .createQueryBuilder()
    .update(kind.entity)
    .set({ ...changes, version: () => 'version + 1' })
    .where('id = :id AND version = :expected', { id: record.id, expected })
    .execute();
  if (!result.affected) throw new ConflictError(staleMessage);
  return ctx.manager.findOneByOrFail(kind.entity, { id: record.id } as never);
}

/**
 * The record and all its descendants, parents before children (one indexed query on root_id). With
 * `lock` (inside a transaction) the rows are locked: of two concurrent changes of the same tree, the
 * second waits and then sees what the first did.
 */
export async function loadSubtree<T extends FulfillmentRecord>(
  ctx: RequestContext,
  kind: RecordKind<T>,
  top: T,
  lock = true,
): Promise<T[]> {
  const all = await ctx.manager.find(kind.entity, {
    where: { rootId: top.rootId } as never,
    order: { seq: 'ASC' } as never,
    lock: lock ? { mode: 'pessimistic_write' } : undefined,
  });
  return subtreeOf(all, top);
}

/** A condition checked in the same statement as a read: its SQL, each value bound through `bind` (which returns its placeholder). */
export interface SqlGuard {
  sql(bind: (value: unknown) => string): string;
}

/**
 * What a submission reads of every record of the subtree it locks, besides the kind's treeColumns: the
 * tree's shape, the checks, the versions its links carry, and the state change with its events.
 */
export const SUBMISSION_COLUMNS = ['id', 'parentId', 'number', 'version', 'fulfillmentState', 'externalState'] as const;

/**
 * loadSubtree, locked, by the record's id and in one statement (the record with its tree, where
 * requireRecord and loadSubtree are two), read only if `guard` holds. Empty when the record does not
 * exist or the guard fails: the caller then finds out which, the slow way. For a submission: only
 * SUBMISSION_COLUMNS and the kind's treeColumns are read (a partial entity: the others throw), which
 * for a 10,000-node tree is a few MB less to parse and hold while its payload is built.
 */
export async function lockSubtreeById<T extends FulfillmentRecord>(
  ctx: RequestContext,
  kind: RecordKind<T>,
  id: string,
  guard: SqlGuard,
): Promise<T[]> {
  if (!isUuid(id)) return [];
  const metadata = ctx.manager.connection.getMetadata(kind.entity);
  const set = columnSet(metadata, { key: '~lockSubtreeById', properties: [...SUBMISSION_COLUMNS, ...kind.treeColumns] });
  const params: unknown[] = [id];
  const condition = guard.sql((value) => `$${params.push(value)}`);
  // Written, not built: for one order the query builder cost more of a submission's CPU than the
  // statement takes to run. The rows are partial entities (the set's columns; any other throws).
  const rows = await ctx.manager.query<Record<string, unknown>[]>(
    prepared(`SELECT ${set ? set.selectList : 't.*'} FROM ${kind.table} t
      WHERE t.root_id = (SELECT x.root_id FROM ${kind.table} x WHERE x.id = $1) AND ${condition}
      ORDER BY t.seq ASC FOR UPDATE OF t`),
    params,
  );
  const all = rows.map((row) => hydrate<T>(metadata, (column) => row[column.databaseName], set));
  const top = all.find((r) => r.id === id);
  return top ? subtreeOf(all, top) : [];
}

/** `top` and its descendants among the rows of its tree, parents before children. */
function subtreeOf<T extends FulfillmentRecord>(all: T[], top: T): T[] {
  const children = new Map<string, T[]>();
  for (const r of all) {
    if (!r.parentId) continue;
    const siblings = children.get(r.parentId);
    if (siblings) siblings.push(r);
    else children.set(r.parentId, [r]);
  }
  const out: T[] = [];
  const stack = [all.find((r) => r.id === top.id) ?? top];
  while (stack.length) {
    const r = stack.pop()!;
    out.push(r);
    const kids = children.get(r.id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  return out;
}

/**
 * The existing record a new child is created under: of the same kind and not canceled. A parent of the
 * other kind is named as such (a common mistake when ids are pasted), anything else is NOT_FOUND.
 */
export async function treeAnchor<T extends FulfillmentRecord>(
  ctx: RequestContext,
  kind: RecordKind<T>,
  parentId: string,
): Promise<TreeAnchor> {
  const parent = isUuid(parentId) ? await recordLoader(ctx, kind).load(parentId) : null;
  if (!parent) {
    for (const other of RECORD_KINDS) {
      if (other !== kind && isUuid(parentId) && (await ctx.manager.existsBy(other.entity, { id: parentId }))) {
        throw new BadUserInputError(
          `input.parentId ${parentId} is a ${other.label.toLowerCase()}, not a ${kind.label.toLowerCase()}`,
          'input.parentId',
        );
      }
    }
    throw new NotFoundError(kind.label, parentId, 'input.parentId');
  }
  if (parent.fulfillmentState === FulfillmentState.CANCELED) {
    throw new BadUserInputError(`input.parentId: ${labelOf(kind, parent)} is canceled; it cannot get new children`, 'input.parentId');
  }
  return parent;
}
