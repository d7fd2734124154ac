import type { EntityManager, EntityMetadata, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { ApplyValueTransformers } from 'typeorm/util/ApplyValueTransformers';
import { prepared } from './prepared';

type EntityClass<T> = new () => T;

/**
 * The columns of an entity as `alias.column AS "prefix.property"`, for a hand-written statement that reads
 * several entities in one round trip (where the query builder would need one statement each, or costs
 * more to build than the statement takes to run). `toEntity` turns a row of it back into the entity.
 */
export function entityColumns<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityClass<T>,
  alias: string,
  prefix = alias,
): string {
  return columnList(manager, entity, `${alias} ${prefix}`, (c) => `${alias}.${c.databaseName} AS "${prefix}.${c.propertyName}"`);
}

/**
 * The entity's columns under `alias`, by their own names (`o.id, o.seq, …`): for a subquery whose rows an
 * outer entityColumns reads, in place of `o.*` (a statement that names its columns can be prepared).
 */
export function plainColumns<T extends ObjectLiteral>(manager: EntityManager, entity: EntityClass<T>, alias: string): string {
  return columnList(manager, entity, `${alias}\0plain`, (c) => `${alias}.${c.databaseName}`);
}

/** The select lists made so far, by entity and key: a statement's text is built once. */
const columnLists = new WeakMap<EntityMetadata, Map<string, string>>();

/** The entity's columns, each as `column` writes it, joined; remembered under `key`. */
function columnList<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityClass<T>,
  key: string,
  column: (c: ColumnMetadata) => string,
): string {
  const metadata = manager.connection.getMetadata(entity);
  let lists = columnLists.get(metadata);
  if (!lists) columnLists.set(metadata, (lists = new Map<string, string>()));
  let list = lists.get(key);
  if (list === undefined) {
    list = metadata.columns.map(column).join(', ');
    lists.set(key, list);
  }
  return list;
}

/**
 * The entity read by `entityColumns` under `prefix` in a raw row, hydrated as TypeORM does (the driver's
 * conversions and the columns' transformers); null when the row has none (the outer side of a join).
 */
export function toEntity<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityClass<T>,
  row: Record<string, unknown>,
  prefix: string,
): T | null {
  const metadata = manager.connection.getMetadata(entity);
  const primary = metadata.primaryColumns[0];
  if (row[`${prefix}.${primary.propertyName}`] == null) return null;
  return hydrate<T>(metadata, (column) => row[`${prefix}.${column.propertyName}`]);
}

/**
 * An entity built from its columns' raw values as TypeORM builds one it read (conversions and
 * transformers); with `set`, from those columns only: a partial entity (see ColumnSet).
 */
export function hydrate<T extends ObjectLiteral>(
  metadata: EntityMetadata,
  valueOf: (column: ColumnMetadata) => unknown,
  set: ColumnSet | null = null,
): T {
  const target = (set ? Object.create(set.prototype) : metadata.create(undefined, { fromDeserializer: true })) as Record<string, unknown>;
  const driver = metadata.connection.driver;
  for (const { column, property, asRead } of set ? set.steps : planOf(metadata)) {
    const raw = valueOf(column);
    const value: unknown = asRead ? raw : driver.prepareHydratedValue(raw, column);
    if (property) target[property] = value;
    else column.setEntityValue(target, value);
  }
  return target as T;
}

/**
 * The column types PostgresDriver.prepareHydratedValue returns as pg read them (no branch of it
 * converts them): without a transformer, their values are taken as they are. A page of 440 rows
 * spends more in that function's type tests than the database in the statements.
 */
const AS_READ = new Set<unknown>(['text', 'uuid', 'integer', 'boolean', 'jsonb', 'json']);

/** Properties of an entity a reader asks for (a GraphQL selection); `key` names the list, the same key the same list. */
export interface PropertySelection {
  readonly key: string;
  readonly properties: readonly string[];
}

