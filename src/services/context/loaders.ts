import DataLoader from 'dataloader';
import { In, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { DecisionRuleEntity } from '../../entities/decision-rule.entity';
import { ExternalSystemEntity } from '../../entities/external-system.entity';
import { FalloutEntity } from '../../entities/fallout.entity';
import { InboundMessageEntity } from '../../entities/inbound-message.entity';
import { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { TestMeasureResultEntity } from '../../entities/test-measure-result.entity';
import { TestMeasureDefinitionEntity, TestSpecificationEntity } from '../../entities/test-specification.entity';
import type { ColumnSet, PropertySelection } from '../common/entity-rows';
import { BY_ID, TableRows, type KeyLoader, type RowPath } from './table-rows';

export type Batch<V> = (keys: readonly string[], manager: EntityManager) => Promise<V[]>;

/** Rows grouped by key, in key order, keeping the rows' own order inside each group. */
export function groupEach<T>(rows: T[], keys: readonly string[], keyOf: (row: T) => string): T[][] {
  const map = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const r of rows) map.get(keyOf(r))?.push(r);
  return keys.map((k) => map.get(k)!);
}

/** When DataLoader sends a batch by default: once the promise jobs of this tick (a level of the query) are done. */
function afterPromiseJobs(dispatch: () => void): void {
  void Promise.resolve().then(() => process.nextTick(dispatch));
}

/**
 * The per-request DataLoader bag: every nested list of the schema loads through here, so a query for N
 * records runs one statement per table and level instead of N. Batches read through the manager of
 * the moment (the transaction's during a mutation). Loaders are made on first use: rows of a table
 * along a path (by id, children, through a link table: `rows`, see table-rows.ts), or under a name
 * with a batch of its own (`loader`); the modules that own a table define theirs (the record kinds' in
 * records/, the outbox's in outbox/), the plain by-id ones are here.
 */
export class Loaders {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();
  private readonly tables = new Map<EntityTarget<ObjectLiteral>, TableRows<ObjectLiteral>>();
  /** Pages being read, and the batches that wait for them (see awaitPage). */
  private pages = 0;
  private held: (() => void)[] = [];

  constructor(private readonly manager: () => EntityManager) {}

  /**
   * A list's page being read: the loaders' batches wait until no page of the request is still being
   * read, so the nested lists of all the pages of an operation (domainOrders and fallouts side by side)
   * go out together, one statement per table and level, whichever page came back first. `read` must
   * be a statement that waits for no loader.
   */
  async awaitPage<T>(read: Promise<T>): Promise<T> {
    this.pages++;
    try {
      return await read;
    } finally {
      if (--this.pages === 0) for (const dispatch of this.held.splice(0)) afterPromiseJobs(dispatch);
    }
  }

  /** DataLoader's batchScheduleFn: its own timing (after the promise jobs of this tick), held while a page is read. */
  readonly schedule = (dispatch: () => void): void => {
    if (this.pages > 0) this.held.push(dispatch);
    else afterPromiseJobs(dispatch);
  };

  clearAll(): void {
    for (const l of this.loaders.values()) l.clearAll();
    for (const t of this.tables.values()) t.clear();
  }

  /** The loader registered under `name`, made with `batch` the first time it is asked for. */
  loader<V>(name: string, batch: Batch<V>): DataLoader<string, V> {
    let l = this.loaders.get(name) as DataLoader<string, V> | undefined;
    if (!l) {
      l = new DataLoader<string, V>((keys) => batch(keys, this.manager()), { batchScheduleFn: this.schedule });
      this.loaders.set(name, l);
    }
    return l;
  }

  /**
   * The rows of `entity` reached from each key along `path`; all paths to one table share each statement.
   * With `selection` (the properties the reader uses) the rows may be partial entities (see ColumnSet).
   */
  rows<T extends ObjectLiteral>(entity: EntityTarget<T>, path: RowPath, selection?: PropertySelection | null): KeyLoader<T[]> {
    return this.table(entity).along(path, selection);
  }

  /** A page's rows (see paginate), read with `set`'s columns: the loaders of their table reach them without reading them again. */
  pageRows<T extends ObjectLiteral>(entity: EntityTarget<T>, rows: T[], set: ColumnSet | null = null): void {
    this.table(entity).remember(rows, set);
  }

  private table<T extends ObjectLiteral>(entity: EntityTarget<T>): TableRows<T> {
    let t = this.tables.get(entity) as TableRows<T> | undefined;
    if (!t) {
      t = new TableRows<T>(entity, this.manager, this.schedule);
      this.tables.set(entity, t);
    }
    return t;
  }

  /** Rows by id (null where missing); with `selection`, maybe partial (see rows). */
  byId<T extends ObjectLiteral & { id: string }>(entity: EntityTarget<T>, selection?: PropertySelection | null): KeyLoader<T | null> {
    const rows = this.rows(entity, BY_ID, selection);
    return { load: async (id) => (await rows.load(id))[0] ?? null };
  }

  get externalSystem() {
    return this.byId(ExternalSystemEntity);
  }

  get decisionRule() {
    return this.byId(DecisionRuleEntity);
  }

  get testSpecification() {
    return this.byId(TestSpecificationEntity);
  }

  get measureDefinition() {
    return this.byId(TestMeasureDefinitionEntity);
  }

  get outboundRequest() {
    return this.byId(OutboundRequestEntity);
  }

  get inboundMessage() {
    return this.byId(InboundMessageEntity);
  }

  get fallout() {
    return this.byId(FalloutEntity);
  }

  get measureDefinitionsOf() {
    return this.loader('measureDefinitionsOf', async (ids, m) =>
      groupEach(
        await m.find(TestMeasureDefinitionEntity, { where: { specificationId: In([...ids]) }, order: { position: 'ASC' } }),
        ids,
        (r) => r.specificationId,
      ),
    );
  }

  get measuresOf() {
    return this.loader('measuresOf', async (ids, m) =>
      groupEach(
        await m.find(TestMeasureResultEntity, { where: { testRunId: In([...ids]) }, order: { createdAt: 'ASC', id: 'ASC' } }),
        ids,
        (r) => r.testRunId,
      ),
    );
  }
}
