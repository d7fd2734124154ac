import { startSimulator, type ServiceOrderItem, type Simulator } from '../../src/simulator';
import {
  ActivateOpenApiDocument,
  CreateDomainOrderDocument,
  CreateFulfillmentRequestDocument,
  CreateTestRunDocument,
  DeactivateOpenApiDocument,
  E2eOutboundRequestCountDocument,
  EvaluateDecisionDocument,
  ReviseDomainOrderDocument,
  ReviseOutboundRequestDocument,
  SubmitTestRunDocument,
  type TestRunInput,
  DeleteDecisionRuleDocument,
} from '../__generated__/graphql';
import { createSpec, runInput } from '../graphql/factories';
import { code, startTestApp, type TestApp } from '../support/app';
import {
  CASE,
  caseOrder,
  caseRule,
  orderStates,
  orderingSystem,
  requestState,
  requestsOf,
  runStates,
  testSystem,
  waitForState,
} from './e2e-kit';

/**
 * Submission end to end: GraphQL over HTTP → outbound request table → dispatcher → the simulator
 * (which validates every body against ServiceOrder_Create / ServiceTest_Create, so a DELIVERED request
 * is itself proof of a valid payload) → external id and state on every record.
 */
describe('E2E: submission', () => {
  let app: TestApp;
  let sim: Simulator;

  beforeAll(async () => {
    // Orders stay `acknowledged` at the simulator (no progress, no events): what the records show
    // comes from the POST response alone, and a later PATCH is still accepted.
    sim = await startSimulator({ stepMs: 600_000, notify: 'none' });
    app = await startTestApp({ env: { DISPATCH_SWEEP_INTERVAL_MS: '50' } });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_TEST_TMF653' });
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  describe('domain orders to a TMF641 system', () => {
    const countFor = async (externalSystemId: string) =>
      (await app.ok(E2eOutboundRequestCountDocument, { filter: { externalSystemId } })).outboundRequests.totalCount;
    const itemShape = (item: ServiceOrderItem): unknown => ({
      id: item.id,
      action: item.action,
      children: (item.serviceOrderItem ?? []).map(itemShape),
    });

    /** root → (child-1 → grandchild), child-2 (MODIFY of an existing service) */
    async function createTree(caseName: string) {
      const root = (
        await app.ok(CreateDomainOrderDocument, {
          input: caseOrder(caseName, {
            name: 'root',
            children: [
              caseOrder(caseName, { name: 'child-1', children: [caseOrder(caseName, { name: 'grandchild' })] }),
              caseOrder(caseName, { name: 'child-2', action: 'MODIFY', serviceId: 'svc-7' }),
            ],
          }),
        })
      ).createDomainOrder;
      const [child1, child2] = root.children;
      return { root, child1, grandchild: child1.children[0], child2 };
    }

    it('hierarchical: ONE POST nests the whole tree; every record gets the external id and state and stays PENDING', async () => {
      const system = await orderingSystem(app, sim);
      const rule = await caseRule(app, system.id, 'tree', { hierarchical: true });
      const { root, child1, grandchild, child2 } = await createTree('tree');
      const preOrder = [root, child1, grandchild, child2];

      const result = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: root.id })).createFulfillmentRequest;
      expect(result.hierarchical).toBe(true);
      expect(result.rule).toEqual({ id: rule.id, name: rule.name });
      expect(result.outboundRequests).toHaveLength(1);
      const [queued] = result.outboundRequests;
      expect(queued).toMatchObject({
        requestId: result.requestId,
        operation: 'CREATE',
        api: 'SERVICE_ORDERING_TMF641',
        state: 'QUEUED',
        attempts: 0,
        httpMethod: 'POST',
        path: '/serviceOrder',
        externalId: null,
        externalSystem: { id: system.id },
      });
      expect(queued.domainOrders.map((o) => [o.number, o.fulfillmentState])).toEqual(preOrder.map((o) => [o.number, 'PENDING']));

      const delivered = await waitForState(app, queued.id, 'DELIVERED');
      expect(delivered).toMatchObject({ attempts: 1, responseStatus: 201, error: null });

      expect(sim.countFor({ externalId: result.requestId, method: 'POST' })).toEqual({ received: 1, created: 1, faulted: 0 });
      const stored = sim.serviceOrders({ externalId: result.requestId });
      expect(stored).toHaveLength(1);
      expect(stored[0].serviceOrderItem.map(itemShape)).toEqual([
        {
          id: root.number,
          action: 'add',
          children: [
            { id: child1.number, action: 'add', children: [{ id: grandchild.number, action: 'add', children: [] }] },
            { id: child2.number, action: 'modify', children: [] },
          ],
        },
      ]);
      expect(stored[0].serviceOrderItem[0].serviceOrderItem![1].service).toMatchObject({ id: 'svc-7' });
      expect(delivered.externalId).toBe(stored[0].id);

      for (const order of preOrder) {
        expect(await orderStates(app, order.id)).toMatchObject({
          fulfillmentState: 'PENDING',
          externalId: stored[0].id,
          externalState: 'acknowledged',
          canRequestFulfillment: false,
        });
      }

      // Already accepted: a second request for the root or any order it carried is refused, and nothing is queued.
      for (const order of [root, grandchild]) {
        const again = await app.gql(CreateFulfillmentRequestDocument, { domainOrderId: order.id });
        expect(code(again)).toBe('FULFILLMENT_NOT_ALLOWED');
        expect(again.errors![0].message).toContain(order.number);
      }
      expect(await countFor(system.id)).toBe(1);
      expect(sim.countFor({ externalId: result.requestId, method: 'POST' }).received).toBe(1);
    });

    it('non-hierarchical: only the submitted order is sent; its children stay NOT_REQUESTED and can go on their own', async () => {
      const system = await orderingSystem(app, sim);
      await caseRule(app, system.id, 'flat', { hierarchical: false });
      const { root, child1, grandchild, child2 } = await createTree('flat');

      const result = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: root.id })).createFulfillmentRequest;
      expect(result.hierarchical).toBe(false);
      expect(result.outboundRequests.map((r) => r.domainOrders.map((o) => o.number))).toEqual([[root.number]]);
      await waitForState(app, result.outboundRequests[0].id, 'DELIVERED');

      const [stored] = sim.serviceOrders({ externalId: result.requestId });
      expect(stored.serviceOrderItem.map(itemShape)).toEqual([{ id: root.number, action: 'add', children: [] }]);
      expect(await orderStates(app, root.id)).toMatchObject({
        fulfillmentState: 'PENDING',
        externalId: stored.id,
        externalState: 'acknowledged',
      });
      for (const order of [child1, grandchild, child2]) {
        expect(await orderStates(app, order.id)).toMatchObject({
          fulfillmentState: 'NOT_REQUESTED',
          externalId: null,
          externalState: null,
          canRequestFulfillment: true,
          outboundRequests: [],
        });
      }

      // A child is a submission of its own (non-hierarchical again: just that child).
      const child = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: child1.id })).createFulfillmentRequest;
      await waitForState(app, child.outboundRequests[0].id, 'DELIVERED');
      const [childOrder] = sim.serviceOrders({ externalId: child.requestId });
      expect(childOrder.serviceOrderItem.map(itemShape)).toEqual([{ id: child1.number, action: 'add', children: [] }]);
      expect((await orderStates(app, grandchild.id)).fulfillmentState).toBe('NOT_REQUESTED');
    });

    it('a payload longer than one piece of the claim (262,144 bytes) arrives whole, characters of 1 to 4 bytes included', async () => {
      const system = await orderingSystem(app, sim);
      await caseRule(app, system.id, 'long', { hierarchical: true });
      // Each value 9,000 UTF-16 units (18,000 bytes); 3 per order, 15 orders: about 324,000 characters in all.
      const value = (n: number) => `${n}:${'aé€😀'.repeat(2_250)}`.slice(0, 9_000);
      const notes = (n: number) => [0, 1, 2].map((i) => ({ name: `note-${i}`, value: value(n * 3 + i) }));
      const order = (n: number, children?: ReturnType<typeof caseOrder>[]) => {
        const base = caseOrder('long', { name: `order-${n}`, children });
        return { ...base, characteristics: [...(base.characteristics ?? []), ...notes(n)] };
      };
      const root = (
        await app.ok(CreateDomainOrderDocument, {
          input: order(
            0,
            Array.from({ length: 14 }, (_, i) => order(i + 1)),
          ),
        })
      ).createDomainOrder;

      const result = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: root.id })).createFulfillmentRequest;
      await waitForState(app, result.outboundRequests[0].id, 'DELIVERED');
      const [stored] = sim.serviceOrders({ externalId: result.requestId });
      const text = JSON.stringify(stored);
      for (let n = 0; n < 45; n++) expect(text.split(JSON.stringify(value(n))).length).toBe(2);
    });

    describe('rules decide before anything is queued', () => {
      it('an inactive Open API is API_NOT_ACTIVE and queues nothing', async () => {
        const system = await orderingSystem(app, sim);
        await caseRule(app, system.id, 'inactive-api');
        const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('inactive-api') })).createDomainOrder;
        await app.ok(DeactivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
        try {
          const res = await app.gql(CreateFulfillmentRequestDocument, { domainOrderId: order.id });
          expect(code(res)).toBe('API_NOT_ACTIVE');
          expect(res.data).toBeNull();
        } finally {
          await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
        }
        expect(await countFor(system.id)).toBe(0);
        expect(await orderStates(app, order.id)).toMatchObject({
          fulfillmentState: 'NOT_REQUESTED',
          canRequestFulfillment: true,
          outboundRequests: [],
        });
      });

      it('a disabled external system is EXTERNAL_SYSTEM_DISABLED, naming the system, and queues nothing', async () => {
        const system = await orderingSystem(app, sim, { enabled: false });
        await caseRule(app, system.id, 'disabled-system');
        const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('disabled-system') })).createDomainOrder;

        const res = await app.gql(CreateFulfillmentRequestDocument, { domainOrderId: order.id });
        expect(code(res)).toBe('EXTERNAL_SYSTEM_DISABLED');
        expect(res.errors![0].message).toContain(system.name);
        expect(await countFor(system.id)).toBe(0);
        expect((await orderStates(app, order.id)).fulfillmentState).toBe('NOT_REQUESTED');
      });

      it('no matching rule is NO_MATCHING_RULE naming the order, the table and its deciding attributes', async () => {
        const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('routed-nowhere', { domain: 'MOBILE' }) }))
          .createDomainOrder;

        const res = await app.gql(CreateFulfillmentRequestDocument, { domainOrderId: order.id });
        expect(code(res)).toBe('NO_MATCHING_RULE');
        expect(res.errors![0].message).toBe(
          `Domain order ${order.number} has no matching Service Order Outbound Policy rule ` +
            '(category=CFS, action=add, domain=MOBILE, specification.id=spec-internet, specification.name=Internet Access)',
        );
        expect((await orderStates(app, order.id)).fulfillmentState).toBe('NOT_REQUESTED');
      });

      it('evaluateDecision returns the rule, target and exact payload without queuing or sending anything', async () => {
        const system = await orderingSystem(app, sim);
        const rule = await caseRule(app, system.id, 'dry-run', { hierarchical: true });
        const { root, child1, grandchild, child2 } = await createTree('dry-run');
        const postsBefore = sim.countFor({ method: 'POST', path: '/serviceOrder' }).received;

        const outcome = (await app.ok(EvaluateDecisionDocument, { subject: 'DOMAIN_ORDER', subjectId: root.id })).evaluateDecision;
        expect(outcome.rule).toEqual({ id: rule.id, name: rule.name });
        expect(outcome.externalSystem).toEqual({ id: system.id, name: system.name });
        expect(outcome.hierarchical).toBe(true);
        expect(outcome.payloads).toHaveLength(1);
        expect(await countFor(system.id)).toBe(0);
        expect(sim.countFor({ method: 'POST', path: '/serviceOrder' }).received).toBe(postsBefore);
        for (const o of [root, child1, grandchild, child2]) expect((await orderStates(app, o.id)).fulfillmentState).toBe('NOT_REQUESTED');

        // The dry run's payload is exactly what a real submission sends, but for its fresh correlation id.
        const result = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: root.id })).createFulfillmentRequest;
        const { externalId: dryId, ...dryRest } = outcome.payloads[0] as Record<string, unknown>;
        const { externalId: sentId, ...sentRest } = result.outboundRequests[0].payload as Record<string, unknown>;
        expect(sentId).toBe(result.requestId);
        expect(dryId).not.toBe(result.requestId);
        expect(sentRest).toEqual(dryRest);
        await waitForState(app, result.outboundRequests[0].id, 'DELIVERED');
      });
    });

    it('two submissions of the same order at the same moment: one succeeds, the other is CONFLICT, one POST', async () => {
      const system = await orderingSystem(app, sim);
      await caseRule(app, system.id, 'race');
      for (let round = 0; round < 4; round++) {
        const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('race') })).createDomainOrder;
        const results = await Promise.all([
          app.gql(CreateFulfillmentRequestDocument, { domainOrderId: order.id }),
          app.gql(CreateFulfillmentRequestDocument, { domainOrderId: order.id }),
        ]);
        const winners = results.filter((r) => !r.errors);
        const losers = results.filter((r) => r.errors);
        expect(winners).toHaveLength(1);
        expect(losers.map(code)).toEqual(['CONFLICT']);
        expect(losers[0].errors![0].message).toContain(order.number);

        const { requestId, outboundRequests } = winners[0].data!.createFulfillmentRequest;
        await waitForState(app, outboundRequests[0].id, 'DELIVERED');
        expect(sim.countFor({ externalId: requestId, method: 'POST' }).received).toBe(1);
        const ordersCarrying = sim.serviceOrders().filter((o) => o.serviceOrderItem.some((i) => i.id === order.number));
        expect(ordersCarrying).toHaveLength(1);
        expect((await orderStates(app, order.id)).outboundRequests).toHaveLength(1);
      }
      expect(await countFor(system.id)).toBe(4);
    });

    describe('in-flight revision of a delivered order', () => {
      it('reviseDomainOrder flags updatesAvailable; reviseOutboundRequest PATCHes the external order and clears it', async () => {
        const system = await orderingSystem(app, sim);
        await caseRule(app, system.id, 'revise');
        const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('revise') })).createDomainOrder;

        // Nothing to share yet.
        expect(code(await app.gql(ReviseOutboundRequestDocument, { domainOrderId: order.id }))).toBe('NO_UPDATES_AVAILABLE');

        const created = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest;
        const delivered = await waitForState(app, created.outboundRequests[0].id, 'DELIVERED');
        expect(code(await app.gql(ReviseOutboundRequestDocument, { domainOrderId: order.id }))).toBe('NO_UPDATES_AVAILABLE');

        const revised = (
          await app.ok(ReviseDomainOrderDocument, {
            id: order.id,
            input: {
              expectedVersion: 1,
              characteristics: [
                { name: 'bandwidth', value: '1G' },
                { name: 'e2eCase', value: 'revise' },
              ],
            },
          })
        ).reviseDomainOrder;
        expect(revised).toMatchObject({ version: 2, updatesAvailable: true, fulfillmentState: 'PENDING' });

        const revision = (await app.ok(ReviseOutboundRequestDocument, { domainOrderId: order.id })).reviseOutboundRequest;
        expect(revision.outboundRequests).toHaveLength(1);
        const [patch] = revision.outboundRequests;
        expect(patch).toMatchObject({
          operation: 'REVISE',
          httpMethod: 'PATCH',
          path: `/serviceOrder/${delivered.externalId}`,
          state: 'QUEUED',
          domainOrders: [{ id: order.id }],
        });
        expect(patch.payload).toMatchObject({ serviceOrderItem: [{ id: order.number, action: 'modify' }] });

        const patched = await waitForState(app, patch.id, 'DELIVERED');
        expect(patched.responseStatus).toBe(200);
        expect(sim.countFor({ externalId: created.requestId, method: 'PATCH' })).toMatchObject({ received: 1, faulted: 0 });
        const [external] = sim.serviceOrders({ externalId: created.requestId });
        expect(external.id).toBe(delivered.externalId);
        expect(external.serviceOrderItem[0].service.serviceCharacteristic).toEqual([
          { name: 'bandwidth', value: '1G' },
          { name: 'e2eCase', value: 'revise' },
        ]);
        expect(await orderStates(app, order.id)).toMatchObject({ updatesAvailable: false, version: 2, externalId: delivered.externalId });

        // Shared: nothing left to revise.
        expect(code(await app.gql(ReviseOutboundRequestDocument, { domainOrderId: order.id }))).toBe('NO_UPDATES_AVAILABLE');
        expect((await requestsOf(app, revision.requestId)).map((r) => r.state)).toEqual(['DELIVERED']);
      });

      it('revisions shared while the order is still on its way wait for it, then PATCH the order it created, in turn', async () => {
        const system = await orderingSystem(app, sim);
        await caseRule(app, system.id, 'revise-in-flight');
        const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('revise-in-flight') })).createDomainOrder;
        sim.injectFault({ match: { method: 'POST', path: '/serviceOrder' }, fault: 'delayMs=700', count: 1 });
        const created = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest;
        await waitForState(app, created.outboundRequests[0].id, 'SENDING');

        const revisions = [];
        for (const bandwidth of ['1G', '2G']) {
          await app.ok(ReviseDomainOrderDocument, {
            id: order.id,
            input: {
              characteristics: [
                { name: 'bandwidth', value: bandwidth },
                { name: 'e2eCase', value: 'revise-in-flight' },
              ],
            },
          });
          const [patch] = (await app.ok(ReviseOutboundRequestDocument, { domainOrderId: order.id })).reviseOutboundRequest.outboundRequests;
          // The external order's id is not known yet: the PATCH has no path until the POST is answered.
          expect(patch).toMatchObject({ operation: 'REVISE', httpMethod: 'PATCH', path: '', state: 'QUEUED' });
          revisions.push(patch);
        }
        expect((await requestState(app, created.outboundRequests[0].id)).state).toBe('SENDING');

        const delivered = await waitForState(app, created.outboundRequests[0].id, 'DELIVERED');
        for (const patch of revisions) {
          expect(await waitForState(app, patch.id, 'DELIVERED')).toMatchObject({
            path: `/serviceOrder/${delivered.externalId}`,
            responseStatus: 200,
          });
        }
        expect(sim.countFor({ externalId: created.requestId, method: 'PATCH' })).toMatchObject({ received: 2, faulted: 0 });
        const [external] = sim.serviceOrders({ externalId: created.requestId });
        expect(external.serviceOrderItem[0].service.serviceCharacteristic).toContainEqual({ name: 'bandwidth', value: '2G' });
        expect(await orderStates(app, order.id)).toMatchObject({ updatesAvailable: false, version: 3 });
      });

      it('still shares changes after the rule that sent the order was deleted, naming a rule that sends there now', async () => {
        const system = await orderingSystem(app, sim);
        const first = await caseRule(app, system.id, 'revise-after-rule-change');
        const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('revise-after-rule-change') })).createDomainOrder;
        const created = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest;
        await waitForState(app, created.outboundRequests[0].id, 'DELIVERED');
        expect((await app.ok(DeleteDecisionRuleDocument, { id: first.id })).deleteDecisionRule).toBe(true);
        const replacement = await caseRule(app, system.id, 'revise-after-rule-change');
        await app.ok(ReviseDomainOrderDocument, {
          id: order.id,
          input: {
            characteristics: [
              { name: 'bandwidth', value: '2G' },
              { name: 'e2eCase', value: 'revise-after-rule-change' },
            ],
          },
        });
        const revision = (await app.ok(ReviseOutboundRequestDocument, { domainOrderId: order.id })).reviseOutboundRequest;
        expect(revision.rule).toEqual({ id: replacement.id, name: replacement.name });
        await waitForState(app, revision.outboundRequests[0].id, 'DELIVERED');
      });
    });
  });

  /** TMF653: one ServiceTest POST per run (a ServiceTest has no children), parents before children, one requestId. */
  describe('test runs to a TMF653 system', () => {
    const MEASURES = [
      { definitionId: 'def-latency', metricName: 'latency', unitOfMeasure: 'ms', valueType: 'number' },
      { definitionId: 'def-loss', metricName: 'packetLoss', unitOfMeasure: '%', valueType: 'number' },
    ];

    function caseRun(specificationId: string, caseName: string, overrides: Partial<TestRunInput> = {}): TestRunInput {
      return runInput(specificationId, { characteristics: [{ name: CASE, value: caseName }], ...overrides });
    }

    /** root → child → grandchild */
    async function createRunChain(specificationId: string, caseName: string) {
      const root = (
        await app.ok(CreateTestRunDocument, {
          input: caseRun(specificationId, caseName, {
            name: 'root run',
            children: [
              caseRun(specificationId, caseName, {
                name: 'child run',
                children: [caseRun(specificationId, caseName, { name: 'grandchild run' })],
              }),
            ],
          }),
        })
      ).createTestRun;
      const child = root.children[0];
      return [root, child, child.children[0]];
    }

    it('hierarchical: one POST per run, parents first, one requestId, each DELIVERED with its measure definitions', async () => {
      const system = await testSystem(app, sim);
      await caseRule(app, system.id, 'runs-tree', { subject: 'TEST_RUN', hierarchical: true });
      const spec = await createSpec(app, { measureDefinitions: MEASURES });
      const runs = await createRunChain(spec.id, 'runs-tree');

      const result = (await app.ok(SubmitTestRunDocument, { testRunId: runs[0].id })).submitTestRun;
      expect(result.hierarchical).toBe(true);
      const requests = result.outboundRequests;
      expect(requests).toHaveLength(3);
      expect(requests.map((r) => r.requestId)).toEqual([result.requestId, result.requestId, result.requestId]);
      expect(requests.map((r) => r.testRuns.map((t) => t.number))).toEqual(runs.map((r) => [r.number]));
      // Parents before children: the outbound request numbers follow the tree from the top.
      expect(requests.map((r) => r.number)).toEqual([...requests.map((r) => r.number)].sort());
      for (const r of requests) {
        expect(r).toMatchObject({
          operation: 'CREATE',
          api: 'SERVICE_TEST_TMF653',
          state: 'QUEUED',
          httpMethod: 'POST',
          path: '/serviceTest',
        });
      }

      for (const [i, request] of requests.entries()) {
        const delivered = await waitForState(app, request.id, 'DELIVERED');
        const payload = request.payload as { name: string };
        expect(payload).toMatchObject({
          name: `${runs[i].number}-${result.requestId}`,
          mode: 'ONDEMAND',
          relatedService: { id: 'svc-42' },
          testSpecification: { id: spec.externalId },
          characteristic: [{ name: CASE, value: 'runs-tree' }],
          testMeasure: [
            { metricName: 'latency', unitOfMeasure: 'ms', testMeasureDefinitionId: 'def-latency' },
            { metricName: 'packetLoss', unitOfMeasure: '%', testMeasureDefinitionId: 'def-loss' },
          ],
        });
        expect(sim.countFor({ name: payload.name, method: 'POST' })).toEqual({ received: 1, created: 1, faulted: 0 });
        const stored = sim.serviceTests({ name: payload.name });
        expect(stored).toHaveLength(1);
        expect(stored[0].testMeasure?.map((m) => m.testMeasureDefinitionId)).toEqual(['def-latency', 'def-loss']);
        expect(delivered.externalId).toBe(stored[0].id);
        expect(await runStates(app, runs[i].id)).toMatchObject({
          fulfillmentState: 'PENDING',
          externalId: stored[0].id,
          externalState: 'acknowledged',
          canRequestFulfillment: false,
        });
      }
    });

    it('non-hierarchical: only the submitted run is sent', async () => {
      const system = await testSystem(app, sim);
      await caseRule(app, system.id, 'runs-flat', { subject: 'TEST_RUN', hierarchical: false });
      const spec = await createSpec(app, { measureDefinitions: MEASURES });
      const [root, child, grandchild] = await createRunChain(spec.id, 'runs-flat');

      const result = (await app.ok(SubmitTestRunDocument, { testRunId: root.id })).submitTestRun;
      expect(result.hierarchical).toBe(false);
      expect(result.outboundRequests.map((r) => r.testRuns.map((t) => t.number))).toEqual([[root.number]]);
      await waitForState(app, result.outboundRequests[0].id, 'DELIVERED');
      expect(sim.countFor({ name: `${root.number}-${result.requestId}`, method: 'POST' }).received).toBe(1);
      expect(sim.serviceTests().filter((t) => t.name.endsWith(result.requestId))).toHaveLength(1);
      for (const run of [child, grandchild]) {
        expect(await runStates(app, run.id)).toMatchObject({
          fulfillmentState: 'NOT_REQUESTED',
          canRequestFulfillment: true,
          outboundRequests: [],
        });
      }
    });

    it('a specification with a measure definition lacking its definitionId is TEST_MEASURE_DEFINITION_ID_MISSING naming it', async () => {
      const system = await testSystem(app, sim);
      await caseRule(app, system.id, 'runs-missing-id', { subject: 'TEST_RUN', hierarchical: true });
      const spec = await createSpec(app, {
        measureDefinitions: [MEASURES[0], { metricName: 'jitter', unitOfMeasure: 'ms' }],
      });
      const [root, child] = await createRunChain(spec.id, 'runs-missing-id');
      const testsBefore = sim.serviceTests().length;

      const res = await app.gql(SubmitTestRunDocument, { testRunId: root.id });
      expect(code(res)).toBe('TEST_MEASURE_DEFINITION_ID_MISSING');
      const message = res.errors![0].message;
      expect(message).toContain('"jitter"');
      expect(message).toContain(root.number);
      expect(message).toContain(child.number);
      expect(message).not.toContain('"latency"');
      expect(await runStates(app, root.id)).toMatchObject({ fulfillmentState: 'NOT_REQUESTED', outboundRequests: [] });
      expect(sim.serviceTests()).toHaveLength(testsBefore);
    });
  });
});