/**
 * Some of an entity's columns, read for a reader that named the properties it uses (the fields a GraphQL
 * operation selects): the rows of a page of 100 orders cost a third less without the JSON columns
 * nobody asked for. The primary column and seq (the order of lists, the cursors) are always among them.
 * A row read with them is a partial entity: an object of the entity's class whose other columns are
 * getters that throw, naming the column, so a reader that uses a column it did not name fails at once
 * (in its tests) instead of reading undefined. Only readers that name what they read get one; every
 * other reader (the services) gets whole entities.
 */
export interface ColumnSet {
  readonly key: string;
  readonly columns: readonly ColumnMetadata[];
  /** The property names of `columns`. */
  readonly has: ReadonlySet<string>;
  /** `columns` as `t.column`, for a statement's select list. */
  readonly selectList: string;
  readonly steps: readonly ColumnStep[];
  readonly prototype: object;
}

const columnSets = new WeakMap<EntityMetadata, Map<string, ColumnSet | null>>();

/**
 * The columns that hold the selected properties, made once per entity and key; null (every column)
 * without a selection, or when one of its properties is not a plain column of the entity (a getter
 * or an embedded value: only the whole entity has it).
 */
export function columnSet(metadata: EntityMetadata, selection: PropertySelection | null | undefined): ColumnSet | null {
  if (!selection) return null;
  let sets = columnSets.get(metadata);
  if (!sets) columnSets.set(metadata, (sets = new Map<string, ColumnSet | null>()));
  let set = sets.get(selection.key);
  if (set === undefined) {
    set = makeColumnSet(metadata, selection.properties);
    // Selections that come to the same columns share one set.
    if (set) {
      const same = sets.get(`=${set.key}`);
      if (same) set = same;
      else sets.set(`=${set.key}`, set);
    }
    sets.set(selection.key, set);
  }
  return set;
}

function makeColumnSet(metadata: EntityMetadata, properties: readonly string[]): ColumnSet | null {
  const plan = planOf(metadata);
  const wanted = new Set(properties);
  for (const c of metadata.primaryColumns) wanted.add(c.propertyName);
  if (metadata.findColumnWithPropertyName('seq')) wanted.add('seq');
  for (const property of wanted) if (!plan.some((step) => step.property === property)) return null;
  const steps = plan.filter((step) => step.property !== null && wanted.has(step.property));
  if (steps.length === plan.length) return null;
  const columns = steps.map((step) => step.column);
  const base: object = typeof metadata.target === 'function' ? (metadata.target.prototype as object) : Object.prototype;
  const prototype = Object.create(base) as object;
  for (const step of plan) {
    const property = step.property ?? step.column.propertyName;
    if (wanted.has(property)) continue;
    Object.defineProperty(prototype, property, {
      configurable: true,
      get() {
        throw new Error(`${metadata.name}.${property} was not read: the reader of this row did not name it among the properties it reads`);
      },
      // A value given later is the row's own.
      set(this: object, value: unknown) {
        Object.defineProperty(this, property, { value, writable: true, enumerable: true, configurable: true });
      },
    });
  }
  return {
    key: columns.map((c) => c.propertyName).join(','),
    columns,
    has: new Set(columns.map((c) => c.propertyName)),
    selectList: columns.map((c) => `t.${c.databaseName}`).join(', '),
    steps,
    prototype,
  };
}

/** Whether rows read with `held` have every column `wanted` needs (null: every column). */
export function covers(held: ColumnSet | null, wanted: ColumnSet | null): boolean {
  if (held === null || held === wanted) return true;
  return wanted !== null && wanted.columns.every((c) => held.has.has(c.propertyName));
}

/** The columns that serve every one of the sets (null when one of them is every column). */
export function unionOf(metadata: EntityMetadata, sets: readonly (ColumnSet | null)[]): ColumnSet | null {
  if (sets.length === 1) return sets[0];
  const properties = new Set<string>();
  for (const set of sets) {
    if (set === null) return null;
    for (const property of set.has) properties.add(property);
  }
  const list = [...properties].sort();
  return columnSet(metadata, { key: list.join(','), properties: list });
}

interface ColumnStep {
  column: ColumnMetadata;
  /** The property setEntityValue would assign (null: an embedded or virtual column, left to it). */
  property: string | null;
  asRead: boolean;
}

