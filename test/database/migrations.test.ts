import { MIGRATIONS } from '../../migrations';
import { openTestDatabase, type TestDatabase } from '../support/database';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());

  it('creates every table and numbers records from sequences', async () => {
    const q = db.dataSource.createQueryRunner();
    try {
      const tables = (await q.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`,
      )) as { table_name: string }[];
      expect(tables.map((t) => t.table_name)).toEqual([
        'cancellation',
        'circuit_breaker',
        'decision_rule',
        'domain_order',
        'external_system',
        'fallout',
        'fallout_domain_order',
        'fallout_test_run',
        'inbound_message',
        'inbound_message_domain_order',
        'inbound_message_test_run',
        'migrations',
        'open_api',
        'outbound_request',
        'outbound_request_domain_order',
        'outbound_request_test_run',
        'poll_schedule',
        'test_measure_definition',
        'test_measure_result',
        'test_run',
        'test_specification',
      ]);
      const rows = (await q.query(
        `INSERT INTO domain_order (id, root_id, action, service_specification)
         SELECT x, x, 'ADD', '{"id":"s"}' FROM (SELECT gen_random_uuid() AS x FROM generate_series(1, 2)) g
         RETURNING number`,
      )) as { number: string }[];
      expect(rows.map((r) => r.number)).toEqual(['DO0001001', 'DO0001002']);
    } finally {
      await q.release();
    }
  });

  it('can be reverted and applied again', async () => {
    const claimSettings = async () =>
      (
        await db.dataSource.query<{ proconfig: string[] }[]>(
          `SELECT proconfig FROM pg_proc WHERE proname = 'claim_outbound_requests' AND pronamespace = current_schema()::regnamespace`,
        )
      )[0].proconfig;
    // A database migrated before the claim by primary key gets it, and gives it back when undone.
    expect(await claimSettings()).toEqual(expect.arrayContaining(['enable_seqscan=off', 'plan_cache_mode=force_generic_plan']));
    const claimByKey = MIGRATIONS.findIndex((M) => new M().name === 'ClaimByPrimaryKey1796044800000');
    for (let i = MIGRATIONS.length - 1; i >= claimByKey; i--) await db.dataSource.undoLastMigration();
    expect(await claimSettings()).toEqual(['enable_sort=off', 'jit=off']);
    for (let i = claimByKey - 1; i >= 0; i--) await db.dataSource.undoLastMigration();
    const left = await db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'migrations'`,
    );
    expect(left[0].n).toBe(0);
    await db.dataSource.runMigrations();
    expect(await claimSettings()).toEqual(expect.arrayContaining(['enable_seqscan=off', 'plan_cache_mode=force_generic_plan']));
    const apis = await db.dataSource.query<unknown[]>(`SELECT api, active FROM open_api ORDER BY api`);
    expect(apis).toEqual([
      { api: 'SERVICE_ORDERING_TMF641', active: false },
      { api: 'SERVICE_TEST_TMF653', active: false },
    ]);
  });
});
