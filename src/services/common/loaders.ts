import DataLoader from 'dataloader';
import { In, type EntityManager, type EntityTarget, type FindOptionsWhere, type ObjectLiteral } from 'typeorm';
import { DecisionRuleEntity } from '../../entities/decision-rule.entity';
import { DomainOrderEntity } from '../../entities/domain-order.entity';
import { ExternalSystemEntity } from '../../entities/external-system.entity';
import {
  OutboundRequestDomainOrderEntity,
  OutboundRequestEntity,
  OutboundRequestTestRunEntity,
} from '../../entities/outbound-request.entity';
import { TestMeasureResultEntity } from '../../entities/test-measure-result.entity';
import { TestMeasureDefinitionEntity, TestSpecificationEntity } from '../../entities/test-specification.entity';
import { TestRunEntity } from '../../entities/test-run.entity';

type Batch<K, V> = (keys: readonly K[], manager: EntityManager) => Promise<V[]>;

/** Rows by key, in key order (null where missing), as DataLoader wants them. */
function oneEach<T>(rows: T[], keys: readonly string[], keyOf: (row: T) => string): (T | null)[] {
  const map = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

/** Rows grouped by key, in key order, keeping the rows' own order inside each group. */
function groupEach<T>(rows: T[], keys: readonly string[], keyOf: (row: T) => string): T[][] {
  const map = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const r of rows) map.get(keyOf(r))?.push(r);
  return keys.map((k) => map.get(k)!);
}

/**
 * The per-request DataLoader bag: every nested list of the schema loads through here, so a query for N
 * records runs one statement per relation and level instead of N. Batches read through the manager of
 * the moment (the transaction's during a mutation).
 */
export class Loaders {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();

  constructor(private readonly manager: () => EntityManager) {}

  clearAll(): void {
    for (const l of this.loaders.values()) l.clearAll();
  }

  private loader<V>(name: string, batch: Batch<string, V>): DataLoader<string, V> {
    let l = this.loaders.get(name) as DataLoader<string, V> | undefined;
    if (!l) {
      l = new DataLoader<string, V>((keys) => batch(keys, this.manager()));
      this.loaders.set(name, l as DataLoader<string, unknown>);
    }
    return l;
  }

  private byId<T extends ObjectLiteral & { id: string }>(name: string, entity: EntityTarget<T>) {
    return this.loader<T | null>(name, async (ids, m) =>
      oneEach(await m.findBy(entity, { id: In([...ids]) } as FindOptionsWhere<T>), ids, (r) => r.id),
    );
  }

  private childrenOf<T extends ObjectLiteral & { parentId: string | null }>(name: string, entity: EntityTarget<T>) {
    return this.loader<T[]>(name, async (ids, m) =>
      groupEach(
        await m.find(entity, { where: { parentId: In([...ids]) } as FindOptionsWhere<T>, order: { seq: 'ASC' } as never }),
        ids,
        (r) => r.parentId!,
      ),
    );
  }

  get domainOrder() {
    return this.byId('domainOrder', DomainOrderEntity);
  }

  get domainOrderChildren() {
    return this.childrenOf('domainOrderChildren', DomainOrderEntity);
  }

  get testRun() {
    return this.byId('testRun', TestRunEntity);
  }

  get testRunChildren() {
    return this.childrenOf('testRunChildren', TestRunEntity);
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

  /** Outbound requests that carry each domain order, oldest first. */
  get outboundRequestsOfDomainOrder() {
    return this.loader('outboundRequestsOfDomainOrder', async (ids, m) => {
      const links = await m.find(OutboundRequestDomainOrderEntity, { where: { domainOrderId: In([...ids]) } });
      return this.linkedRequests(links, ids, (l) => l.domainOrderId);
    });
  }

  get outboundRequestsOfTestRun() {
    return this.loader('outboundRequestsOfTestRun', async (ids, m) => {
      const links = await m.find(OutboundRequestTestRunEntity, { where: { testRunId: In([...ids]) } });
      return this.linkedRequests(links, ids, (l) => l.testRunId);
    });
  }

  /** Domain orders an outbound request carries, in payload order. */
  get domainOrdersOfRequest() {
    return this.loader('domainOrdersOfRequest', async (ids, m) => {
      const links = await m.find(OutboundRequestDomainOrderEntity, {
        where: { outboundRequestId: In([...ids]) },
        order: { position: 'ASC' },
      });
      const orders = await this.domainOrder.loadMany(links.map((l) => l.domainOrderId));
      const byId = new Map(links.map((l, i) => [l.domainOrderId, orders[i] as DomainOrderEntity]));
      return groupEach(links, ids, (l) => l.outboundRequestId).map((ls) => ls.map((l) => byId.get(l.domainOrderId)!));
    });
  }

  get testRunsOfRequest() {
    return this.loader('testRunsOfRequest', async (ids, m) => {
      const links = await m.find(OutboundRequestTestRunEntity, {
        where: { outboundRequestId: In([...ids]) },
        order: { position: 'ASC' },
      });
      const runs = await this.testRun.loadMany(links.map((l) => l.testRunId));
      const byId = new Map(links.map((l, i) => [l.testRunId, runs[i] as TestRunEntity]));
      return groupEach(links, ids, (l) => l.outboundRequestId).map((ls) => ls.map((l) => byId.get(l.testRunId)!));
    });
  }

  private async linkedRequests<L extends { outboundRequestId: string }>(
    links: L[],
    ids: readonly string[],
    keyOf: (l: L) => string,
  ): Promise<OutboundRequestEntity[][]> {
    const requests = (await this.outboundRequest.loadMany([...new Set(links.map((l) => l.outboundRequestId))])) as (
      | OutboundRequestEntity
      | null
    )[];
    const byId = new Map(requests.filter((r): r is OutboundRequestEntity => !!r).map((r) => [r.id, r]));
    return groupEach(links, ids, keyOf).map((ls) =>
      ls
        .map((l) => byId.get(l.outboundRequestId))
        .filter((r): r is OutboundRequestEntity => !!r)
        .sort((a, b) => a.seq - b.seq),
    );
  }
}
