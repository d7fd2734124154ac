import { Role } from '../../src/services/auth/roles';
import { startSimulator, type Simulator } from '../../src/simulator';
import {
  ActivateOpenApiDocument,
  CreateDomainOrderDocument,
  CreateFulfillmentRequestDocument,
  FulfillmentStateChangedDocument,
  OutboundRequestChangedDocument,
  RetryOutboundRequestDocument,
} from '../__generated__/graphql';
import { startTestApp, type TestApp } from '../support/app';
import { caseOrder, caseRule, collect, orderingSystem, waitForState } from './e2e-kit';

/**
 * Subscriptions over a real graphql-ws connection, as a front end holds them: every change arrives
 * after commit, in order, and only where the filters say.
 */
describe('E2E: subscriptions over graphql-ws', () => {
  let app: TestApp;
  let sim: Simulator;
  let viewer: string;

  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 600_000, notify: 'none' });
    app = await startTestApp({ env: { DISPATCH_SWEEP_INTERVAL_MS: '50' } });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    viewer = app.token([Role.VIEWER], 'console-viewer');
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  const newOrder = async (caseName: string, children = 0) =>
    (
      await app.ok(CreateDomainOrderDocument, {
        input: caseOrder(caseName, { children: Array.from({ length: children }, () => caseOrder(caseName)) }),
      })
    ).createDomainOrder;

  it('fulfillmentStateChanged and outboundRequestChanged follow one submission in order, and filters keep others out', async () => {
    const system = await orderingSystem(app, sim);
    await caseRule(app, system.id, 'subscribed');
    const order = await newOrder('subscribed', 1);
    const other = await newOrder('subscribed');
    const client = app.wsClient(viewer);

    const ofOrder = await collect(app, client, FulfillmentStateChangedDocument, { domainOrderId: order.id });
    const ofOther = await collect(app, client, FulfillmentStateChangedDocument, { domainOrderId: other.id });
    const ofSystem = await collect(app, client, OutboundRequestChangedDocument, { externalSystemId: system.id });

    const result = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest;
    const [request] = result.outboundRequests;
    await waitForState(app, request.id, 'DELIVERED');

    const requests = await ofSystem.untilCount(3, 'QUEUED, SENDING and DELIVERED of the request');
    const common = {
      id: request.id,
      number: request.number,
      requestId: result.requestId,
      operation: 'CREATE',
      externalSystem: { id: system.id },
    };
    expect(requests.map((e) => e.outboundRequestChanged)).toEqual([
      { ...common, state: 'QUEUED', attempts: 0 },
      { ...common, state: 'SENDING', attempts: 1 },
      { ...common, state: 'DELIVERED', attempts: 1 },
    ]);

    const changes = (await ofOrder.untilCount(2, 'PENDING, then the external state')).map((e) => e.fulfillmentStateChanged);
    expect(changes).toEqual([
      expect.objectContaining({
        subject: 'DOMAIN_ORDER',
        subjectId: order.id,
        number: order.number,
        requestId: result.requestId,
        previousState: 'NOT_REQUESTED',
        state: 'PENDING',
        externalState: null,
        outboundRequest: expect.objectContaining({ id: request.id, number: request.number }),
      }),
      expect.objectContaining({
        subjectId: order.id,
        requestId: result.requestId,
        previousState: 'PENDING',
        state: 'PENDING',
        externalState: 'acknowledged',
        outboundRequest: expect.objectContaining({ id: request.id }),
      }),
    ]);
    expect(Date.parse(changes[0].occurredAt)).toBeLessThanOrEqual(Date.parse(changes[1].occurredAt));

    // The other order's subscription saw nothing of this submission: its first events are its own.
    const second = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: other.id })).createFulfillmentRequest;
    await waitForState(app, second.outboundRequests[0].id, 'DELIVERED');
    const otherChanges = (await ofOther.untilCount(2, "the other order's own events")).map((e) => e.fulfillmentStateChanged);
    expect(otherChanges.map((c) => [c.subjectId, c.requestId, c.previousState, c.state, c.externalState])).toEqual([
      [other.id, second.requestId, 'NOT_REQUESTED', 'PENDING', null],
      [other.id, second.requestId, 'PENDING', 'PENDING', 'acknowledged'],
    ]);
    // ...and the first order's subscription (which did not see its child's changes either) saw none of the other's.
    expect(ofOrder.events).toHaveLength(2);
    expect(ofOrder.errors).toEqual([]);
  });

  it('outboundRequestChanged(requestId) follows a retried request: QUEUED, SENDING, DELIVERED', async () => {
    const system = await orderingSystem(app, sim);
    await caseRule(app, system.id, 'retried');
    sim.injectFault({ match: { method: 'POST', path: '/serviceOrder' }, fault: 'status=400', count: 1 });
    const order = await newOrder('retried');
    const result = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest;
    const [request] = result.outboundRequests;
    await waitForState(app, request.id, 'ERROR');

    const client = app.wsClient(viewer);
    const ofRequest = await collect(app, client, OutboundRequestChangedDocument, { requestId: result.requestId });
    const ofOrder = await collect(app, client, FulfillmentStateChangedDocument, { requestId: result.requestId });
    const unrelated = await collect(app, client, OutboundRequestChangedDocument, { requestId: 'no-such-request' });

    await app.ok(RetryOutboundRequestDocument, { id: request.id });
    await waitForState(app, request.id, 'DELIVERED');

    const events = await ofRequest.untilCount(3, 'the retried request to be delivered');
    expect(events.map((e) => [e.outboundRequestChanged.id, e.outboundRequestChanged.state, e.outboundRequestChanged.attempts])).toEqual([
      [request.id, 'QUEUED', 0],
      [request.id, 'SENDING', 1],
      [request.id, 'DELIVERED', 1],
    ]);
    const changes = (await ofOrder.untilCount(2, 'ERROR → PENDING, then the external state')).map((e) => e.fulfillmentStateChanged);
    expect(changes.map((c) => [c.subjectId, c.previousState, c.state, c.externalState])).toEqual([
      [order.id, 'ERROR', 'PENDING', null],
      [order.id, 'PENDING', 'PENDING', 'acknowledged'],
    ]);
    expect(unrelated.events).toEqual([]);
  });
});
