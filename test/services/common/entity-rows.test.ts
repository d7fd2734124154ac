import { randomUUID } from 'node:crypto';
import { DomainOrderEntity } from '../../../src/entities/domain-order.entity';
import { FulfillmentState, OrderItemAction } from '../../../src/entities/enums';
import { updateEachEntity } from '../../../src/services/common/entity-rows';
import { openTestDatabase, type TestDatabase } from '../../support/database';
import { StatementLog } from '../../support/statement-log';

describe('updateEachEntity', () => {
  const log = new StatementLog(false);
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase({ logger: log });
  });
  afterAll(() => db?.close());

  async function orders(count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, () => randomUUID());
    for (const id of ids) {
      await db.dataSource.manager.insert(DomainOrderEntity, {
        id,
        rootId: id,
        depth: 0,
        characteristics: [],
        name: 'rows',
        category: 'CFS',
        domain: 'FIXED',
        action: OrderItemAction.ADD,
        serviceSpecification: { id: 'spec' },
      });
    }
    return ids;
  }

  const read = (ids: string[]) => Promise.all(ids.map((id) => db.dataSource.manager.findOneByOrFail(DomainOrderEntity, { id })));

  it('records changing the same columns to values of their own are one UPDATE, each row getting its own values', async () => {
    const ids = await orders(3);
    const before = await read(ids);
    const at = (n: number) => new Date(Date.UTC(2026, 11, 1, 10, n, 0, 123));
    log.statements = [];
    log.counting = true;
    await updateEachEntity(db.dataSource.manager, DomainOrderEntity, [
      {
        id: ids[0],
        set: {
          fulfillmentState: FulfillmentState.PENDING,
          externalState: 'inProgress',
          lastEventAt: at(1),
          milestones: [{ id: 'm1', name: 'it\'s "quoted"' }],
        },
      },
      { id: ids[1], set: { externalState: null, fulfillmentState: FulfillmentState.FULFILLED, lastEventAt: at(2), milestones: [] } },
      {
        id: ids[2],
        set: {
          fulfillmentState: FulfillmentState.ERROR,
          externalState: 'failed',
          lastEventAt: at(3),
          milestones: [{ nested: { deep: [1, true, null] } }],
        },
      },
    ]);
    log.counting = false;
    expect(log.statements.filter((s) => s.startsWith('UPDATE'))).toHaveLength(1);
    const after = await read(ids);
    expect(after.map((o) => [o.fulfillmentState, o.externalState, o.lastEventAt?.toISOString(), o.milestones])).toEqual([
      ['PENDING', 'inProgress', at(1).toISOString(), [{ id: 'm1', name: 'it\'s "quoted"' }]],
      ['FULFILLED', null, at(2).toISOString(), []],
      ['ERROR', 'failed', at(3).toISOString(), [{ nested: { deep: [1, true, null] } }]],
    ]);
    // Columns not in the set are left alone; the update date is stamped.
    expect(after.map((o) => [o.name, o.pointOfNoReturn, o.version])).toEqual(before.map((o) => [o.name, o.pointOfNoReturn, o.version]));
    after.forEach((o, i) => expect(o.updatedAt.getTime()).toBeGreaterThanOrEqual(before[i].updatedAt.getTime()));
  });

  it('an SQL expression applies to every row of its statement; records changing other columns get a statement of their own', async () => {
    const ids = await orders(3);
    const before = await read(ids);
    log.statements = [];
    log.counting = true;
    await updateEachEntity(db.dataSource.manager, DomainOrderEntity, [
      { id: ids[0], set: { externalState: 'a', version: () => 'version + 1' } },
      { id: ids[1], set: { externalState: 'b', version: () => 'version + 1' } },
      { id: ids[2], set: { pointOfNoReturn: true } },
    ]);
    log.counting = false;
    expect(log.statements.filter((s) => s.startsWith('UPDATE'))).toHaveLength(2);
    const after = await read(ids);
    expect(after.map((o) => [o.externalState, o.version, o.pointOfNoReturn])).toEqual([
      ['a', before[0].version + 1, false],
      ['b', before[1].version + 1, false],
      [null, before[2].version, true],
    ]);
  });
});
