import type { Simulator } from '../../src/simulator';
import {
  CancelDomainOrderDocument,
  CancelTestRunDocument,
  CreateTestRunDocument,
  FalloutsWithRecordsDocument,
  MarkPointOfNoReturnDocument,
  ReviseDomainOrderDocument,
  ReviseOutboundRequestDocument,
  SubmitTestRunDocument,
  type DomainOrderInput,
} from '../__generated__/graphql';
import { createSpec } from '../graphql/factories';
import { code, type TestApp } from '../support/app';
import { CASE, caseOrder, caseRule, waitFor, waitForState } from './e2e-kit';
import {
  callback,
  callingBackSystem,
  deliveredOrder,
  orderReport,
  runReport,
  untilOrder,
  untilRun,
  closeInboundWorld,
  startInboundWorld,
} from './inbound-kit';

/** An order routed by `caseName` that tells the simulator what to do (the X-Simulator-Scenario syntax). */
function scripted(caseName: string, scenario: string, overrides: Partial<DomainOrderInput> = {}): DomainOrderInput {
  return caseOrder(caseName, {
    characteristics: [
      { name: CASE, value: caseName },
      { name: 'bandwidth', value: '100M' },
      { name: 'simulatorScenario', value: scenario },
    ],
    ...overrides,
  });
}