const plans = new WeakMap<EntityMetadata, ColumnStep[]>();

function planOf(metadata: EntityMetadata): ColumnStep[] {
  let plan = plans.get(metadata);
  if (!plan) {
    plan = metadata.columns.map((column) => ({
      column,
      property: column.embeddedMetadata || column.isVirtual ? null : column.propertyName,
      asRead: !column.transformer && AS_READ.has(column.type),
    }));
    plans.set(metadata, plan);
  }
  return plan;
}

/**
 * Sets the same values on the entities with these ids, in one statement written from the entity's
 * metadata, as TypeORM's update would: the values converted (jsonb as JSON, the columns' transformers
 * applied), a function's result taken as an SQL expression (`version: () => 'version + 1'`, for code,
 * never for input) and the update date column stamped.
 */
export async function updateEntities<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityClass<T>,
  set: Record<string, unknown>,
  ids: string[],
): Promise<void> {
  const metadata = manager.connection.getMetadata(entity);
  const driver = manager.connection.driver;
  const params: unknown[] = [];
  const assignments = Object.entries(set).map(([property, value]) => {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${metadata.name} has no column ${property}`);
    if (typeof value === 'function') return `${column.databaseName} = ${(value as () => string)()}`;
    params.push(driver.preparePersistentValue(value, column));
    return `${column.databaseName} = $${params.length}`;
  });
  if (assignments.length === 0 || ids.length === 0) return;
  if (metadata.updateDateColumn) assignments.push(`${metadata.updateDateColumn.databaseName} = CURRENT_TIMESTAMP`);
  params.push(ids);
  await manager.query(
    prepared(`UPDATE ${metadata.tableName} SET ${assignments.join(', ')} WHERE id = ANY($${params.length}::uuid[])`),
    params,
  );
}

/**
 * Sets each entity's own values. Records that change alike (a hierarchy moving together) are one
 * updateEntities statement; records that change the same columns to values of their own (a batch of
 * reports, each with its own event time) are one statement too, their values given as one JSON parameter
 * typed by the table's own row type. An empty set changes nothing.
 */
export async function updateEachEntity<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityClass<T>,
  updates: { id: string; set: Record<string, unknown> }[],
): Promise<void> {
  // By the columns changed (and any SQL expression), then by the values.
  const shapes = new Map<string, Map<string, { set: Record<string, unknown>; ids: string[] }>>();
  for (const { id, set } of updates) {
    const shape = Object.keys(set)
      .sort()
      .map((k) => (typeof set[k] === 'function' ? `${k}=${(set[k] as () => string)()}` : k))
      .join(',');
    const key = JSON.stringify(set, (_, value: unknown) => (typeof value === 'function' ? `sql:${String(value)}` : value));
    const alike = shapes.get(shape) ?? new Map<string, { set: Record<string, unknown>; ids: string[] }>();
    const group = alike.get(key) ?? { set, ids: [] };
    group.ids.push(id);
    alike.set(key, group);
    shapes.set(shape, alike);
  }
  for (const alike of shapes.values()) {
    if (alike.size === 1) {
      const [{ set, ids }] = alike.values();
      await updateEntities(manager, entity, set, ids);
    } else {
      await updateRowsFromJson(
        manager,
        entity,
        [...alike.values()].flatMap(({ set, ids }) => ids.map((id) => ({ id, set }))),
      );
    }
  }
}

/** One UPDATE of rows that all change the same columns, each to its own values (updateEachEntity). */
async function updateRowsFromJson<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityClass<T>,
  updates: { id: string; set: Record<string, unknown> }[],
): Promise<void> {
  const metadata = manager.connection.getMetadata(entity);
  const driver = manager.connection.driver;
  const properties = Object.keys(updates[0].set);
  const columns = properties.map((property) => {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${metadata.name} has no column ${property}`);
    return column;
  });
  const primary = metadata.primaryColumns[0].databaseName;
  const assignments = columns.map((column, i) => {
    const value = updates[0].set[properties[i]];
    if (typeof value === 'function') return `${column.databaseName} = ${(value as () => string)()}`;
    return `${column.databaseName} = v."set.${column.databaseName}"`;
  });
  if (metadata.updateDateColumn) assignments.push(`${metadata.updateDateColumn.databaseName} = CURRENT_TIMESTAMP`);
  const given = columns.filter((_, i) => typeof updates[0].set[properties[i]] !== 'function');
  const rows = updates.map(({ id, set }) => {
    const row: Record<string, unknown> = { [primary]: id };
    for (const column of given) {
      const value = set[column.propertyName];
      // jsonb goes in as the JSON value itself; the driver would make it a string of JSON.
      row[column.databaseName] =
        column.type === 'jsonb' || column.type === 'json'
          ? column.transformer
            ? ApplyValueTransformers.transformTo(column.transformer, value)
            : value
          : driver.preparePersistentValue(value, column);
    }
    return row;
  });
  const selected = [primary, ...given.map((c) => c.databaseName)].map((name) => `${name} AS "set.${name}"`).join(', ');
  await manager.query(
    prepared(`UPDATE ${metadata.tableName} SET ${assignments.join(', ')}
       FROM (SELECT ${selected} FROM json_populate_recordset(NULL::${metadata.tableName}, $1::json)) v
      WHERE ${metadata.tableName}.${primary} = v."set.${primary}"`),
    [JSON.stringify(rows)],
  );
}

