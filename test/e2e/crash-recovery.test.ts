import pino from 'pino';
import { buildDispatcher } from '../../src/container';
import type { Dispatcher } from '../../src/services/outbox/dispatch/dispatcher';
import { startSimulator, type Simulator } from '../../src/simulator';
import {
  ActivateOpenApiDocument,
  CreateDomainOrderDocument,
  CreateFulfillmentRequestDocument,
  type ExternalSystemInput,
} from '../__generated__/graphql';
import { startTestApp, type TestApp } from '../support/app';
import { caseOrder, caseRule, orderingSystem, orderStates, waitForState } from './e2e-kit';

/**
 * An instance that crashed mid-send leaves its row SENDING with a lease that runs out. Another
 * instance picks it up and, since the outcome is unknown, first asks the external system whether the
 * order is already there (GET ?externalId=requestId) and only POSTs when it is not.
 */
describe('E2E: a send cut off by a crash', () => {
  let app: TestApp;
  let sim: Simulator;
  let survivor: Dispatcher;

  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 5, notify: 'none' });
    // No dispatcher of its own: the test decides when the surviving instance's dispatcher starts.
    app = await startTestApp({ env: { DISPATCH_ENABLED: 'false' } });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    const services = app.runtime.services;
    survivor = buildDispatcher(
      services,
      {
        concurrency: 4,
        leaseMarginMs: 30_000,
        sweepIntervalMs: 50,
        backoff: { baseMs: 50, maxMs: 200, unknownOutcomeSettleMs: 0 },
        breaker: { failureThreshold: 100, openMs: 1000 },
        recordingWriters: 1,
      },
      pino({ level: 'silent' }),
    );
  });
  afterAll(async () => {
    await survivor.stop();
    await app.close();
    await sim.close();
  });

  /** A submission turned into the row a crashed instance leaves behind. */
  async function orphanedSend(caseName: string, alreadyArrived: boolean) {
    const input: ExternalSystemInput = { name: `crash ${caseName}`, api: 'SERVICE_ORDERING_TMF641', baseUrl: sim.serviceOrderingUrl };
    const system = await orderingSystem(app, sim, input);
    await caseRule(app, system.id, caseName);
    const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder(caseName) })).createDomainOrder;
    const submitted = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest;
    const [request] = submitted.outboundRequests;
    if (alreadyArrived) {
      // What the crashed instance managed to send before it died.
      const res = await fetch(`${sim.serviceOrderingUrl}/serviceOrder`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request.payload),
      });
      expect(res.status).toBe(201);
    }
    await app.db.dataSource.query(
      `UPDATE outbound_request SET state = 'SENDING', attempts = 1, lease_owner = 'crashed-instance',
              lease_expires_at = now() - interval '1 second' WHERE id = $1`,
      [request.id],
    );
    survivor.start();
    survivor.wake();
    return { order, requestId: submitted.requestId, request };
  }

  it('finds the order the crashed instance had sent and does not send it again', async () => {
    const { order, requestId, request } = await orphanedSend('crash-arrived', true);
    const delivered = await waitForState(app, request.id, 'DELIVERED');
    expect(sim.countFor({ externalId: requestId, method: 'POST' }).received).toBe(1);
    expect(sim.countFor({ externalId: requestId, method: 'GET' }).received).toBe(1);
    const [external] = sim.serviceOrders({ externalId: requestId });
    expect(delivered).toMatchObject({ attempts: 1, externalId: external.id });
    expect(await orderStates(app, order.id)).toMatchObject({ externalId: external.id, fulfillmentState: 'PENDING' });
  });

  it('sends the order when the external system never got it', async () => {
    const { requestId, request } = await orphanedSend('crash-lost', false);
    const delivered = await waitForState(app, request.id, 'DELIVERED');
    expect(sim.countFor({ externalId: requestId, method: 'GET' }).received).toBe(1);
    expect(sim.countFor({ externalId: requestId, method: 'POST' }).received).toBe(1);
    expect(sim.serviceOrders({ externalId: requestId }).map((o) => o.id)).toEqual([delivered.externalId]);
  });
});
