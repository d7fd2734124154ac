import { Client } from 'pg';
import pino from 'pino';
import { startSimulator, type Simulator } from '../../src/simulator';
import {
  ActivateOpenApiDocument,
  CancelDomainOrderDocument,
  CancelTestRunDocument,
  CreateTestRunDocument,
  SubmitTestRunDocument,
} from '../__generated__/graphql';
import { createSpec } from '../graphql/factories';
import { startTestApp, type TestApp } from '../support/app';
import { testDatabaseUrl, usingPostgres } from '../support/database';
import { CASE, caseRule, waitFor, waitForState } from './e2e-kit';
import { callback, callingBackSystem, deliveredOrder, orderEvent, orderReport, runReport, type CallbackResult } from './inbound-kit';

// Deadlocks need transactions that run side by side: the embedded PGlite database runs one at a time.
const describeOnPostgres = usingPostgres ? describe : describe.skip;
if (!usingPostgres) {
  process.stdout.write(
    'SKIPPED lock-order.test.ts: needs real PostgreSQL (set TEST_DATABASE_URL); PGlite runs one transaction at a time\n',
  );
}

/**
 * A record held by a transaction of the test's own while two of the gateway's transactions queue behind
 * it: the first to queue gets it first once the test lets go. If the two then want each other's other
 * lock, PostgreSQL aborts one of them (a deadlock); with one lock order for everyone, neither waits for
 * the other.
 */
class RecordHold {
  private constructor(
    private readonly client: Client,
    private readonly schema: string,
    private readonly table: string,
  ) {}

  static async take(schema: string, table: 'test_run' | 'domain_order', id: string): Promise<RecordHold> {
    const client = new Client({ connectionString: testDatabaseUrl!, options: `-c search_path="${schema}"` });
    await client.connect();
    await client.query('BEGIN');
    await client.query(`SELECT id FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
    return new RecordHold(client, schema, table);
  }

  /** Transactions waiting for the held record: the first waits for this transaction, the others for the row's lock. */
  async waiting(): Promise<number> {
    const { rows } = await this.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks
        WHERE NOT granted
          AND ((locktype = 'transactionid' AND transactionid = pg_current_xact_id()::xid)
            OR (locktype = 'tuple' AND relation = format('%I.%I', $1::text, $2::text)::regclass))`,
      [this.schema, this.table],
    );
    return rows[0].n;
  }

  async untilWaiting(n: number, what: string): Promise<void> {
    await waitFor(async () => (await this.waiting()) >= n, what);
  }

  async release(): Promise<void> {
    await this.client.query('ROLLBACK');
    await this.client.end();
  }
}

describeOnPostgres('E2E: lock order (a cancellation, its records and the messages about them never deadlock)', () => {
  let app: TestApp;
  let sim: Simulator;
  const warnings: string[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 600_000, notify: 'none' });
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    app = await startTestApp({ logger });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_TEST_TMF653' });
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });
  beforeEach(() => {
    warnings.length = 0;
  });

  const conflicts = () => warnings.filter((w) => /deadlock|conflicted|40P01/.test(w));

  it("a test run's cancelled event and the recording of its PATCH's answer, queued on the run: both go through, neither aborted", async () => {
    const { system, token } = await callingBackSystem(app, sim, 'tests', { notify: 'none' });
    await caseRule(app, system.id, 'lock-run', { subject: 'TEST_RUN' });
    const spec = await createSpec(app, {});
    const characteristics = [{ name: CASE, value: 'lock-run' }];
    const input = { name: 'Line check', specificationId: spec.id, relatedServiceId: 'svc-lock', characteristics };
    const run = (await app.ok(CreateTestRunDocument, { input })).createTestRun;
    const [create] = (await app.ok(SubmitTestRunDocument, { testRunId: run.id })).submitTestRun.outboundRequests;
    const { externalId } = await waitForState(app, create.id, 'DELIVERED');
    sim.injectFault({ match: { method: 'PATCH', path: `/serviceTest/${externalId}` }, fault: 'delayMs=1000', count: 1 });
    await app.ok(CancelTestRunDocument, { id: run.id, reason: 'not needed' });
    const cancel = (await runReport(app, run.id)).cancellation!.outboundRequest;

    const hold = await RecordHold.take(app.db.schema!, 'test_run', run.id);
    let answer: Promise<CallbackResult>;
    try {
      // First in the queue: the event (it locks the run, then the cancellation it completes) ...
      const event = {
        eventId: `evt-lock-${run.id}`,
        eventTime: new Date().toISOString(),
        eventType: 'ServiceTestStateChangeEvent',
        event: { serviceTest: { id: externalId, state: 'cancelled' } },
      };
      answer = callback(app, `${system.id}/listener/serviceTestStateChangeEvent`, event, { token });
      await hold.untilWaiting(1, 'the event waiting for the run');
      // ... then the recording of the PATCH's answer, due in a second (the cancellation and the run).
      await hold.untilWaiting(2, "the PATCH's answer waiting for the run");
    } finally {
      await hold.release();
    }

    expect([(await answer).status, (await answer).body?.outcome]).toEqual([201, 'APPLIED']);
    await waitForState(app, cancel.id, 'DELIVERED');
    const after = await runReport(app, run.id);
    expect([after.fulfillmentState, after.cancellation?.state]).toEqual(['CANCELED', 'DONE']);
    expect(conflicts()).toEqual([]);
  });

  it("an order's state change and its cancel task's, queued on the order: both applied, neither aborted", async () => {
    const { system, token, order, create } = await deliveredOrder(app, sim, 'lock-order', undefined, { notify: 'none' });
    const externalId = create.externalId!;
    await app.ok(CancelDomainOrderDocument, { id: order.id, reason: 'customer moved' });
    const cancel = (await orderReport(app, order.id)).cancellation!.outboundRequest;
    await waitForState(app, cancel.id, 'DELIVERED');
    const taskId = (await orderReport(app, order.id)).cancellation!.externalId!;
    expect(taskId).toBeTruthy();

    const hold = await RecordHold.take(app.db.schema!, 'domain_order', order.id);
    let answers: Promise<CallbackResult>[];
    try {
      // The order's own event (the order, then its open cancellation) ...
      const assessing = orderEvent('ServiceOrderStateChangeEvent', { id: externalId, state: 'assessingCancellation' });
      answers = [callback(app, `${system.id}/listener/serviceOrderStateChangeEvent`, assessing, { token })];
      await hold.untilWaiting(1, "the order's event waiting for the order");
      // ... and its cancel task's (the cancellation, and the order it cancels).
      const task = {
        eventId: `evt-task-${order.id}`,
        eventTime: new Date().toISOString(),
        eventType: 'CancelServiceOrderStateChangeEvent',
        event: { cancelServiceOrder: { id: taskId, state: 'inProgress', serviceOrder: { id: externalId } } },
      };
      answers.push(callback(app, `${system.id}/listener/cancelServiceOrderStateChangeEvent`, task, { token }));
      await hold.untilWaiting(2, "the cancel task's event waiting for the order");
    } finally {
      await hold.release();
    }

    const results = await Promise.all(answers);
    expect(results.map((r) => [r.status, r.body?.outcome])).toEqual([
      [201, 'APPLIED'],
      [201, 'APPLIED'],
    ]);
    const after = await orderReport(app, order.id);
    expect([after.fulfillmentState, after.externalState, after.cancellation?.state]).toEqual([
      'PENDING',
      'assessingCancellation',
      'IN_PROGRESS',
    ]);
    expect(conflicts()).toEqual([]);
  });
});
