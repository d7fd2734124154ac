import DataLoader from 'dataloader';
import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import { columnSet, covers, hydrate, unionOf, type ColumnSet, type PropertySelection } from '../common/entity-rows';

/**
 * A way of reaching rows of a table from a key: by id, by a column of the row (children by their
 * parent), through a link table. `pairs` is the SQL of (key, row_id, ord) for the keys in the uuid[]
 * parameter `keys`; each key's rows come ordered by ord, then by the table's seq where it has one.
 */
export interface RowPath {
  /** Unique among the paths to one table: it names the loader's keys. */
  readonly name: string;
  pairs(keys: string, target: EntityMetadata): string;
}

/** Loads one key's value, batched with every other key asked for in the same tick. */
export interface KeyLoader<V> {
  load(key: string): Promise<V>;
}

export const BY_ID: RowPath = {
  name: 'id',
  pairs: (keys) => `SELECT id AS key, id AS row_id, 0 AS ord FROM unnest(${keys}) AS id`,
};

/** The rows whose `property` (a uuid column: parentId) is the key. */
export function byColumn(property: string): RowPath {
  return {
    name: property,
    pairs: (keys, target) => {
      const column = columnOf(target, property);
      return `SELECT r.${column} AS key, r.id AS row_id, 0 AS ord FROM ${target.tableName} r WHERE r.${column} = ANY(${keys})`;
    },
  };
}

/**
 * The rows a link table `link` pairs with the key: its `from` property holds the key, `to` the row's
 * id; ordered by its `position` property when given (the payload's order), else by the rows' seq.
 */
export function viaLink(link: new () => object, from: string, to: string, position?: string): RowPath {
  return {
    name: `${link.name}.${from}>${to}`,
    pairs: (keys, target) => {
      const meta = target.connection.getMetadata(link);
      const [key, row] = [columnOf(meta, from), columnOf(meta, to)];
      const ord = position ? `l.${columnOf(meta, position)}` : '0';
      return `SELECT l.${key} AS key, l.${row} AS row_id, ${ord} AS ord FROM ${meta.tableName} l WHERE l.${key} = ANY(${keys})`;
    },
  };
}

function columnOf(meta: EntityMetadata, property: string): string {
  const column = meta.findColumnWithPropertyName(property);
  if (!column) throw new Error(`${meta.name} has no column for ${property}`);
  return column.databaseName;
}

const SEP = ' ';

interface Reached<T> {
  ord: number;
  row: T;
}

/** A row read in this request, with the columns it was read with (null: all of them). */
interface Known<T> {
  row: T;
  set: ColumnSet | null;
}

/** A path as a reader asks for it: the path, and the columns the reader uses (null: the whole entity). */
interface Asked {
  path: RowPath;
  set: ColumnSet | null;
}

/**
 * Every path to the rows of one table behind one DataLoader: the keys of one tick, whatever path they
 * take, are one statement (the pairs of each path, UNION ALL, joined to the table), and the rows are
 * built from the table's columns as TypeORM builds entities (its transformers included). So a page's
 * nested lists cost one statement per table and level: the children of the page's orders and the
 * orders of its fallouts are one read of domain_order, their outbound requests and a fallout's request
 * one of outbound_request.
 *
 * A reader may name the properties it uses (a GraphQL selection, see entity-rows' ColumnSet): the
 * statement then reads the columns every key of the tick needs, and those keys get partial entities.
 * Without a name a key gets whole entities.
 *
 * A row is read and built once per request (until clear(): the end of a transaction), as the by-id
 * loaders' cache did: a row that several keys reach comes with its columns once, and one read earlier
 * in the request (by a loader or a page) with the columns now needed comes without them (the children's
 * outbound requests are their roots', the fallouts' orders are on the orders' page). One read with too
 * few columns is read again, and the new row is the one returned from then on.
 */
export class TableRows<T extends ObjectLiteral> {
  private readonly paths = new Map<string, Asked>();
  private readonly known = new Map<string, Known<T>>();
  private readonly loader: DataLoader<string, T[]>;

