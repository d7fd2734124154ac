import DataLoader from 'dataloader';
import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import { hydrate } from '../common/entity-rows';

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

/**
 * Every path to the rows of one table behind one DataLoader: the keys of one tick, whatever path they
 * take, are one statement (the pairs of each path, UNION ALL, joined to the table), and the rows are
 * built from the table's columns as TypeORM builds entities (its transformers included). So a page's
 * nested lists cost one statement per table and level: the children of the page's orders and the
 * orders of its fallouts are one read of domain_order, their outbound requests and a fallout's request
 * one of outbound_request.
 *
 * A row is read and built once per request (until clear(): the end of a transaction), as the by-id
 * loaders' cache did: a row that several keys reach comes with its columns once, and one read earlier
 * in the request (by a loader or a page) comes without them (the children's outbound requests are their
 * roots', the fallouts' orders are on the orders' page).
 */
export class TableRows<T extends ObjectLiteral> {
  private readonly paths = new Map<string, RowPath>();
  private readonly known = new Map<string, T>();
  private readonly loader: DataLoader<string, T[]>;

  constructor(
    private readonly entity: EntityTarget<T>,
    manager: () => EntityManager,
    batchScheduleFn: (dispatch: () => void) => void,
  ) {
    this.loader = new DataLoader<string, T[]>((keys) => this.read(keys, manager()), { batchScheduleFn });
  }

  along(path: RowPath): KeyLoader<T[]> {
    this.paths.set(path.name, path);
    return { load: (key) => this.loader.load(`${path.name}${SEP}${key}`) };
  }

  clear(): void {
    this.loader.clearAll();
    this.known.clear();
  }

  /**
   * Rows read elsewhere in the request (a page's): keys that reach them later do not read them again.
   * A row the loader already holds stays the one it returns, as it would without the page.
   */
  remember(rows: T[]): void {
    for (const row of rows) if (!this.known.has(row.id as string)) this.known.set(row.id as string, row);
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
    const pairs = names.map(
      (name, i) => `SELECT ${i} AS path, key, row_id, ord FROM (${this.paths.get(name)!.pairs(`$${i + 1}::uuid[]`, meta)}) p${i}`,
    );
    const known = `$${names.length + 1}::uuid[]`;
    // One result row per row reached, with the (path, key, ord) that reach it: a row that several keys
    // reach, or that the request already read, does not come as many rows of empty columns.
    const raw = await m.query<Record<string, unknown>[]>(
      `SELECT p.row_id AS "~row", p.reached AS "~reached", t.*
         FROM (SELECT x.row_id, json_agg(json_build_array(x.path, x.key, x.ord)) AS reached FROM (${pairs.join(' UNION ALL ')}) x GROUP BY x.row_id) p
         LEFT JOIN ${meta.tableName} t ON t.id = p.row_id AND t.id <> ALL(${known})`,
      [...byPath, [...this.known.keys()]],
    );
    const reached = names.map(() => new Map<string, Reached<T>[]>());
    for (const r of raw) {
      let row = this.known.get(r['~row'] as string);
      if (!row && r.id != null) this.known.set(r.id as string, (row = hydrate<T>(meta, (column) => r[column.databaseName])));
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
