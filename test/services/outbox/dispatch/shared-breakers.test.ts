import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SharedBreakers } from '../../../../src/services/outbox/dispatch/shared-breakers';
import { classifyHttpResponse, classifyTransportError } from '../../../../src/services/southbound/delivery-outcome';
import { openTestDatabase, type TestDatabase } from '../../../support/database';

const opts = { failureThreshold: 3, openMs: 60_000 };
const TRANSIENT = classifyHttpResponse(503, {}, '', new Date());
const REFUSED = classifyHttpResponse(422, {}, '', new Date());
const DELIVERED = { kind: 'DELIVERED' } as const;

describe('shared circuit breakers (one table, every instance)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  /** Instances of the gateway: each its own breakers object and instance id on the one database. */
  const instance = (o = opts) => new SharedBreakers(dataSource, randomUUID(), o);

  beforeAll(async () => {
    db = await openTestDatabase();
    dataSource = db.dataSource;
  });
  afterAll(() => db?.close());

  async function system(): Promise<string> {
    const [{ id }] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO external_system (name, api, base_url, timeout_ms, max_attempts, auth_type)
       VALUES ($1, 'SERVICE_ORDERING_TMF641', 'http://127.0.0.1:1', 1000, 5, 'NONE') RETURNING id`,
      [`breaker ${randomUUID()}`],
    );
    return id;
  }
  const row = async (id: string) =>
    (
      await dataSource.query<{ state: string; failures: number; trial_holder: string | null }[]>(
        'SELECT state, failures, trial_holder FROM circuit_breaker WHERE external_system_id = $1',
        [id],
      )
    )[0];
  /** The open period (or a trial) as if it had run out: the database's clock decides, so move the row's times back. */
  const elapse = (id: string) =>
    dataSource.query(
      `UPDATE circuit_breaker SET open_until = now() - interval '1 millisecond',
              trial_started_at = trial_started_at - interval '1 hour' WHERE external_system_id = $1`,
      [id],
    );

  it('a healthy system costs nothing: everything goes through and successes write no row', async () => {
    const id = await system();
    const a = instance();
    expect(await a.admit(id)).toEqual({ allowed: true, trial: false });
    expect(await a.record(id, DELIVERED, false)).toEqual({ from: 'CLOSED', to: 'CLOSED' });
    expect(await row(id)).toBeUndefined();
    expect(a.blockedSystems()).not.toContain(id);
  });

  it('counts consecutive failures of every instance together and opens at the threshold, not per instance', async () => {
    const id = await system();
    const [a, b] = [instance(), instance()];
    expect(await a.record(id, TRANSIENT, false)).toEqual({ from: 'CLOSED', to: 'CLOSED' });
    expect(await b.record(id, classifyTransportError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), false)).toEqual({
      from: 'CLOSED',
      to: 'CLOSED',
    });
    expect(await row(id)).toMatchObject({ state: 'CLOSED', failures: 2 });
    expect(await a.record(id, TRANSIENT, false)).toEqual({ from: 'CLOSED', to: 'OPEN' });
    // b did not see it open, but asks the database before sending to a system with failures on record.
    const refused = await b.admit(id);
    expect(refused.allowed).toBe(false);
    expect(!refused.allowed && refused.until.getTime()).toBeGreaterThan(Date.now() + opts.openMs / 2);
    const c = instance();
    await c.refresh();
    expect(c.blockedSystems()).toContain(id);
  });

  it('counts failures arriving at once from many instances exactly', async () => {
    const id = await system();
    const many = Array.from({ length: 8 }, () => instance({ failureThreshold: 100, openMs: 60_000 }));
    await Promise.all(many.map((m) => m.record(id, TRANSIENT, false)));
    expect(await row(id)).toMatchObject({ state: 'CLOSED', failures: 8 });
  });

  it('a success in between resets the count; a permanent 4xx is a success (the system is up)', async () => {
    const id = await system();
    const a = instance();
    await a.record(id, TRANSIENT, false);
    await a.record(id, TRANSIENT, false);
    await a.record(id, REFUSED, false);
    expect(await row(id)).toMatchObject({ state: 'CLOSED', failures: 0 });
    await a.record(id, TRANSIENT, false);
    await a.record(id, TRANSIENT, false);
    expect(await row(id)).toMatchObject({ state: 'CLOSED', failures: 2 });
  });

  it('after the open period exactly one of many instances gets the trial; the others wait', async () => {
    const id = await system();
    const a = instance();
    for (let i = 0; i < 3; i++) await a.record(id, TRANSIENT, false);
    await elapse(id);
    const many = Array.from({ length: 6 }, () => instance());
    await Promise.all(many.map((m) => m.refresh()));
    const answers = await Promise.all(many.map((m) => m.admit(id)));
    expect(answers.filter((x) => x.allowed && x.trial)).toHaveLength(1);
    expect(answers.filter((x) => !x.allowed)).toHaveLength(5);
    expect(await row(id)).toMatchObject({ state: 'HALF_OPEN' });
    // A trial out is a reason not to claim the system's requests (as every instance reads it next).
    await many[0].refresh();
    expect(many[0].blockedSystems()).toContain(id);
  });

  it('a trial that succeeds closes the breaker for everyone', async () => {
    const id = await system();
    const a = instance();
    for (let i = 0; i < 3; i++) await a.record(id, TRANSIENT, false);
    await elapse(id);
    const b = instance();
    await b.refresh();
    expect(await b.admit(id)).toEqual({ allowed: true, trial: true });
    expect(await b.record(id, DELIVERED, true)).toEqual({ from: 'HALF_OPEN', to: 'CLOSED' });
    expect(await row(id)).toMatchObject({ state: 'CLOSED', failures: 0, trial_holder: null });
    await a.refresh();
    expect(a.stateOf(id).status).toBe('CLOSED');
    expect(await a.admit(id)).toEqual({ allowed: true, trial: false });
  });

  it('a trial that fails re-opens it for another period; late failures of earlier sends do not push the opening out', async () => {
    const id = await system();
    const a = instance();
    for (let i = 0; i < 3; i++) await a.record(id, TRANSIENT, false);
    const until = async () =>
      (
        await dataSource.query<{ t: number }[]>(
          `SELECT (extract(epoch FROM open_until) * 1000)::float8 AS t FROM circuit_breaker WHERE external_system_id = $1`,
          [id],
        )
      )[0].t;
    const firstUntil = await until();
    await a.record(id, TRANSIENT, false); // a request sent before it opened
    expect(await until()).toBe(firstUntil);
    expect(await row(id)).toMatchObject({ state: 'OPEN', failures: 4 });
    await elapse(id);
    expect(await a.admit(id)).toEqual({ allowed: true, trial: true });
    expect(await a.record(id, TRANSIENT, true)).toEqual({ from: 'HALF_OPEN', to: 'OPEN' });
    expect(await row(id)).toMatchObject({ state: 'OPEN', failures: 5, trial_holder: null });
    expect(await until()).toBeGreaterThan(Date.now() + opts.openMs / 2);
    expect((await a.admit(id)).allowed).toBe(false);
  });

  it('replaces a trial whose outcome never came (its instance died) after another open period', async () => {
    const id = await system();
    const a = instance();
    for (let i = 0; i < 3; i++) await a.record(id, TRANSIENT, false);
    await elapse(id);
    expect(await a.admit(id)).toMatchObject({ allowed: true, trial: true });
    const b = instance();
    await b.refresh();
    expect((await b.admit(id)).allowed).toBe(false);
    await elapse(id); // the trial started an hour ago as far as the database knows
    expect(await b.admit(id)).toEqual({ allowed: true, trial: true });
  });

  it('opens at the first failure with a threshold of 1', async () => {
    const id = await system();
    expect(await instance({ failureThreshold: 1, openMs: 60_000 }).record(id, TRANSIENT, false)).toEqual({ from: 'CLOSED', to: 'OPEN' });
  });
});
