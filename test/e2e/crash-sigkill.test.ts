import { startSimulator, type Simulator } from '../../src/simulator';
import {
  ActivateOpenApiDocument,
  CreateDomainOrderDocument,
  CreateFulfillmentRequestDocument,
  E2eFalloutsDocument,
  E2eOutboundRequestCountDocument,
} from '../__generated__/graphql';
import { startTestApp, type TestApp } from '../support/app';
import { usingPostgres } from '../support/database';
import { gatewayBuilt, startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { caseOrder, caseRule, orderingSystem, waitFor } from './e2e-kit';

const REQUESTS = 500;

// A process killed and started again on the same database needs PostgreSQL: the embedded database
// lives inside one process (and dies with it).
const describeOnPostgres = usingPostgres && gatewayBuilt ? describe : describe.skip;
if (!usingPostgres) {
  process.stdout.write(
    'SKIPPED crash-sigkill.test.ts: needs real PostgreSQL (set TEST_DATABASE_URL); the embedded database is one process\n',
  );
}

/**
 * The real thing, where crash-recovery.test.ts imitates it with an UPDATE: a gateway process sending a
 * queue to a slow system is killed with SIGKILL (no shutdown, sends cut off, answers never recorded),
 * and another is started. It takes over the dead one's leases when they run out, looks up every request
 * whose outcome is unknown (GET ?externalId=) and sends only those the system never got.
 */
describeOnPostgres('E2E: a gateway process killed with SIGKILL mid-dispatch, and restarted', () => {
  let app: TestApp;
  let sim: Simulator;
  const processes: GatewayProcess[] = [];

  beforeAll(async () => {
    // Every POST takes 100 ms and is handled even when its client died meanwhile (as a real system would).
    sim = await startSimulator({
      stepMs: 600_000,
      notify: 'none',
      faults: [{ match: { method: 'POST', path: '/serviceOrder' }, fault: 'delayMs=100' }],
    });
    // This instance only queues and reads: the processes dispatch.
    app = await startTestApp({ env: { DISPATCH_ENABLED: 'false' } });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
  });
  afterAll(async () => {
    for (const p of processes) await p.stop();
    await app?.close();
    await sim?.close();
  });

  it(`${REQUESTS} queued requests: each reaches the system exactly once, each record ends PENDING with its external id, no fallout`, async () => {
    // A lease is twice the system's timeout plus the margin: 2.5 s before the dead process's rows are free.
    const system = await orderingSystem(app, sim, { timeoutMs: 1000, maxAttempts: 5 });
    await caseRule(app, system.id, 'sigkill');
    const orderIds: string[] = [];
    const requestIds: string[] = [];
    for (let i = 0; i < REQUESTS; i += 25) {
      const batch = await Promise.all(
        Array.from({ length: 25 }, async () => {
          const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('sigkill') })).createDomainOrder;
          const request = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest;
          return [order.id, request.requestId];
        }),
      );
      for (const [orderId, requestId] of batch) {
        orderIds.push(orderId);
        requestIds.push(requestId);
      }
    }
    const env = { DISPATCH_LEASE_MARGIN_MS: '500', DISPATCH_SWEEP_INTERVAL_MS: '100' };
    const posts = () => sim.countFor({ method: 'POST', path: '/serviceOrder' }).received;
    const count = async (state: 'DELIVERED' | 'SENDING') =>
      (await app.ok(E2eOutboundRequestCountDocument, { filter: { externalSystemId: system.id, state } })).outboundRequests.totalCount;

    const first = await startGatewayProcess(app, env);
    processes.push(first);
    await waitFor(() => posts() >= REQUESTS / 5, 'the first process to be sending');
    first.child.kill('SIGKILL');
    await first.stop();
    // Cut off mid-dispatch: sends were under way, and what it had claimed is still leased to it.
    const postedBeforeKill = posts();
    expect(postedBeforeKill).toBeLessThan(REQUESTS);
    expect(await count('SENDING')).toBeGreaterThan(0);

    const second = await startGatewayProcess(app, env);
    processes.push(second);
    await waitFor(async () => (await count('DELIVERED')) === REQUESTS, `all ${REQUESTS} DELIVERED after the restart`, 90_000);

    // Exactly once at the system, per request; the ones the dead process had sent were looked up, not re-sent.
    const byExternalId = sim.requestCounts().byExternalId;
    expect(Object.keys(byExternalId).sort()).toEqual([...requestIds].sort());
    const twice = requestIds.filter((id) => sim.countFor({ externalId: id, method: 'POST' }).received !== 1);
    expect(twice).toEqual([]);
    expect(posts()).toBe(REQUESTS);
    expect(sim.serviceOrders()).toHaveLength(REQUESTS);
    expect(sim.countFor({ method: 'GET' }).received).toBeGreaterThan(0);

    // Every record: PENDING at the system, with the id the system gave it; nothing for people to do.
    const records = await app.db.dataSource.query<{ state: string; external_id: string | null }[]>(
      'SELECT fulfillment_state AS state, external_id FROM domain_order WHERE id = ANY($1::uuid[])',
      [orderIds],
    );
    expect(records).toHaveLength(REQUESTS);
    expect(records.filter((r) => r.state !== 'PENDING' || !r.external_id)).toEqual([]);
    const external = new Set(sim.serviceOrders().map((o) => o.id));
    expect(records.every((r) => external.has(r.external_id!))).toBe(true);
    expect((await app.ok(E2eFalloutsDocument, {})).fallouts.totalCount).toBe(0);
    expect(await second.stop()).toBe(0);
  }, 180_000);
});
