import { seedDemo, type DemoRecords } from '../../src/demo/seed';
import { Role } from '../../src/services/auth/roles';
import { startSimulator, type Simulator } from '../../src/simulator';
import { FalloutsWithRecordsDocument } from '../__generated__/graphql';
import { untilOrder, untilRun } from '../e2e/inbound-kit';
import { startTestApp, type TestApp } from '../support/app';

/** `npm run demo`'s seeding, run against a test gateway and two fast simulators: the flows it promises end as described. */
describe('demo seed', () => {
  let app: TestApp;
  let ordering: Simulator;
  let testing: Simulator;
  let records: DemoRecords;

  beforeAll(async () => {
    ordering = await startSimulator({ stepMs: 5, deliveryAttempts: 8 });
    testing = await startSimulator({ stepMs: 5, deliveryAttempts: 8 });
    app = await startTestApp();
    records = await seedDemo({ gatewayUrl: app.url, adminToken: app.token([Role.ADMIN], 'demo'), ordering, testing });
  });
  afterAll(async () => {
    await app?.close();
    await ordering?.close();
    await testing?.close();
  });

  async function openFallouts(recordId: string) {
    const all = (await app.ok(FalloutsWithRecordsDocument, { status: 'OPEN' })).fallouts.edges.map((e) => e.node);
    return all.filter((f) => f.domainOrders.some((o) => o.id === recordId)).map((f) => f.category);
  }

  it('the tree completes item by item through the simulator events, with the milestone it reported', async () => {
    const done = await untilOrder(
      app,
      records.happyOrder.id,
      (o) => o.fulfillmentState === 'FULFILLED' && o.children.every((c) => c.fulfillmentState === 'FULFILLED'),
      'the demo tree FULFILLED',
    );
    expect(done.externalState).toBe('completed');
    expect(done.children).toHaveLength(2);
    expect(done.milestones.map((m) => m.name)).toContain('designCompleted');
    expect(done.inboundMessages.edges.some((e) => e.node.channel === 'EVENT' && e.node.outcome === 'APPLIED')).toBe(true);
    expect(await openFallouts(records.happyOrder.id)).toEqual([]);
  });

  it('the failing order ends in ERROR with an open EXTERNAL_FAILURE fallout', async () => {
    const failed = await untilOrder(app, records.failingOrder.id, (o) => o.fulfillmentState === 'ERROR', 'the failing order in ERROR');
    expect(failed.externalState).toBe('failed');
    expect(await openFallouts(records.failingOrder.id)).toContain('EXTERNAL_FAILURE');
  });

  it('the questioned order waits for the bandwidth with an open INFORMATION_REQUIRED fallout', async () => {
    const held = await untilOrder(app, records.questionOrder.id, (o) => o.informationRequired !== null, 'the information request');
    expect(held.informationRequired!.fieldPaths).toEqual(['serviceCharacteristic.bandwidth']);
    expect(held.fulfillmentState).toBe('PENDING');
    expect(await openFallouts(records.questionOrder.id)).toEqual(['INFORMATION_REQUIRED']);
  });

  it('the test run completes with measures against the imported specification, its definition ids filled', async () => {
    const done = await untilRun(app, records.testRun.id, (r) => r.fulfillmentState === 'FULFILLED', 'the demo test run FULFILLED');
    expect(done.externalState).toBe('completed');
    expect(done.measures.map((m) => m.metricName).sort()).toEqual(['attenuation', 'lineSyncStatus', 'signalToNoiseMargin']);
    expect(done.measures.every((m) => m.definition?.definitionId === `line-test.${m.metricName}`)).toBe(true);
  });
});
