import type { EntityTarget } from 'typeorm';
import { FulfillmentState } from '../../entities/enums';
import type { FulfillmentRecord } from '../../entities/fulfillment-record';
import { ConflictError } from './domain.errors';
import type { RequestContext } from './request-context';

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
  entity: EntityTarget<T>,
  record: T,
  label: string,
  expectedVersion: number | null | undefined,
  changes: Partial<T>,
): Promise<T> {
  const expected = expectedVersion ?? record.version;
  const staleMessage = `${label} was changed by someone else (now version ${record.version}, you expected ${expected}); reload it and try again`;
  if (expected !== record.version) throw new ConflictError(staleMessage);
  const result = await ctx.manager
    .createQueryBuilder()
    .update(entity)
    .set({ ...changes, version: () => 'version + 1' } as never)
    .where('id = :id AND version = :expected', { id: record.id, expected })
    .execute();
  if (!result.affected) throw new ConflictError(staleMessage);
  return ctx.manager.findOneByOrFail(entity, { id: record.id } as never);
}

/**
 * The record and all its descendants, parents before children (one indexed query on root_id). With
 * `lock` (inside a transaction) the rows are locked: of two concurrent changes of the same tree, the
 * second waits and then sees what the first did.
 */
export async function loadSubtree<T extends FulfillmentRecord>(
  ctx: RequestContext,
  entity: EntityTarget<T>,
  top: T,
  lock = true,
): Promise<T[]> {
  const all = await ctx.manager.find(entity, {
    where: { rootId: top.rootId } as never,
    order: { seq: 'ASC' } as never,
    lock: lock ? { mode: 'pessimistic_write' } : undefined,
  });
  const children = new Map<string, T[]>();
  for (const r of all) {
    if (r.parentId) children.set(r.parentId, [...(children.get(r.parentId) ?? []), r]);
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
