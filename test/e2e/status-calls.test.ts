import type { Simulator } from '../../src/simulator';
import {
  CreateDomainOrderDocument,
  CreateFulfillmentRequestDocument,
  CreateTestRunDocument,
  SubmitTestRunDocument,
} from '../__generated__/graphql';
import { createSpec } from '../graphql/factories';
import type { TestApp } from '../support/app';
import { CASE, caseOrder, caseRule, waitForState } from './e2e-kit';
import {
  callback,
  callingBackSystem,
  inboundMessages,
  orderReport,
  runReport,
  untilOrder,
  closeInboundWorld,
  startInboundWorld,
} from './inbound-kit';

describe('E2E: the compact status calls', () => {
  let app: TestApp;
  let sim: Simulator;

  beforeAll(async () => {
    ({ app, sim } = await startInboundWorld());
  });
  afterAll(() => closeInboundWorld({ app, sim }));

  it('a system that answers with outboundresponse calls takes a tree to FULFILLED', async () => {
    const { system } = await callingBackSystem(app, sim, 'orders', { notify: 'outboundresponse' });
    await caseRule(app, system.id, 'compact');
    const order = (await app.ok(CreateDomainOrderDocument, { input: { ...caseOrder('compact'), children: [caseOrder('compact')] } }))
      .createDomainOrder;
    await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id });
    const done = await untilOrder(
      app,
      order.id,
      (o) => o.fulfillmentState === 'FULFILLED' && o.children[0]?.fulfillmentState === 'FULFILLED',
      'the tree FULFILLED',
    );
    expect([done.externalState, done.children[0].externalState]).toEqual(['fulfilled', 'fulfilled']);
    const calls = (await inboundMessages(app, { externalSystemId: system.id, channel: 'STATUS_CALL' })).edges.map((e) => e.node);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((m) => m.eventType === 'outboundresponse' && m.responseStatus === 201)).toBe(true);
  });

  describe('outboundresponse answers each problem with its own 400, and applies nothing when any item is wrong', () => {
    let systemId: string;
    let token: string;
    let requestId: string;
    let root: { id: string; number: string };
    let child: { id: string; number: string };
    let stranger: { number: string };

    beforeAll(async () => {
      ({
        system: { id: systemId },
        token,
      } = await callingBackSystem(app, sim, 'orders', { notify: 'none' }));
      await caseRule(app, systemId, 'compact-400');
      const tree = (
        await app.ok(CreateDomainOrderDocument, { input: { ...caseOrder('compact-400'), children: [caseOrder('compact-400')] } })
      ).createDomainOrder;
      root = tree;
      child = (await orderReport(app, tree.id)).children[0];
      const submitted = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: tree.id })).createFulfillmentRequest;
      requestId = submitted.requestId;
      await waitForState(app, submitted.outboundRequests[0].id, 'DELIVERED');
      stranger = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('not-in-it') })).createDomainOrder;
    });

    const call = (body: unknown) => callback(app, `${systemId}/serviceOrder/outboundresponse`, body, { token });

    it.each([
      ['no externalId', () => ({ serviceOrderItem: [{ id: root.number, state: 'pending' }] }), 'Invalid payload: externalId is missing'],
      ['no items', () => ({ externalId: requestId }), 'Invalid payload: serviceOrderItem is missing'],
      [
        'an item without id',
        () => ({ externalId: requestId, serviceOrderItem: [{ state: 'pending' }] }),
        'Invalid payload: serviceOrderItem id is missing',
      ],
      [
        'an item without state',
        () => ({ externalId: requestId, serviceOrderItem: [{ id: root.number }] }),
        'Invalid payload: serviceOrderItem state is missing',
      ],
      [
        'an unknown request',
        () => ({ externalId: 'nobody-sent-this', serviceOrderItem: [{ id: root.number, state: 'fulfilled' }] }),
        'Invalid external id. Please pass the correct external id',
      ],
      [
        'an unknown order',
        () => ({ externalId: requestId, serviceOrderItem: [{ id: 'DO9999999', state: 'fulfilled' }] }),
        'Invalid domain order id. Please pass the correct domain order id',
      ],
      [
        'an order of another request',
        () => ({ externalId: requestId, serviceOrderItem: [{ id: stranger.number, state: 'fulfilled' }] }),
        'Domain order id passed is not associated with external id',
      ],
      [
        'a state other than the three',
        () => ({ externalId: requestId, serviceOrderItem: [{ id: root.number, state: 'completed' }] }),
        'Invalid fulfilment state: Please provide correct fulfilment state',
      ],
      [
        'one bad item among good ones',
        () => ({
          externalId: requestId,
          serviceOrderItem: [
            { id: root.number, state: 'fulfilled' },
            { id: stranger.number, state: 'fulfilled' },
          ],
        }),
        'Domain order id passed is not associated with external id',
      ],
    ])('%s', async (_what, body, message) => {
      const res = await call(body());
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 'INVALID_PAYLOAD', reason: 'Invalid payload', message, status: '400' });
      const [kept] = (await inboundMessages(app, { externalSystemId: systemId })).edges.map((e) => e.node);
      expect(kept).toMatchObject({ channel: 'STATUS_CALL', outcome: 'REJECTED', responseStatus: 400, reason: message });
      const o = await orderReport(app, root.id);
      expect([o.fulfillmentState, o.children[0].fulfillmentState]).toEqual(['PENDING', 'PENDING']);
    });

    it('a good call applies every item it names, in any case, and echoes them', async () => {
      const res = await call({
        externalId: requestId,
        serviceOrderItem: [
          { id: child.number, state: 'Error' },
          { id: root.number, state: 'pending' },
        ],
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        externalId: requestId,
        serviceOrderItem: [
          { id: child.number, state: 'error' },
          { id: root.number, state: 'pending' },
        ],
        outcome: 'APPLIED',
      });
      const o = await orderReport(app, root.id);
      expect([o.fulfillmentState, o.children[0].fulfillmentState, o.children[0].externalState]).toEqual(['PENDING', 'ERROR', 'error']);
    });
  });

  it('PATCH serviceTest/{id or TR number} with a TMF653 ServiceTest: state and results, as an event would', async () => {
    const { system, token } = await callingBackSystem(app, sim, 'tests', { notify: 'none' });
    await caseRule(app, system.id, 'patch-test', { subject: 'TEST_RUN' });
    const spec = await createSpec(app, {
      measureDefinitions: [
        { definitionId: 'def-latency', metricName: 'latency', unitOfMeasure: 'ms' },
        { definitionId: 'def-loss', metricName: 'loss', unitOfMeasure: '%' },
      ],
    });
    const run = (
      await app.ok(CreateTestRunDocument, {
        input: {
          name: 'Line check',
          specificationId: spec.id,
          relatedServiceId: 'svc-1',
          characteristics: [{ name: CASE, value: 'patch-test' }],
        },
      })
    ).createTestRun;
    const [request] = (await app.ok(SubmitTestRunDocument, { testRunId: run.id })).submitTestRun.outboundRequests;
    const externalId = (await waitForState(app, request.id, 'DELIVERED')).externalId!;

    const byId = await callback(
      app,
      `${system.id}/serviceTest/${externalId}`,
      {
        state: 'inProgress',
        testMeasure: [{ metricName: 'latency', testMeasureDefinitionId: 'def-latency', value: { name: 'latency', value: '12' } }],
      },
      { token, method: 'PATCH' },
    );
    expect([byId.status, byId.body.outcome]).toEqual([200, 'APPLIED']);
    const byNumber = await callback(
      app,
      `${system.id}/serviceTest/${run.number}`,
      {
        state: 'completed',
        testMeasure: [
          { metricName: 'latency', value: '9' },
          { metricName: 'loss', value: 0.5 },
          { metricName: 'jitter', value: '3' },
        ],
      },
      { token, method: 'PATCH' },
    );
    expect([byNumber.status, byNumber.body.outcome]).toEqual([200, 'APPLIED']);
    const r = await runReport(app, run.id);
    expect([r.fulfillmentState, r.externalState]).toEqual(['FULFILLED', 'completed']);
    // A later report of a metric replaces the earlier one; unmatched results are kept without a definition.
    expect(r.measures.map((m) => [m.metricName, m.value, m.definition?.definitionId ?? null]).sort()).toEqual([
      ['jitter', '3', null],
      ['latency', '9', 'def-latency'],
      ['loss', '0.5', 'def-loss'],
    ]);
    const unknown = await callback(app, `${system.id}/serviceTest/nothing-like-it`, { state: 'completed' }, { token, method: 'PATCH' });
    expect(unknown.status).toBe(404);
  });
});
