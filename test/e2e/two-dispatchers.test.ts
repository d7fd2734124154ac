import pino from 'pino';
import type { Config } from '../../src/config';
import { buildDispatcher, type Services } from '../../src/container';
import { dispatcherOptions } from '../../src/runtime';
import { Role } from '../../src/services/auth/roles';
import type { Dispatcher, DispatcherOptions } from '../../src/services/outbox/dispatch/dispatcher';
import { startSimulator, type Simulator } from '../../src/simulator';
import {
  ActivateOpenApiDocument,
  CreateDomainOrderDocument,
  CreateFulfillmentRequestDocument,
  E2eOutboundRequestCountDocument,
  OutboundRequestChangedDocument,
  type OutboundRequestState,
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

/** A dispatcher on an instance's services, started when the test says, its log kept (which deliveries were its own). */
function dispatcherOn(services: Services, config: Config, overrides: Partial<DispatcherOptions>) {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const dispatcher = buildDispatcher(services, { ...dispatcherOptions(config), ...overrides }, logger);
  const delivered = () => logs.filter((l) => l.msg === 'outbound request attempt recorded' && l.state === 'DELIVERED').length;
  return { dispatcher, delivered };
}

describeOnPostgres.each(eventBrokers('two-dispatchers.test.ts'))(
  'E2E: two dispatchers started by the test, events over $name',
  ({ env }) => {
    let app: TestApp;
    let second: SecondInstance;
    const dispatchers: Dispatcher[] = [];
    const sims: Simulator[] = [];

    beforeAll(async () => {
      // No dispatcher of their own: each test starts one per instance, when and as it needs.
      app = await startTestApp({ env: { DISPATCH_ENABLED: 'false', DISPATCH_SWEEP_INTERVAL_MS: '50', ...env } });
      second = await startSecondInstance(app);
      await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    });
    afterEach(async () => {
      await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
    });
    afterAll(async () => {
      await second?.close();
      await app?.close();
      await Promise.all(sims.map((s) => s.close()));
    });

    async function queueOrders(caseName: string, n: number): Promise<string[]> {
      const requestIds: string[] = [];
      for (let i = 0; i < n; i += 20) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(20, n - i) }, async () => {
            const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder(caseName) })).createDomainOrder;
            return (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest.requestId;
          }),
        );
        requestIds.push(...batch);
      }
      return requestIds;
    }

    const countIn = async (systemId: string, state: OutboundRequestState) =>
      (await app.ok(E2eOutboundRequestCountDocument, { filter: { externalSystemId: systemId, state } })).outboundRequests.totalCount;

    it('a failing system: both instances together send it at most threshold + 1 requests before the shared breaker opens', async () => {
      const THRESHOLD = 5;
      const sim = await startSimulator({ stepMs: 600_000, notify: 'none', faults: [{ match: { method: 'POST' }, fault: 'status=503' }] });
      sims.push(sim);
      const system = await orderingSystem(app, sim, { maxAttempts: 5 });
      await caseRule(app, system.id, 'shared-breaker');
      await queueOrders('shared-breaker', 20);
      // One send at a time per instance, and no retry within the test: every POST is a first attempt.
      const options = { concurrency: 1, breaker: { failureThreshold: THRESHOLD, openMs: 600_000 } };
      const backoff = { ...dispatcherOptions(app.runtime.config).backoff, baseMs: 600_000, maxMs: 600_000 };
      const a = dispatcherOn(app.runtime.services, app.runtime.config, { ...options, backoff });
      const b = dispatcherOn(second.runtime.services, second.runtime.config, { ...options, backoff });
      dispatchers.push(a.dispatcher, b.dispatcher);
      a.dispatcher.start();
      b.dispatcher.start();

      // Both instances see it open (one from its own failure, the other from the table), and nothing is out.
      await waitFor(
        () => a.dispatcher.breakerOf(system.id).status === 'OPEN' && b.dispatcher.breakerOf(system.id).status === 'OPEN',
        'both instances to see the breaker open',
      );
      await waitFor(async () => (await countIn(system.id, 'SENDING')) === 0, 'no request out');
      const posts = sim.countFor({ method: 'POST', path: '/serviceOrder' }).received;
      expect(posts).toBeGreaterThanOrEqual(THRESHOLD);
      expect(posts).toBeLessThanOrEqual(THRESHOLD + 1);
      // Nothing failed for good: the rest waits for the breaker.
      expect(await countIn(system.id, 'ERROR')).toBe(0);
      expect((await countIn(system.id, 'QUEUED')) + (await countIn(system.id, 'RETRY_SCHEDULED'))).toBe(20);
    });

    it('claim-ahead does not let the first instance hoard: one started late still sends a fair share of 200 to a slow system', async () => {
      const ORDERS = 200;
      const sim = await startSimulator({
        stepMs: 600_000,
        notify: 'none',
        faults: [{ match: { method: 'POST', path: '/serviceOrder' }, fault: 'delayMs=50' }],
      });
      sims.push(sim);
      const system = await orderingSystem(app, sim);
      await caseRule(app, system.id, 'fair-claims');
      const requestIds = await queueOrders('fair-claims', ORDERS);
      const early = dispatcherOn(app.runtime.services, app.runtime.config, { concurrency: 4 });
      const late = dispatcherOn(second.runtime.services, second.runtime.config, { concurrency: 4 });
      dispatchers.push(early.dispatcher, late.dispatcher);
      early.dispatcher.start();
      // The second starts once the first is well under way.
      await waitFor(() => sim.countFor({ method: 'POST', path: '/serviceOrder' }).received >= 20, 'the first instance to be sending');
      late.dispatcher.start();
      await waitFor(async () => (await countIn(system.id, 'DELIVERED')) === ORDERS, `all ${ORDERS} DELIVERED`, 60_000);

      for (const id of requestIds) expect(sim.countFor({ externalId: id, method: 'POST' }).received).toBe(1);
      expect(early.delivered() + late.delivered()).toBe(ORDERS);
      expect(late.delivered()).toBeGreaterThanOrEqual(ORDERS / 4);
    });
  },
);
