import { randomUUID } from 'node:crypto';
import { DomainOrderEntity } from '../../../src/entities/domain-order.entity';
import { OrderItemAction } from '../../../src/entities/enums';
import { Role } from '../../../src/services/auth/roles';
import type { PropertySelection } from '../../../src/services/common/entity-rows';
import { RequestContext } from '../../../src/services/context/request-context';
import { openTestDatabase, type TestDatabase } from '../../support/database';
import { StatementLog } from '../../support/statement-log';

/** Loaders asked with the properties their reader uses read those columns only, and never hand a partial row to a reader that did not ask. */
describe('partial rows of the request loaders', () => {
  const log = new StatementLog(false);
  let db: TestDatabase;
  let ids: string[];

  const selection = (...properties: string[]): PropertySelection => ({
    key: [...properties].sort().join(','),
    properties: [...properties].sort(),
  });
  const context = () => new RequestContext(db.dataSource, { id: 'test', roles: [Role.ADMIN] });
  const statements = async <T>(work: () => Promise<T>) => {
    log.statements = [];
    log.counting = true;
    try {
      return { value: await work(), statements: [...log.statements] };
    } finally {
      log.counting = false;
    }
  };

  beforeAll(async () => {
    db = await openTestDatabase({ logger: log });
    ids = [randomUUID(), randomUUID()];
    for (const [i, id] of ids.entries()) {
      await db.dataSource.manager.insert(DomainOrderEntity, {
        id,
        rootId: id,
        depth: 0,
        characteristics: [{ name: 'bandwidth', value: `${i + 1}00M` }],
        name: `order ${i}`,
        category: 'CFS',
        domain: 'FIXED',
        action: OrderItemAction.ADD,
        serviceSpecification: { id: 'spec' },
      });
    }
  });
  afterAll(() => db?.close());

  it('reads the named columns (with id and seq); a column not named throws, naming it, instead of reading undefined', async () => {
    const ctx = context();
    const { value: row, statements: sql } = await statements(() => ctx.loaders.byId(DomainOrderEntity, selection('name')).load(ids[0]));
    expect(sql).toHaveLength(1);
    expect(sql[0]).toContain('t.name');
    expect(sql[0]).not.toContain('characteristics');
    expect(row).toBeInstanceOf(DomainOrderEntity);
    expect(JSON.parse(JSON.stringify(row))).toEqual({ id: ids[0], seq: expect.any(Number), name: 'order 0' });
    expect(() => row!.characteristics).toThrow('DomainOrderEntity.characteristics was not read');
  });

  it('a value set on a column that was not read is kept', async () => {
    const row = (await context().loaders.byId(DomainOrderEntity, selection('name')).load(ids[0]))!;
    row.externalId = 'ext-1';
    expect(row.externalId).toBe('ext-1');
  });

  it('a reader that names nothing gets the whole entity, even after the row was read partially in the same request', async () => {
    const ctx = context();
    const partial = await ctx.loaders.byId(DomainOrderEntity, selection('name')).load(ids[0]);
    const { value: whole, statements: sql } = await statements(() => ctx.loaders.byId(DomainOrderEntity).load(ids[0]));
    expect(sql).toHaveLength(1);
    expect(whole).not.toBe(partial);
    expect(whole!.characteristics).toEqual([{ name: 'bandwidth', value: '100M' }]);
    expect(whole!.serviceSpecification).toEqual({ id: 'spec' });
  });

  it('a row read whole serves a later partial ask as it is, without reading its columns again', async () => {
    const ctx = context();
    const whole = await ctx.loaders.byId(DomainOrderEntity).load(ids[1]);
    const { value: again, statements: sql } = await statements(() => ctx.loaders.byId(DomainOrderEntity, selection('name')).load(ids[1]));
    expect(again).toBe(whole);
    // The pairs are read, the row's columns are not.
    expect(sql[0]).toContain('<> ALL');
  });

  it('asks of one tick with different columns are one statement reading the columns of both', async () => {
    const ctx = context();
    const { value, statements: sql } = await statements(() =>
      Promise.all([
        ctx.loaders.byId(DomainOrderEntity, selection('name')).load(ids[0]),
        ctx.loaders.byId(DomainOrderEntity, selection('category')).load(ids[1]),
      ]),
    );
    expect(sql).toHaveLength(1);
    expect(value.map((r) => [r!.name, r!.category])).toEqual([
      ['order 0', 'CFS'],
      ['order 1', 'CFS'],
    ]);
  });

  it('a selection naming what is not a column of the entity reads the whole entity', async () => {
    const row = await context().loaders.byId(DomainOrderEntity, selection('name', 'noSuchColumn')).load(ids[0]);
    expect(row!.characteristics).toEqual([{ name: 'bandwidth', value: '100M' }]);
  });

  it('an id that names no row is null, with or without a selection', async () => {
    const ctx = context();
    expect(await ctx.loaders.byId(DomainOrderEntity, selection('name')).load(randomUUID())).toBeNull();
    expect(await ctx.loaders.byId(DomainOrderEntity).load(randomUUID())).toBeNull();
  });
});