  constructor(
    private readonly entity: EntityTarget<T>,
    private readonly manager: () => EntityManager,
    batchScheduleFn: (dispatch: () => void) => void,
  ) {
    this.loader = new DataLoader<string, T[]>((keys) => this.read(keys, manager()), { batchScheduleFn });
  }

  along(path: RowPath, selection: PropertySelection | null = null): KeyLoader<T[]> {
    const set = selection ? columnSet(this.manager().connection.getMetadata(this.entity), selection) : null;
    const name = set ? `${path.name}#${set.key}` : path.name;
    if (!this.paths.has(name)) this.paths.set(name, { path, set });
    return { load: (key) => this.loader.load(`${name}${SEP}${key}`) };
  }

  clear(): void {
    this.loader.clearAll();
    this.known.clear();
  }

  /**
   * Rows read elsewhere in the request (a page's, with `set`'s columns): keys that reach them later with
   * no more columns do not read them again. A row the loader already holds stays the one it returns, as it
   * would without the page, unless the page read more of it.
   */
  remember(rows: T[], set: ColumnSet | null = null): void {
    for (const row of rows) {
      const held = this.known.get(row.id as string);
      if (!held || (!covers(held.set, set) && covers(set, held.set))) this.known.set(row.id as string, { row, set });
    }
  }

  private async read(keys: readonly string[], m: EntityManager): Promise<T[][]> {
    const meta = m.connection.getMetadata(this.entity);
    // Each key as the index of its path and the key along it.
    const names: string[] = [];
    const byPath: string[][] = [];
    const asked = keys.map((k): [number, string] => {
      const at = k.lastIndexOf(SEP);
      const name = k.slice(0, at);
      let i = names.indexOf(name);
      if (i < 0) i = names.push(name) - 1;
      const key = k.slice(at + 1);
      (byPath[i] ??= []).push(key);
      return [i, key];
    });
    const paths = names.map((name) => this.paths.get(name)!);
    const set = unionOf(
      meta,
      paths.map((p) => p.set),
    );
    const pairs = paths.map(({ path }, i) => `SELECT ${i} AS path, key, row_id, ord FROM (${path.pairs(`$${i + 1}::uuid[]`, meta)}) p${i}`);
    const known = [...this.known].filter(([, held]) => covers(held.set, set)).map(([id]) => id);
    // One result row per row reached, with the (path, key, ord) that reach it: a row that several keys
    // reach, or that the request already read with the columns needed, does not come as many rows of
    // empty columns.
    const raw = await m.query<Record<string, unknown>[]>(
      `SELECT p.row_id AS "~row", p.reached AS "~reached", ${set ? set.selectList : 't.*'}
         FROM (SELECT x.row_id, json_agg(json_build_array(x.path, x.key, x.ord)) AS reached FROM (${pairs.join(' UNION ALL ')}) x GROUP BY x.row_id) p
         LEFT JOIN ${meta.tableName} t ON t.id = p.row_id AND t.id <> ALL($${names.length + 1}::uuid[])`,
      [...byPath, known],
    );
    const reached = names.map(() => new Map<string, Reached<T>[]>());
    for (const r of raw) {
      let row: T | undefined;
      if (r.id != null) {
        row = hydrate<T>(meta, (column) => r[column.databaseName], set);
        this.known.set(r.id as string, { row, set });
      } else row = this.known.get(r['~row'] as string)?.row;
      // Missing: a key that names no row (an id that does not exist).
      if (!row) continue;
      for (const [path, key, ord] of r['~reached'] as [number, string, number][]) {
        const along = reached[path];
        let list = along.get(key);
        if (!list) along.set(key, (list = []));
        list.push({ ord, row });
      }
    }
    const bySeq = !!meta.findColumnWithPropertyName('seq');
    return asked.map(([i, key]) =>
      (reached[i].get(key) ?? [])
        .sort((a, b) => a.ord - b.ord || (bySeq ? (a.row.seq as number) - (b.row.seq as number) : 0))
        .map((r) => r.row),
    );
  }
}