/** Rows of one INSERT: its parameters stay far below PostgreSQL's 65,535 with any entity's columns. */
const INSERT_CHUNK = 200;

/**
 * Inserts the entities in statements written from the entity's metadata, as TypeORM's insert would: the
 * values converted (jsonb as JSON, the columns' transformers applied), a property left undefined and the
 * columns the entity does not insert left to the table's defaults, and what the database made of those
 * (generated numbers, the create and update dates) set back on each entity from RETURNING.
 *
 * `alongside`, a statement that must follow the rows (the rows' links, which reference them), goes in the
 * last INSERT's statement as a data-modifying WITH: one round trip fewer. Its SQL numbers its
 * parameters from the one given. PostgreSQL checks foreign keys at the end of the whole statement, so the
 * links may reference the rows the same statement inserts.
 */
export async function insertEntities<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityClass<T>,
  rows: T[],
  alongside?: { sql: (firstParam: number) => string; params: unknown[] },
): Promise<void> {
  const metadata = manager.connection.getMetadata(entity);
  const driver = manager.connection.driver;
  const given = metadata.columns.filter((c) => c.isInsert && !c.isCreateDate && !c.isUpdateDate);
  const made = metadata.columns.filter((c) => !given.includes(c));
  const returning = made.length ? ` RETURNING ${made.map((c) => `${c.databaseName} AS "${c.propertyName}"`).join(', ')}` : '';
  if (!rows.length && alongside) await manager.query(alongside.sql(1), alongside.params);
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    const chunk = rows.slice(start, start + INSERT_CHUNK);
    const last = start + INSERT_CHUNK >= rows.length;
    const params: unknown[] = [];
    const values = chunk.map((row) => {
      const cells = given.map((column) => {
        const value: unknown = column.getEntityValue(row);
        if (value === undefined) return 'DEFAULT';
        params.push(driver.preparePersistentValue(value, column));
        return `$${params.length}`;
      });
      return `(${cells.join(', ')})`;
    });
    let withClause = '';
    if (last && alongside) {
      withClause = `WITH alongside AS (${alongside.sql(params.length + 1)}) `;
      params.push(...alongside.params);
    }
    const inserted = await manager.query<Record<string, unknown>[]>(
      prepared(
        `${withClause}INSERT INTO ${metadata.tableName} (${given.map((c) => c.databaseName).join(', ')}) VALUES ${values.join(', ')}${returning}`,
      ),
      params,
    );
    // PostgreSQL returns the rows of an INSERT … VALUES in the order of its VALUES.
    chunk.forEach((row, i) => {
      for (const column of made) column.setEntityValue(row, driver.prepareHydratedValue(inserted[i][column.propertyName], column));
    });
  }
}
