import DataLoader from 'dataloader';
import { In, type EntityManager, type EntityTarget, type FindOptionsWhere, type ObjectLiteral } from 'typeorm';
import { DecisionRuleEntity } from '../../entities/decision-rule.entity';
import { ExternalSystemEntity } from '../../entities/external-system.entity';
import { FalloutEntity } from '../../entities/fallout.entity';
import { InboundMessageEntity } from '../../entities/inbound-message.entity';
import { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { TestMeasureResultEntity } from '../../entities/test-measure-result.entity';
import { TestMeasureDefinitionEntity, TestSpecificationEntity } from '../../entities/test-specification.entity';

export type Batch<V> = (keys: readonly string[], manager: EntityManager) => Promise<V[]>;

/** Rows by key, in key order (null where missing), as DataLoader wants them. */
export function oneEach<T>(rows: T[], keys: readonly string[], keyOf: (row: T) => string): (T | null)[] {
  const map = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

/** Rows grouped by key, in key order, keeping the rows' own order inside each group. */
export function groupEach<T>(rows: T[], keys: readonly string[], keyOf: (row: T) => string): T[][] {
  const map = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const r of rows) map.get(keyOf(r))?.push(r);
  return keys.map((k) => map.get(k)!);
}

/**
 * The per-request DataLoader bag: every nested list of the schema loads through here, so a query for N
 * records runs one statement per relation and level instead of N. Batches read through the manager of
 * the moment (the transaction's during a mutation). Loaders are made on first use under a name; the
 * modules that own a table define theirs with `loader` (the record kinds' in records/, the outbox's in
 * outbox/), the plain by-id ones are here.
 */
export class Loaders {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();

  constructor(private readonly manager: () => EntityManager) {}

  clearAll(): void {
    for (const l of this.loaders.values()) l.clearAll();
  }

  /** The loader registered under `name`, made with `batch` the first time it is asked for. */
  loader<V>(name: string, batch: Batch<V>): DataLoader<string, V> {
    let l = this.loaders.get(name) as DataLoader<string, V> | undefined;
    if (!l) {
      l = new DataLoader<string, V>((keys) => batch(keys, this.manager()));
      this.loaders.set(name, l);
    }
    return l;
  }

  byId<T extends ObjectLiteral & { id: string }>(name: string, entity: EntityTarget<T>): DataLoader<string, T | null> {
    return this.loader<T | null>(name, async (ids, m) =>
      oneEach(await m.findBy(entity, { id: In([...ids]) } as FindOptionsWhere<T>), ids, (r) => r.id),
    );
  }

  childrenOf<T extends ObjectLiteral & { parentId: string | null }>(name: string, entity: EntityTarget<T>): DataLoader<string, T[]> {
    return this.loader<T[]>(name, async (ids, m) =>
      groupEach(
        await m.find(entity, { where: { parentId: In([...ids]) } as FindOptionsWhere<T>, order: { seq: 'ASC' } as never }),
        ids,
        (r) => r.parentId!,
      ),
    );
  }

  get externalSystem() {
    return this.byId('externalSystem', ExternalSystemEntity);
  }

  get decisionRule() {
    return this.byId('decisionRule', DecisionRuleEntity);
  }

  get testSpecification() {
    return this.byId('testSpecification', TestSpecificationEntity);
  }

  get measureDefinition() {
    return this.byId('measureDefinition', TestMeasureDefinitionEntity);
  }

  get outboundRequest() {
    return this.byId('outboundRequest', OutboundRequestEntity);
  }

  get inboundMessage() {
    return this.byId('inboundMessage', InboundMessageEntity);
  }

  get fallout() {
    return this.byId('fallout', FalloutEntity);
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