describe('E2E: in-flight changes (revise, cancel, point of no return)', () => {
  let app: TestApp;
  let sim: Simulator;

  beforeAll(async () => {
    ({ app, sim } = await startInboundWorld());
  });
  afterAll(() => closeInboundWorld({ app, sim }));

  const sent = (caseName: string, input: DomainOrderInput) => deliveredOrder(app, sim, caseName, input);

  it('information required, answered by a revision: cleared, its fallout resolved, the order goes on to FULFILLED', async () => {
    const { order, create } = await sent('info', scripted('info', 'infoRequired=serviceCharacteristic.bandwidth'));
    const asked = await untilOrder(app, order.id, (o) => o.informationRequired !== null, 'the information request');
    expect(asked.informationRequired!.fieldPaths).toEqual(['serviceCharacteristic.bandwidth']);
    const fallouts = async () =>
      (await app.ok(FalloutsWithRecordsDocument, {})).fallouts.edges
        .map((e) => e.node)
        .filter((f) => f.domainOrders.some((d) => d.id === order.id));
    expect((await fallouts()).map((f) => [f.category, f.status, f.source])).toEqual([['INFORMATION_REQUIRED', 'OPEN', 'INBOUND']]);

    const revised = (
      await app.ok(ReviseDomainOrderDocument, {
        id: order.id,
        input: {
          characteristics: [
            { name: CASE, value: 'info' },
            { name: 'bandwidth', value: '1G' },
          ],
        },
      })
    ).reviseDomainOrder;
    expect(revised.updatesAvailable).toBe(true);
    const [revise] = (await app.ok(ReviseOutboundRequestDocument, { domainOrderId: order.id })).reviseOutboundRequest.outboundRequests;
    expect([revise.operation, revise.httpMethod, revise.path]).toEqual(['REVISE', 'PATCH', `/serviceOrder/${create.externalId}`]);
    await waitForState(app, revise.id, 'DELIVERED');
    const answered = await orderReport(app, order.id);
    expect([answered.informationRequired, answered.updatesAvailable]).toEqual([null, false]);
    expect((await fallouts()).map((f) => [f.category, f.status, f.resolution])).toEqual([
      ['INFORMATION_REQUIRED', 'RESOLVED', `Answered by revision ${revise.number}, delivered`],
    ]);
    await untilOrder(app, order.id, (o) => o.fulfillmentState === 'FULFILLED', 'FULFILLED after the answer');
  });

  it('cancel in flight, accepted: CANCELLATION_IN_PROGRESS with the cancel task followed, then CANCELED', async () => {
    const { order, create } = await sent('cancel-ok', scripted('cancel-ok', 'outcome=held'));
    await untilOrder(app, order.id, (o) => o.externalState === 'inProgress', 'the order in progress');
    const cancelling = (await app.ok(CancelDomainOrderDocument, { id: order.id, reason: 'customer moved' })).cancelDomainOrder;
    expect(cancelling.state).toBe('CANCELLATION_IN_PROGRESS');
    const shared = await orderReport(app, order.id);
    expect(shared.fulfillmentState).toBe('PENDING');
    expect(shared.cancellation).toMatchObject({ state: 'REQUESTED', reason: 'customer moved' });
    expect(shared.cancellation!.outboundRequest).toMatchObject({ operation: 'CANCEL', httpMethod: 'POST', path: '/cancelServiceOrder' });
    expect(shared.cancellation!.outboundRequest.payload).toMatchObject({
      serviceOrder: { id: create.externalId },
      cancellationReason: 'customer moved',
    });
    const done = await untilOrder(app, order.id, (o) => o.fulfillmentState === 'CANCELED', 'CANCELED');
    expect([done.state, done.cancellation!.state, done.cancellation!.externalId !== null]).toEqual(['CANCELED', 'DONE', true]);
    expect(done.cancellation!.completedAt).not.toBeNull();
  });

  it('cancel in flight, refused by the system: back to the state before, a CANCELLATION_REFUSED fallout', async () => {
    const { order } = await sent('cancel-no', scripted('cancel-no', 'outcome=held; cancel=deny'));
    await untilOrder(app, order.id, (o) => o.externalState === 'inProgress', 'the order in progress');
    const before = (await orderReport(app, order.id)).state;
    await app.ok(CancelDomainOrderDocument, { id: order.id, reason: 'try it' });
    // One read of the order is several statements (the order, then its cancellation): wait for both sides
    // of the refusal rather than take a read that fell between the refusal's commit and the next statement.
    const refused = await untilOrder(
      app,
      order.id,
      (o) => o.cancellation?.state === 'TERMINATED_WITH_ERROR' && o.state !== 'CANCELLATION_IN_PROGRESS',
      'the refusal',
    );
    expect([refused.state, refused.fulfillmentState]).toEqual([before, 'PENDING']);
    const fallout = await waitFor(
      async () =>
        (await app.ok(FalloutsWithRecordsDocument, { status: 'OPEN' })).fallouts.edges
          .map((e) => e.node)
          .find((f) => f.category === 'CANCELLATION_REFUSED' && f.domainOrders.some((d) => d.id === order.id)),
      'the CANCELLATION_REFUSED fallout',
    );
    expect(fallout.outboundRequest.operation).toBe('CANCEL');
  });

  it('what cannot be cancelled: a descendant of a sent tree (naming the root), a FULFILLED order, one past its point of no return', async () => {
    const tree = { ...scripted('cancel-tree', 'outcome=held'), children: [scripted('cancel-tree', 'outcome=held')] };
    const { order } = await sent('cancel-tree', tree);
    const child = (await orderReport(app, order.id)).children[0];
    const res = await app.gql(CancelDomainOrderDocument, { id: child.id });
    expect(code(res)).toBe('CANCELLATION_NOT_ALLOWED');
    expect(res.errors![0].message).toContain(`only ${order.number} can be cancelled`);
    expect((await orderReport(app, child.id)).state).not.toBe('CANCELLATION_IN_PROGRESS');

    const finished = await sent('cancel-done', caseOrder('cancel-done'));
    await untilOrder(app, finished.order.id, (o) => o.fulfillmentState === 'FULFILLED', 'FULFILLED');
    expect(code(await app.gql(CancelDomainOrderDocument, { id: finished.order.id }))).toBe('CANCELLATION_NOT_ALLOWED');

    const marked = (await app.ok(MarkPointOfNoReturnDocument, { domainOrderId: order.id })).markPointOfNoReturn;
    expect(marked.pointOfNoReturn).toBe(true);
    expect(code(await app.gql(CancelDomainOrderDocument, { id: order.id }))).toBe('POINT_OF_NO_RETURN');
    expect(code(await app.gql(ReviseDomainOrderDocument, { id: order.id, input: { name: 'late change' } }))).toBe('POINT_OF_NO_RETURN');
  });

  it('a reported pointOfNoReturn milestone (any case) sets the point of no return', async () => {
    const { order } = await sent('ponr', scripted('ponr', 'milestone=PointOfNoReturn; outcome=held'));
    const reached = await untilOrder(app, order.id, (o) => o.pointOfNoReturn, 'the point of no return');
    expect(reached.milestones.map((m) => m.name)).toContain('PointOfNoReturn');
    expect(code(await app.gql(CancelDomainOrderDocument, { id: order.id }))).toBe('POINT_OF_NO_RETURN');
  });

  it('a test run: results matched to definitions by event, and a cancellation in flight (TMF653 PATCH)', async () => {
    const { system } = await callingBackSystem(app, sim, 'tests');
    await caseRule(app, system.id, 'run', { subject: 'TEST_RUN' });
    const spec = await createSpec(app, {
      measureDefinitions: [{ definitionId: 'def-latency', metricName: 'latency', unitOfMeasure: 'ms' }],
    });
    const input = (scenario: string) => ({
      name: 'Line check',
      specificationId: spec.id,
      relatedServiceId: 'svc-9',
      characteristics: [
        { name: CASE, value: 'run' },
        { name: 'simulatorScenario', value: scenario },
      ],
    });
    const measured = (await app.ok(CreateTestRunDocument, { input: input('measure.latency=42') })).createTestRun;
    await app.ok(SubmitTestRunDocument, { testRunId: measured.id });
    const done = await untilRun(app, measured.id, (r) => r.fulfillmentState === 'FULFILLED', 'the run FULFILLED');
    expect(done.measures.map((m) => [m.metricName, m.value, m.definition?.definitionId])).toEqual([['latency', '42', 'def-latency']]);

    const pending = (await app.ok(CreateTestRunDocument, { input: input('outcome=pending') })).createTestRun;
    const [create] = (await app.ok(SubmitTestRunDocument, { testRunId: pending.id })).submitTestRun.outboundRequests;
    const { externalId } = await waitForState(app, create.id, 'DELIVERED');
    await untilRun(app, pending.id, (r) => r.externalState === 'pending', 'the run pending');
    await app.ok(CancelTestRunDocument, { id: pending.id, reason: 'not needed' });
    const cancelled = await untilRun(app, pending.id, (r) => r.fulfillmentState === 'CANCELED', 'the run CANCELED');
    expect(cancelled.cancellation).toMatchObject({
      state: 'DONE',
      outboundRequest: { operation: 'CANCEL', httpMethod: 'PATCH', path: `/serviceTest/${externalId}`, payload: { state: 'cancelled' } },
    });
    expect((await runReport(app, pending.id)).externalState).toMatch(/cancell?ed/);
  });

  it('a test run whose cancelled event overtakes the answer to its PATCH: CANCELED by the event, the answer changes nothing', async () => {
    const { system, token } = await callingBackSystem(app, sim, 'tests');
    await caseRule(app, system.id, 'overtaken', { subject: 'TEST_RUN' });
    const spec = await createSpec(app, {});
    const characteristics = [
      { name: CASE, value: 'overtaken' },
      { name: 'simulatorScenario', value: 'outcome=pending' },
    ];
    const run = (
      await app.ok(CreateTestRunDocument, {
        input: { name: 'Line check', specificationId: spec.id, relatedServiceId: 'svc-10', characteristics },
      })
    ).createTestRun;
    const [create] = (await app.ok(SubmitTestRunDocument, { testRunId: run.id })).submitTestRun.outboundRequests;
    const { externalId } = await waitForState(app, create.id, 'DELIVERED');
    await untilRun(app, run.id, (r) => r.externalState === 'pending', 'the run pending');
    // The system takes its time to answer the PATCH (long enough for a loaded machine to post the event
    // and read the run meanwhile), and tells of the cancelled test before it does.
    sim.injectFault({ match: { method: 'PATCH', path: `/serviceTest/${externalId}` }, fault: 'delayMs=4000', count: 1 });
    await app.ok(CancelTestRunDocument, { id: run.id, reason: 'not needed' });
    const event = {
      eventId: `evt-overtaking-${run.id}`,
      eventTime: new Date().toISOString(),
      eventType: 'ServiceTestStateChangeEvent',
      event: { serviceTest: { id: externalId, state: 'cancelled' } },
    };
    const answer = await callback(app, `${system.id}/listener/serviceTestStateChangeEvent`, event, { token });
    expect([answer.status, answer.body?.outcome]).toEqual([201, 'APPLIED']);
    const cancelled = await runReport(app, run.id);
    expect([cancelled.fulfillmentState, cancelled.externalState, cancelled.cancellation?.outboundRequest?.state]).toEqual([
      'CANCELED',
      'cancelled',
      'SENDING',
    ]);

    const patch = await waitForState(app, cancelled.cancellation!.outboundRequest.id, 'DELIVERED');
    expect([patch.operation, patch.httpMethod]).toEqual(['CANCEL', 'PATCH']);
    const after = await untilRun(app, run.id, (r) => r.cancellation?.state === 'DONE', 'the cancellation DONE');
    expect([after.fulfillmentState, after.externalState]).toEqual(['CANCELED', 'cancelled']);
  });
});
