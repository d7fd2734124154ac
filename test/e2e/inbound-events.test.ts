import { Role } from '../../src/services/auth/roles';
import type { Simulator } from '../../src/simulator';
import {
  CreateDomainOrderDocument,
  CreateFulfillmentRequestDocument,
  FalloutsWithRecordsDocument,
  FulfillmentChangesWithMessagesDocument,
  InboundMessageReceivedDocument,
  ReviseDomainOrderDocument,
  type DomainOrderInput,
} from '../__generated__/graphql';
import type { TestApp } from '../support/app';
import { caseOrder, caseRule, collect, waitFor } from './e2e-kit';
import { callingBackSystem, inboundMessages, orderReport, untilOrder, closeInboundWorld, startInboundWorld } from './inbound-kit';

/** A tree of three: the root and two children, the second with a grandchild (items progress one at a time). */
function tree(caseName: string, characteristics: { name: string; value: string }[] = []): DomainOrderInput {
  const withCase = (extra: { name: string; value: string }[] = []) =>
    caseOrder(caseName, { characteristics: [{ name: 'e2eCase', value: caseName }, ...extra] });
  return { ...withCase(characteristics), children: [withCase(), { ...withCase(), children: [withCase()] }] };
}

describe('E2E: TMF events from the simulator close the loop', () => {
  let app: TestApp;
  let sim: Simulator;

  beforeAll(async () => {
    ({ app, sim } = await startInboundWorld());
  });
  afterAll(() => closeInboundWorld({ app, sim }));

  async function submitTree(caseName: string, input: DomainOrderInput) {
    const { system, token } = await callingBackSystem(app, sim, 'orders');
    await caseRule(app, system.id, caseName);
    const order = (await app.ok(CreateDomainOrderDocument, { input })).createDomainOrder;
    const viewer = app.token([Role.VIEWER]);
    const changes = await collect(app, app.wsClient(viewer), FulfillmentChangesWithMessagesDocument, { domainOrderId: order.id });
    const messages = await collect(app, app.wsClient(viewer), InboundMessageReceivedDocument, { externalSystemId: system.id });
    await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id });
    return { system, token, order, changes, messages };
  }

  it('a hierarchical order whose items progress one by one ends FULFILLED, every record through its own item', async () => {
    const { system, order, changes, messages } = await submitTree('happy-tree', tree('happy-tree'));
    const done = await untilOrder(
      app,
      order.id,
      (o) => o.fulfillmentState === 'FULFILLED' && o.children.every((c) => c.fulfillmentState === 'FULFILLED'),
      'the whole tree FULFILLED',
    );
    expect(done.externalState).toBe('completed');
    expect(done.children.map((c) => c.externalState)).toEqual(['completed', 'completed']);
    const grandchild = (await orderReport(app, done.children[1].id)).children[0];
    expect([grandchild.fulfillmentState, grandchild.externalState]).toEqual(['FULFILLED', 'completed']);

    // The root saw its own item move (acknowledged → inProgress → completed), every change carrying its message.
    await waitFor(() => changes.events.some((e) => e.fulfillmentStateChanged.state === 'FULFILLED'), 'the FULFILLED event');
    const inbound = changes.events.filter((e) => e.fulfillmentStateChanged.inboundMessage);
    expect(inbound.map((e) => e.fulfillmentStateChanged.externalState)).toEqual(expect.arrayContaining(['inProgress', 'completed']));
    expect(inbound.every((e) => e.fulfillmentStateChanged.inboundMessage!.channel === 'EVENT')).toBe(true);
    expect(inbound.at(-1)!.fulfillmentStateChanged).toMatchObject({ number: order.number, previousState: 'PENDING', state: 'FULFILLED' });

    // Every event stored, applied, linked to the records it touched, and announced.
    const stored = await inboundMessages(app, { externalSystemId: system.id });
    expect(stored.totalCount).toBeGreaterThanOrEqual(5);
    // A create event that only repeats what the POST's answer already recorded moves nothing: STALE, with why.
    const outcomes = stored.edges.map((e) => e.node);
    expect(outcomes.filter((m) => m.outcome === 'APPLIED').length).toBeGreaterThanOrEqual(4);
    expect(
      outcomes.filter((m) => m.outcome !== 'APPLIED').every((m) => m.outcome === 'STALE' && /already shows all of it/.test(m.reason ?? '')),
    ).toBe(true);
    expect(stored.edges.every((e) => e.node.domainOrders.some((d) => d.number === order.number))).toBe(true);
    expect(stored.edges.map((e) => e.node.eventType)).toEqual(
      expect.arrayContaining(['ServiceOrderCreateEvent', 'ServiceOrderStateChangeEvent']),
    );
    await waitFor(() => messages.events.length >= stored.totalCount, 'an inboundMessageReceived per message');
    // The simulator may still be sending a late repeat: compare the system's and the order's counts once
    // both have settled on the same figure (a message not linked to the order would keep them apart).
    await waitFor(async () => {
      const [all, mine] = [await inboundMessages(app, { externalSystemId: system.id }), await orderReport(app, order.id)];
      return all.totalCount === mine.inboundMessages.totalCount && messages.events.length >= all.totalCount;
    }, "the order's messages, every one of the system's, each announced");
  });

  it('a partial failure: the failed item ERROR with the reported error and an EXTERNAL_FAILURE fallout; re-submitting it completes', async () => {
    const caseName = 'partial-tree';
    const input: DomainOrderInput = {
      ...caseOrder(caseName),
      children: [
        caseOrder(caseName),
        caseOrder(caseName, {
          characteristics: [
            { name: 'e2eCase', value: caseName },
            { name: 'simulatorOutcome', value: 'failed' },
          ],
        }),
      ],
    };
    const { order } = await submitTree(caseName, input);
    const settled = await untilOrder(
      app,
      order.id,
      (o) => o.fulfillmentState === 'ERROR' && o.children.every((c) => c.fulfillmentState !== 'PENDING'),
      'the order settled',
    );
    const [good, bad] = settled.children;
    expect([settled.externalState, good.fulfillmentState, bad.fulfillmentState, bad.externalState]).toEqual([
      'partial',
      'FULFILLED',
      'ERROR',
      'failed',
    ]);
    const failedItem = await orderReport(app, bad.id);
    expect(failedItem.externalErrors.length).toBeGreaterThanOrEqual(1);
    expect(failedItem.canRequestFulfillment).toBe(true);

    const fallouts = (await app.ok(FalloutsWithRecordsDocument, { status: 'OPEN' })).fallouts.edges.map((e) => e.node);
    const external = fallouts.find((f) => f.category === 'EXTERNAL_FAILURE' && f.domainOrders.some((d) => d.number === bad.number));
    expect(external).toMatchObject({
      source: 'INBOUND',
      status: 'OPEN',
      outboundRequest: { operation: 'CREATE' },
      inboundMessage: { outcome: 'APPLIED' },
    });
    expect(external!.message).toContain(bad.number);

    // The operator fixes the item (the characteristic that made it fail) and submits it again, on its own.
    await app.ok(ReviseDomainOrderDocument, { id: bad.id, input: { characteristics: [{ name: 'e2eCase', value: caseName }] } });
    await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: bad.id });
    const fixed = await untilOrder(app, bad.id, (o) => o.fulfillmentState === 'FULFILLED', 'the re-submitted item FULFILLED');
    expect(fixed.outboundRequests.filter((r) => r.operation === 'CREATE').map((r) => r.state)).toEqual(['DELIVERED', 'DELIVERED']);
    expect(fixed.externalState).toBe('completed');
  });

  it('duplicated and out-of-order events: each eventId applied once, an older state never wins', async () => {
    const caseName = 'messy-events';
    sim.injectFault({ match: { method: 'POST', path: '/serviceOrder' }, fault: 'duplicateEvent' });
    const { system, order } = await submitTree(caseName, tree(caseName));
    await untilOrder(
      app,
      order.id,
      (o) => o.fulfillmentState === 'FULFILLED' && o.children.every((c) => c.fulfillmentState === 'FULFILLED'),
      'the tree FULFILLED',
    );
    await sim.whenDeliveriesIdle();
    const stored = (await inboundMessages(app, { externalSystemId: system.id })).edges.map((e) => e.node);
    const duplicates = stored.filter((m) => m.outcome === 'DUPLICATE');
    const applied = stored.filter((m) => m.outcome === 'APPLIED' || m.outcome === 'STALE');
    expect(duplicates.length).toBe(applied.length);
    for (const d of duplicates) expect(applied.filter((a) => a.eventId === d.eventId)).toHaveLength(1);
    sim.clearFaults();

    const shuffled = 'shuffled-events';
    sim.injectFault({ match: { method: 'POST', path: '/serviceOrder' }, fault: 'outOfOrderEvents' });
    const second = await submitTree(shuffled, tree(shuffled));
    const done = await untilOrder(
      app,
      second.order.id,
      (o) => o.children.every((c) => c.fulfillmentState === 'FULFILLED') && o.fulfillmentState === 'FULFILLED',
      'the shuffled tree FULFILLED',
    );
    await sim.whenDeliveriesIdle();
    expect((await orderReport(app, done.id)).externalState).toBe('completed');
    const stale = (await inboundMessages(app, { externalSystemId: second.system.id, outcome: 'STALE' })).edges.map((e) => e.node);
    expect(stale.length).toBeGreaterThan(0);
    expect(stale.every((m) => /later event|final state|already shows/.test(m.reason ?? ''))).toBe(true);
    sim.clearFaults();
  });
});
