import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { loadConfig } from '../../src/config';
import { createDataSource, openDatabase } from '../../src/database/data-source';
import { preparingClient } from '../../src/database/prepared-statements';
import { testDatabaseUrl, usingPostgres } from '../support/database';

const describeOnPostgres = usingPostgres ? describe : describe.skip;
if (!usingPostgres) {
  process.stdout.write(
    'SKIPPED prepared-statements.test.ts: needs real PostgreSQL (set TEST_DATABASE_URL); the embedded database prepares nothing\n',
  );
}

describeOnPostgres('prepared statements on PostgreSQL', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let clients: Client[] = [];

  async function connect(options = { perConnection: 3, seenOnce: 100 }): Promise<Client> {
    const PreparingClient = preparingClient(options);
    const client = new PreparingClient({ connectionString: testDatabaseUrl!, options: `-c search_path=${schema}` });
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

  it('a statement with parameters is prepared the second time it runs, and answers as before', async () => {
    const client = await connect();
    const byId = 'SELECT v FROM item WHERE id = $1';
    expect((await client.query(byId, [1])).rows).toEqual([{ v: 10 }]);
    expect(await preparedOn(client)).toEqual([]);
    for (const id of [2, 3, 4]) expect((await client.query(byId, [id])).rows).toEqual([{ v: id * 10 }]);
    expect(await preparedOn(client)).toEqual([byId]);
    // Without parameters, or of every column (a column added would change what it returns): never.
    for (let i = 0; i < 3; i++) {
      await client.query('SELECT count(*) FROM item');
      await client.query('SELECT * FROM item WHERE id = $1', [1]);
      await client.query('SELECT i.* FROM item i WHERE i.id = $1', [1]);
      await client.query('UPDATE item SET v = v WHERE id = $1 RETURNING *', [1]);
    }
    expect(await preparedOn(client)).toEqual([byId]);
  });

  it('a connection keeps at most its limit, giving back the least recently used', async () => {
    const client = await connect({ perConnection: 3, seenOnce: 100 });
    const texts = Array.from({ length: 8 }, (_, i) => `SELECT v + ${i} AS v FROM item WHERE id = $1`);
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
    const read = 'SELECT value FROM reading WHERE id = $1';
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
    const byId = 'SELECT v FROM item WHERE id = $1';
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
        const byNumber = 'SELECT id FROM domain_order WHERE number = $1';
        for (let i = 0; i < 3; i++) await dataSource.query(byNumber, ['DO0000001']);
        const prepared = (await dataSource.query<{ statement: string }[]>(`SELECT statement FROM pg_prepared_statements`)).map(
          (r) => r.statement,
        );
        expect(prepared.includes(byNumber)).toBe(expected);
      } finally {
        await dataSource.query(`DROP SCHEMA "${config.databaseSchema}" CASCADE`);
        await dataSource.destroy();
      }
    }
  });
});
