import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { BadUserInputError } from './domain.errors';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Counted when first read: a page that does not ask for it costs no count over the whole list. */
  readonly totalCount: Promise<number>;
}

const encode = (seq: number) => Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');

function decode(cursor: string): number {
  const m = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new BadUserInputError('after is not a cursor returned by this list', 'after');
  return Number(m[1]);
}

/**
 * A Relay connection over a query whose alias has a `seq` column: newest first, keyset-paginated (a
 * cursor is the seq of the last row seen, read from the filter's (filter, seq) index), with totalCount of the
 * whole filtered list, exact, counted only if asked for.
 */
export async function paginate<T extends ObjectLiteral & { seq: number }>(
  qb: SelectQueryBuilder<T>,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Page<T>> {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be from 0 to ${MAX_PAGE_SIZE}`, 'first');
  }
  const alias = qb.alias;
  const count = qb.clone();
  let totalCount: Promise<number> | null = null;
  const page = qb
    .clone()
    .orderBy(`${alias}.seq`, 'DESC')
    .take(size + 1);
  if (after) page.andWhere(`${alias}.seq < :afterSeq`, { afterSeq: decode(after) });
  const rows = size === 0 ? [] : await page.getMany();
  const nodes = rows.slice(0, size);
  const edges = nodes.map((node) => ({ cursor: encode(node.seq), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
    get totalCount() {
      return (totalCount ??= count.getCount());
    },
  };
}
