import type { EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { BadUserInputError } from './domain.errors';
import { columnSet, hydrate, type ColumnSet, type PropertySelection } from './entity-rows';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** What a list is asked for: `first` rows after the cursor `after`, and whether its totalCount is read. */
export interface PageRequest {
  first?: number | null;
  after?: string | null;
  /**
   * The caller will read totalCount (GraphQL: the field is selected): it is counted in the page's own
   * statement. Without it a count is made only if totalCount is read all the same.
   */
  withTotal?: boolean;
  /** The properties the caller reads of the nodes (GraphQL: the fields selected), when it names them: the page's rows may then be partial entities (see ColumnSet). */
  select?: PropertySelection | null;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Counted when first read (or with the page, when asked for): a page that does not want it costs no count. */
  readonly totalCount: Promise<number>;
}

const encode = (seq: number) => Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');

function decode(cursor: string): number {
  const m = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new BadUserInputError('after is not a cursor returned by this list', 'after');
  return Number(m[1]);
}

/** Where a page's statement is awaited: the request's loaders, which hold their batches meanwhile (Loaders.awaitPage). */
export interface PageReads {
  awaitPage<T>(read: Promise<T>): Promise<T>;
  /** The rows a page read, for the loaders of their table: nested lists of the request do not read them again. */
  pageRows<T extends ObjectLiteral>(entity: EntityTarget<T>, rows: T[], set: ColumnSet | null): void;
}

/** The column the page query returns the filtered list's size in (a name no table of ours has). */
const TOTAL = 'page_total_count';

/**
 * A Relay connection over a query whose alias has a `seq` column: newest first, keyset-paginated (a
 * cursor is the seq of the last row seen, read from the filter's (filter, seq) index), with totalCount of the
 * whole filtered list (whatever the cursor), exact, counted only if asked for. Asked for with the page
 * (`withTotal`), the count is a scalar subquery of the page's statement: PostgreSQL runs it once, from
 * the same index a separate count would use, and the page costs one round trip instead of two.
 */
export async function paginate<T extends ObjectLiteral & { seq: number }>(
  reads: PageReads,
  qb: SelectQueryBuilder<T>,
  { first, after, withTotal = false, select = null }: PageRequest,
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
  let rows: T[] = [];
  let set: ColumnSet | null = null;
  if (size > 0 && qb.expressionMap.joinAttributes.length === 0) {
    // The entity's columns (those the caller reads, when it says) under their property names, built
    // here: TypeORM's entity transformer costs more than the page's statement takes to run (100 rows:
    // about as much as the database's time).
    const metadata = qb.expressionMap.mainAlias!.metadata;
    set = columnSet(metadata, select);
    page.select(
      (set?.columns ?? metadata.columns).map((c) => `${qb.escape(alias)}.${qb.escape(c.databaseName)} AS ${qb.escape(c.propertyName)}`),
    );
    if (withTotal) page.addSelect(`(${count.clone().select('COUNT(1)').getQuery()})`, TOTAL);
    const raw = await reads.awaitPage(page.getRawMany<Record<string, unknown>>());
    rows = raw.map((r) => hydrate<T>(metadata, (column) => r[column.propertyName], set));
    if (withTotal && raw.length) totalCount = Promise.resolve(Number(raw[0][TOTAL]));
  } else if (size > 0 && withTotal) {
    page.addSelect(`(${count.clone().select('COUNT(1)').getQuery()})`, TOTAL);
    const { entities, raw } = await reads.awaitPage(page.getRawAndEntities<Record<string, unknown>>());
    rows = entities;
    // No row, no total beside it: then it is counted on its own, below, if it is read.
    if (raw.length) totalCount = Promise.resolve(Number(raw[0][TOTAL]));
  } else if (size > 0) {
    rows = await reads.awaitPage(page.getMany());
  }
  if (rows.length) reads.pageRows(qb.expressionMap.mainAlias!.target, rows, set);
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
