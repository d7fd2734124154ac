import { startSimulator, type Simulator } from '../../src/simulator';
import {
  ActivateOpenApiDocument,
  CreateDomainOrderDocument,
  CreateExternalSystemDocument,
  ExternalSystemsDocument,
  CreateFulfillmentRequestDocument,
  FalloutsWithRecordsDocument,
  RefreshExternalStateDocument,
  SystemHubDocument,
  UpdateExternalSystemDocument,
} from '../__generated__/graphql';
import { unique } from '../graphql/factories';
import { code, startTestApp, type TestApp } from '../support/app';
import { caseOrder, caseRule, orderingSystem, waitFor, waitForState } from './e2e-kit';
import { inboundMessages, orderReport, untilOrder } from './inbound-kit';

describe('E2E: polling a system that sends no events', () => {
  let app: TestApp;
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 5, notify: 'none' });
    app = await startTestApp({ env: { POLL_ENABLED: 'true', POLL_SWEEP_INTERVAL_MS: '50' } });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('each sent resource is fetched every interval until its records are final; only changes are stored', async () => {
    const system = await orderingSystem(app, sim, { pollIntervalSeconds: 1 });
    await caseRule(app, system.id, 'polled');
    const order = (await app.ok(CreateDomainOrderDocument, { input: { ...caseOrder('polled'), children: [caseOrder('polled')] } }))
      .createDomainOrder;
    const [{ requestId }] = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest
      .outboundRequests;
    const done = await untilOrder(
      app,
      order.id,
      (o) => o.fulfillmentState === 'FULFILLED' && o.children[0].fulfillmentState === 'FULFILLED',
      'FULFILLED by polls',
      20_000,
    );
    expect(done.externalState).toBe('completed');
    const polls = (await inboundMessages(app, { externalSystemId: system.id })).edges.map((e) => e.node);
    expect(polls.length).toBeGreaterThan(0);
    expect(
      polls.every((m) => m.channel === 'POLL' && m.outcome === 'APPLIED' && m.responseStatus === null && m.eventType === 'serviceOrder'),
    ).toBe(true);
    // Final: no more GETs of that order.
    const gets = () => sim.countFor({ method: 'GET', path: '/serviceOrder/{id}', externalId: requestId }).received;
    const seen = gets();
    expect(seen).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2500));
    expect(gets()).toBe(seen);
  });

  it('a resource the system no longer has opens a fallout and is no longer polled', async () => {
    const system = await orderingSystem(app, sim, { pollIntervalSeconds: 1 });
    await caseRule(app, system.id, 'polled-gone');
    const held = caseOrder('polled-gone', {
      characteristics: [
        { name: 'e2eCase', value: 'polled-gone' },
        { name: 'simulatorScenario', value: 'outcome=held' },
      ],
    });
    const order = (await app.ok(CreateDomainOrderDocument, { input: held })).createDomainOrder;
    const [request] = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest
      .outboundRequests;
    const { externalId } = await waitForState(app, request.id, 'DELIVERED');
    const deleted = await fetch(`${sim.serviceOrderingUrl}/serviceOrder/${externalId}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    const fallout = await waitFor(
      async () =>
        (await app.ok(FalloutsWithRecordsDocument, { status: 'OPEN' })).fallouts.edges
          .map((e) => e.node)
          .find((f) => f.domainOrders.some((d) => d.id === order.id)),
      'the fallout of the vanished order',
      10_000,
    );
    expect(fallout).toMatchObject({ category: 'EXTERNAL_FAILURE', source: 'INBOUND', message: expect.stringContaining('404') });
  });

  it('a poll claimed by an instance that crashed is taken over once its lease runs out, not before', async () => {
    const system = await orderingSystem(app, sim, { pollIntervalSeconds: 30 });
    await caseRule(app, system.id, 'polled-crash');
    const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('polled-crash') })).createDomainOrder;
    const [request] = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest
      .outboundRequests;
    await waitForState(app, request.id, 'DELIVERED');
    // As an instance that claimed the due poll and died would leave it: leased to it for 1.5 s more.
    await app.db.dataSource.query(
      `UPDATE poll_schedule SET next_poll_at = now(), lease_owner = 'crashed-instance', lease_expires_at = now() + interval '1500 milliseconds'
        WHERE outbound_request_id = $1`,
      [request.id],
    );
    const gets = () => sim.countFor({ method: 'GET', path: '/serviceOrder/{id}', externalId: request.requestId }).received;
    await new Promise((r) => setTimeout(r, 500));
    const [lease] = await app.db.dataSource.query<{ lease_owner: string; held: boolean }[]>(
      `SELECT lease_owner, now() < lease_expires_at AS held FROM poll_schedule WHERE outbound_request_id = $1`,
      [request.id],
    );
    // While the dead instance's lease holds, no one polls it (the sweep runs every 50 ms).
    expect(lease).toEqual({ lease_owner: 'crashed-instance', held: true });
    expect(gets()).toBe(0);
    const done = await untilOrder(app, order.id, (o) => o.fulfillmentState === 'FULFILLED', 'FULFILLED by the poll taken over', 10_000);
    expect(done.externalState).toBe('completed');
    expect(gets()).toBeGreaterThan(0);
  });

  it('refreshExternalState fetches one record now, for any system, and answers the message', async () => {
    const system = await orderingSystem(app, sim);
    await caseRule(app, system.id, 'refresh');
    const held = caseOrder('refresh', {
      characteristics: [
        { name: 'e2eCase', value: 'refresh' },
        { name: 'simulatorScenario', value: 'outcome=held' },
      ],
    });
    const order = (await app.ok(CreateDomainOrderDocument, { input: held })).createDomainOrder;
    const [request] = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest
      .outboundRequests;
    await waitForState(app, request.id, 'DELIVERED');
    await waitFor(
      () => sim.serviceOrders().find((o) => o.externalId === request.requestId)?.state === 'held',
      'the simulator to hold the order',
    );
    const refreshed = (await app.ok(RefreshExternalStateDocument, { subject: 'DOMAIN_ORDER', subjectId: order.id })).refreshExternalState;
    expect(refreshed).toMatchObject({ channel: 'POLL', outcome: 'APPLIED', domainOrders: [{ id: order.id }] });
    // The order is held at the system; its one item (this record) is in progress, and the item's state is the record's.
    expect((await orderReport(app, order.id)).externalState).toBe('inProgress');
    const again = (await app.ok(RefreshExternalStateDocument, { subject: 'DOMAIN_ORDER', subjectId: order.id })).refreshExternalState;
    expect(again.outcome).toBe('STALE');

    const never = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('refresh') })).createDomainOrder;
    const res = await app.gql(RefreshExternalStateDocument, { subject: 'DOMAIN_ORDER', subjectId: never.id });
    expect(code(res)).toBe('FULFILLMENT_NOT_ALLOWED');
  });
});

describe('E2E: hub registration', () => {
  let app: TestApp;
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 5 });
    app = await startTestApp({ env: { PUBLIC_URL: 'http://gateway.example.net:4000/' } });
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('registerHub registers the listener at the system; disabling the system deletes it', async () => {
    const system = await orderingSystem(app, sim, { registerHub: true });
    const [hub] = sim.hubs();
    expect(hub.callback).toBe(`http://gateway.example.net:4000/callbacks/${system.id}/listener`);
    expect(hub.query).toContain('eventType=ServiceOrderCreateEvent,');
    expect((await app.ok(SystemHubDocument, { id: system.id })).externalSystem!.hubSubscriptionId).toBe(hub.id);

    await app.ok(UpdateExternalSystemDocument, {
      id: system.id,
      input: { name: system.name, api: 'SERVICE_ORDERING_TMF641', baseUrl: sim.serviceOrderingUrl, enabled: false },
    });
    expect(sim.hubs()).toEqual([]);
    expect((await app.ok(SystemHubDocument, { id: system.id })).externalSystem!.hubSubscriptionId).toBeNull();
  });

  it("a hub that refuses is the admin's error, and the system is not created", async () => {
    sim.injectFault({ match: { method: 'POST', path: '/tmf-api/serviceOrdering/v4/hub' }, fault: 'status=503' });
    const name = unique('Refused hub');
    const res = await app.gql(CreateExternalSystemDocument, {
      input: { name, api: 'SERVICE_ORDERING_TMF641', baseUrl: sim.serviceOrderingUrl, registerHub: true },
    });
    expect(code(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/refused the registration: HTTP 503/);
    expect(res.errors![0].extensions?.field).toBe('input.registerHub');
    const systems = (await app.ok(ExternalSystemsDocument)).externalSystems;
    expect(systems.some((s) => s.name === name)).toBe(false);
    sim.clearFaults();
  });
});

describe('E2E: registerHub without PUBLIC_URL', () => {
  let app: TestApp;
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 5 });
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('says what is missing', async () => {
    const res = await app.gql(CreateExternalSystemDocument, {
      input: { name: unique('No public URL'), api: 'SERVICE_ORDERING_TMF641', baseUrl: sim.serviceOrderingUrl, registerHub: true },
    });
    expect(code(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/needs PUBLIC_URL/);
    expect(sim.hubs()).toEqual([]);
  });
});
