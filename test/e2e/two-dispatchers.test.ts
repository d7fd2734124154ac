import { Role } from '../../src/services/auth/roles';
import { startSimulator, type Simulator } from '../../src/simulator';
import {
  ActivateOpenApiDocument,
  CreateDomainOrderDocument,
  CreateFulfillmentRequestDocument,
  E2eOutboundRequestCountDocument,
  OutboundRequestChangedDocument,
} from '../__generated__/graphql';
import { startTestApp, type TestApp } from '../support/app';
import { eventBrokers, usingPostgres } from '../support/database';
import { caseOrder, caseRule, collect, orderingSystem, startSecondInstance, waitFor, type SecondInstance } from './e2e-kit';

const ORDERS = 50;

// Two instances on one database need PostgreSQL: the embedded PGlite database lives inside one
// process, so there is nothing for a second instance to share. Run with TEST_DATABASE_URL set.
const describeOnPostgres = usingPostgres ? describe : describe.skip;
if (!usingPostgres) {
  process.stdout.write(
    'SKIPPED two-dispatchers.test.ts: needs real PostgreSQL (set TEST_DATABASE_URL); the embedded database is one process\n',
  );
}

describeOnPostgres.each(eventBrokers('two-dispatchers.test.ts'))(
  'E2E: two gateway instances dispatching from one PostgreSQL, events over $name',
  ({ env }) => {
    let app: TestApp;
    let second: SecondInstance;
    let sim: Simulator;

    beforeAll(async () => {
      // A slow system (every POST takes 50 ms) and four sends in flight per instance: neither instance
      // can keep the queue to itself, so both claim rows side by side.
      sim = await startSimulator({
        stepMs: 600_000,
        notify: 'none',
        faults: [{ match: { method: 'POST', path: '/serviceOrder' }, fault: 'delayMs=50' }],
      });
      app = await startTestApp({ env: { DISPATCH_CONCURRENCY: '4', DISPATCH_SWEEP_INTERVAL_MS: '50', ...env } });
      second = await startSecondInstance(app);
    });
    afterAll(async () => {
      await second?.close();
      await app?.close();
      await sim?.close();
    });

    it(`${ORDERS} submissions through both instances: every one DELIVERED, each POSTed exactly once, the work shared`, async () => {
      await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
      const system = await orderingSystem(app, sim);
      await caseRule(app, system.id, 'scale-out');
      const desk = app.token([Role.SERVICE_ORDER_MANAGER], 'order-desk');
      // A console connected to the second instance sees the changes whichever instance made them.
      const console2 = await collect(second, second.wsClient(app.token([Role.VIEWER])), OutboundRequestChangedDocument, {
        externalSystemId: system.id,
      });

      // Front ends talk to either instance; submissions alternate between them, ten at a time.
      const requestIds: string[] = [];
      for (let batch = 0; batch < ORDERS / 10; batch++) {
        const ids = await Promise.all(
          Array.from({ length: 10 }, async (_, i) => {
            const via = (batch * 10 + i) % 2 === 0 ? app.ok.bind(app) : second.ok.bind(second);
            const order = (await via(CreateDomainOrderDocument, { input: caseOrder('scale-out') }, desk)).createDomainOrder;
            return (await via(CreateFulfillmentRequestDocument, { domainOrderId: order.id }, desk)).createFulfillmentRequest.requestId;
          }),
        );
        requestIds.push(...ids);
      }
      expect(new Set(requestIds).size).toBe(ORDERS);

      const delivered = async () =>
        (await app.ok(E2eOutboundRequestCountDocument, { filter: { externalSystemId: system.id, state: 'DELIVERED' } })).outboundRequests
          .totalCount;
      await waitFor(async () => (await delivered()) === ORDERS, `all ${ORDERS} requests to be DELIVERED`, 30_000);

      const byExternalId = sim.requestCounts().byExternalId;
      expect(Object.keys(byExternalId).sort()).toEqual([...requestIds].sort());
      for (const id of requestIds)
        expect(sim.countFor({ externalId: id, method: 'POST' })).toEqual({ received: 1, created: 1, faulted: 1 });
      expect(sim.countFor({ method: 'POST', path: '/serviceOrder' }).received).toBe(ORDERS);
      expect(sim.serviceOrders()).toHaveLength(ORDERS);

      const deliveredEvents = () => console2.events.filter((e) => e.outboundRequestChanged.state === 'DELIVERED');
      await waitFor(() => deliveredEvents().length >= ORDERS, `${ORDERS} DELIVERED events on the second instance`);
      expect(new Set(deliveredEvents().map((e) => e.outboundRequestChanged.requestId))).toEqual(new Set(requestIds));
      expect(deliveredEvents()).toHaveLength(ORDERS);

      // Each delivery is recorded by exactly one instance (the lease holder); the second instance's log
      // says how many were its own, the rest were the first's.
      const bySecond = second.logs.filter((l) => l.msg === 'outbound request attempt recorded' && l.state === 'DELIVERED').length;
      expect(bySecond).toBeGreaterThan(0);
      expect(bySecond).toBeLessThan(ORDERS);
    });
  },
);
