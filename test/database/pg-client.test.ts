import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { loadConfig } from '../../src/config';
import { createDataSource, openDatabase } from '../../src/database/data-source';
import { GatewayClient, gatewayClient } from '../../src/database/pg-client';
import { deferUntilCommit } from '../../src/services/common/commit-tail';
import { prepared } from '../../src/services/common/prepared';
import { sqlLiteral } from '../../src/services/events/postgres-broker';
import { openTestDatabase, testDatabaseUrl, usingPostgres } from '../support/database';

const describeOnPostgres = usingPostgres ? describe : describe.skip;
if (!usingPostgres) {
  process.stdout.write(
    'SKIPPED prepared-statements.test.ts: needs real PostgreSQL (set TEST_DATABASE_URL); the embedded database prepares nothing\n',
  );
}

describeOnPostgres("the gateway's PostgreSQL connection", () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let clients: Client[] = [];

  async function connect(options = { perConnection: 3, seenOnce: 100 }): Promise<Client> {
    const GatewayClient = gatewayClient(options);
    const client = new GatewayClient({ connectionString: testDatabaseUrl!, options: `-c search_path=${schema}` });
    await client.connect();
    clients.push(client);
    return client;
  }
  const preparedOn = async (client: Client) =>
    (await client.query<{ statement: string }>(`SELECT statement FROM pg_prepared_statements ORDER BY prepare_time`)).rows.map(
      (r) => r.statement,
    );

  beforeAll(async () => {
    const client = await connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`CREATE TABLE ${schema}.item (id int PRIMARY KEY, v int NOT NULL)`);
    await client.query(`INSERT INTO ${schema}.item SELECT g, g * 10 FROM generate_series(1, 20) g`);
  });
  afterEach(async () => {
    const [first, ...others] = clients;
    await Promise.all(others.map((c) => c.end()));
    clients = [first];
  });
  afterAll(async () => {
    await clients[0].query(`DROP SCHEMA ${schema} CASCADE`);
    await clients[0].end();
  });

  it('a statement marked for it is prepared the second time it runs, and answers as before', async () => {
    const client = await connect();
    const byId = prepared('SELECT v FROM item WHERE id = $1');
    expect((await client.query(byId, [1])).rows).toEqual([{ v: 10 }]);
    expect(await preparedOn(client)).toEqual([]);
    for (const id of [2, 3, 4]) expect((await client.query(byId, [id])).rows).toEqual([{ v: id * 10 }]);
    expect(await preparedOn(client)).toEqual([byId]);
    // Unmarked, without parameters, or of every column (a column added would change what it returns): never.
    for (let i = 0; i < 3; i++) {
      await client.query('SELECT v FROM item WHERE id = $1', [1]);
      await client.query(prepared('SELECT count(*) FROM item'));
      await client.query(prepared('SELECT * FROM item WHERE id = $1'), [1]);
      await client.query(prepared('SELECT i.* FROM item i WHERE i.id = $1'), [1]);
      await client.query(prepared('UPDATE item SET v = v WHERE id = $1 RETURNING *'), [1]);
    }
    expect(await preparedOn(client)).toEqual([byId]);
  });

  it('an unmarked page filtered by a rare state is never prepared, however often it runs (it keeps a plan for its value)', async () => {
    const client = await connect();
    await client.query(`CREATE TABLE job (seq bigserial PRIMARY KEY, state text NOT NULL)`);
    await client.query(
      `INSERT INTO job (state) SELECT CASE WHEN g % 1000 = 0 THEN 'ERROR' WHEN g % 997 = 0 THEN 'QUEUED' ELSE 'DONE' END FROM generate_series(1, 100000) g`,
    );
    await client.query(`CREATE INDEX job_state_idx ON job (state, seq) WHERE state <> 'DONE'`);
    await client.query('ANALYZE job');
    const page = 'SELECT seq FROM job WHERE state = $1 ORDER BY seq DESC LIMIT 51';
    for (let i = 0; i < 8; i++) expect((await client.query(page, ['ERROR'])).rows).toHaveLength(51);
    expect(await preparedOn(client)).toEqual([]);
  });

  it('a connection keeps at most its limit, giving back the least recently used', async () => {
    const client = await connect({ perConnection: 3, seenOnce: 100 });
    const texts = Array.from({ length: 8 }, (_, i) => prepared(`SELECT v + ${i} AS v FROM item WHERE id = $1`));
    for (const [i, text] of texts.entries()) {
      for (let run = 0; run < 3; run++) expect((await client.query(text, [2])).rows).toEqual([{ v: 20 + i }]);
    }
    expect(await preparedOn(client)).toEqual(texts.slice(-3));
    // One given back comes back under a new name: no clash with what the server still has.
    expect((await client.query(texts[0], [3])).rows).toEqual([{ v: 30 }]);
    expect((await preparedOn(client)).sort()).toEqual([texts[0], ...texts.slice(-2)].sort());
  });

  it('a column changing type under a prepared statement: outside a transaction the next run answers; inside, one failure and then it works', async () => {
    const client = await connect();
    const other = await connect();
    await other.query(`CREATE TABLE reading (id int PRIMARY KEY, value int)`);
    await other.query(`INSERT INTO reading VALUES (1, 7)`);
    const read = prepared('SELECT value FROM reading WHERE id = $1');
    for (let i = 0; i < 3; i++) await client.query(read, [1]);
    expect(await preparedOn(client)).toContain(read);

    await other.query(`ALTER TABLE reading ALTER COLUMN value TYPE text`);
    expect((await client.query(read, [1])).rows).toEqual([{ value: '7' }]);
    for (let i = 0; i < 2; i++) expect((await client.query(read, [1])).rows).toEqual([{ value: '7' }]);
    expect(await preparedOn(client)).toContain(read);

    await other.query(`ALTER TABLE reading ALTER COLUMN value TYPE int USING value::int`);
    await client.query('BEGIN');
    await expect(client.query(read, [1])).rejects.toMatchObject({ code: '0A000' });
    await client.query('ROLLBACK');
    await client.query('BEGIN');
    expect((await client.query(read, [1])).rows).toEqual([{ value: 7 }]);
    await client.query('COMMIT');
    expect((await client.query(read, [1])).rows).toEqual([{ value: 7 }]);
    // The statements given back were deallocated: what the server holds is the one in use.
    expect((await preparedOn(client)).filter((s) => s === read)).toHaveLength(1);
  });

  it('a statement the server no longer has (DISCARD ALL from a pooler) is prepared again', async () => {
    const client = await connect();
    const byId = prepared('SELECT v FROM item WHERE id = $1');
    for (let i = 0; i < 3; i++) await client.query(byId, [5]);
    await client.query('DISCARD ALL');
    await client.query(`SET search_path = ${schema}`);
    expect((await client.query(byId, [5])).rows).toEqual([{ v: 50 }]);
    expect((await client.query(byId, [6])).rows).toEqual([{ v: 60 }]);
    expect(await preparedOn(client)).toEqual([byId]);
  });

  it('the gateway prepares its repeated statements, and DATABASE_PREPARED_STATEMENTS=false prepares none', async () => {
    for (const [setting, expected] of [
      ['true', true],
      ['false', false],
    ] as const) {
      const config = loadConfig({
        DATABASE_URL: testDatabaseUrl!,
        DATABASE_SCHEMA: `${schema}_${setting}`,
        ENCRYPTION_KEY: '1'.repeat(64),
        JWT_SECRET: 'x'.repeat(32),
        DATABASE_PREPARED_STATEMENTS: setting,
      });
      const dataSource = await openDatabase(createDataSource(config, { poolSize: 1 }));
      try {
        const byNumber = prepared('SELECT id FROM domain_order WHERE number = $1');
        for (let i = 0; i < 3; i++) await dataSource.query(byNumber, ['DO0000001']);
        const onServer = (await dataSource.query<{ statement: string }[]>(`SELECT statement FROM pg_prepared_statements`)).map(
          (r) => r.statement,
        );
        expect(onServer.includes(byNumber)).toBe(expected);
      } finally {
        await dataSource.query(`DROP SCHEMA "${config.databaseSchema}" CASCADE`);
        await dataSource.destroy();
      }
    }
  });

  /** The notifications a listening connection receives on `channel` while `work` runs (and those on their way when it ends). */
  async function heard(channel: string, work: (heardSoFar: string[]) => Promise<void>): Promise<string[]> {
    const listener = await connect();
    const payloads: string[] = [];
    listener.on('notification', (n) => payloads.push(n.payload ?? ''));
    await listener.query(`LISTEN ${channel}`);
    await work(payloads);
    await listener.query('SELECT 1'); // a round trip: what was notified before it has arrived
    return payloads;
  }

  it("a statement deferred to the COMMIT runs with it, after the transaction's own, with quotes and backslashes intact", async () => {
    const client = await connect();
    const payload = `it's a "test" with \\ a backslash, \\' both, and ünïcödé ✓`;
    const got = await heard('deferred_test', async (soFar) => {
      await client.query('BEGIN');
      await client.query('INSERT INTO item VALUES (101, 1)');
      expect((client as GatewayClient).deferUntilCommit(() => `SELECT pg_notify('deferred_test', ${sqlLiteral(payload)})`)).toBe(true);
      await client.query('SELECT 1');
      expect(soFar).toEqual([]);
      await client.query('COMMIT');
    });
    expect(got).toEqual([payload]);
    expect((await client.query('SELECT v FROM item WHERE id = 101')).rows).toEqual([{ v: 1 }]);
  });

  it('a deferred statement that fails fails the COMMIT: nothing of the transaction is kept, and the next one starts clean', async () => {
    const client = await connect();
    await client.query('BEGIN');
    await client.query('INSERT INTO item VALUES (102, 1)');
    expect((client as GatewayClient).deferUntilCommit(() => 'SELECT 1 / 0')).toBe(true);
    await expect(client.query('COMMIT')).rejects.toMatchObject({ code: '22012' });
    await client.query('ROLLBACK');
    expect((await client.query('SELECT count(*)::int AS n FROM item WHERE id = 102')).rows).toEqual([{ n: 0 }]);
    await client.query('BEGIN');
    await client.query('INSERT INTO item VALUES (103, 1)');
    await client.query('COMMIT');
    expect((await client.query('SELECT count(*)::int AS n FROM item WHERE id = 103')).rows).toEqual([{ n: 1 }]);
  });

  it('nothing is deferred outside a transaction or inside a savepoint', async () => {
    const client = (await connect()) as GatewayClient;
    expect(client.deferUntilCommit(() => 'SELECT 1')).toBe(false);
    await client.query('BEGIN');
    await client.query('SAVEPOINT inner_one');
    expect(client.deferUntilCommit(() => 'SELECT 1')).toBe(false);
    await client.query('RELEASE SAVEPOINT inner_one');
    expect(client.deferUntilCommit(() => 'SELECT 1')).toBe(true);
    await client.query('ROLLBACK');
    // The rolled back transaction took its deferred statement with it.
    await client.query('BEGIN');
    await client.query('COMMIT');
  });

  it("through TypeORM: a transaction's manager defers to its COMMIT, a rollback sends nothing, the plain manager defers nothing", async () => {
    const db = await openTestDatabase();
    const { dataSource } = db;
    try {
      expect(deferUntilCommit(dataSource.manager, () => 'SELECT 1')).toBe(false);
      const got = await heard('orm_test', async () => {
        await dataSource.transaction(async (m) => {
          await m.query(`SELECT 1`);
          expect(deferUntilCommit(m, () => `SELECT pg_notify('orm_test', 'committed')`)).toBe(true);
        });
        await expect(
          dataSource.transaction(async (m) => {
            await m.query(`SELECT 1`);
            expect(deferUntilCommit(m, () => `SELECT pg_notify('orm_test', 'rolled back')`)).toBe(true);
            throw new Error('changed my mind');
          }),
        ).rejects.toThrow('changed my mind');
      });
      expect(got).toEqual(['committed']);
    } finally {
      await db.close();
    }
  });
});
