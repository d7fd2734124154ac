import { startSimulator, type Simulator } from '../../src/simulator';
import { Role } from '../../src/services/auth/roles';
import {
  ActivateOpenApiDocument,
  CreateDomainOrderDocument,
  CreateFulfillmentRequestDocument,
  FulfillmentChangesWithMessagesDocument,
  InboundMessageReceivedDocument,
} from '../__generated__/graphql';
import { startTestApp, type TestApp } from '../support/app';
import { eventBrokers, usingPostgres } from '../support/database';
import { gatewayBuilt, startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { caseOrder, caseRule, collect, waitFor } from './e2e-kit';
import { callingBackSystem, deliveredOrder, orderEvent, orderReport, untilOrder } from './inbound-kit';

// Two processes on one database need PostgreSQL: the embedded PGlite database lives inside one process.
const describeOnPostgres = usingPostgres && gatewayBuilt ? describe : describe.skip;
if (!usingPostgres) {
  process.stdout.write(
    'SKIPPED two-processes-inbound.test.ts: needs real PostgreSQL (set TEST_DATABASE_URL); the embedded database is one process\n',
  );
}

describeOnPostgres.each(eventBrokers('two-processes-inbound.test.ts'))(
  'E2E: inbound messages with two gateway processes on one PostgreSQL, events over $name',
  ({ env }) => {
    let app: TestApp;
    let other: GatewayProcess;
    let sim: Simulator;

    beforeAll(async () => {
      sim = await startSimulator({ stepMs: 20, deliveryAttempts: 8 });
      app = await startTestApp({ env });
      other = await startGatewayProcess(app);
      await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    });
    afterAll(async () => {
      expect(await other?.stop()).toBe(0);
      await app?.close();
      await sim?.close();
    });

    it('events posted to the other process reach a subscriber of this one, each change with its message', async () => {
      const { system, token } = await callingBackSystem(app, sim, 'orders');
      // The simulator calls the other process back; the console is connected to this one.
      sim.setOptions({ callbackUrl: `${other.url}${system.callbackPath}`, callbackToken: token, notify: 'events' });
      await caseRule(app, system.id, 'two-processes');
      const order = (
        await app.ok(CreateDomainOrderDocument, { input: { ...caseOrder('two-processes'), children: [caseOrder('two-processes')] } })
      ).createDomainOrder;
      const viewer = app.wsClient(app.token([Role.VIEWER]));
      const changes = await collect(app, viewer, FulfillmentChangesWithMessagesDocument, { domainOrderId: order.id });
      const messages = await collect(app, viewer, InboundMessageReceivedDocument, { externalSystemId: system.id });

      await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id });
      const done = await untilOrder(app, order.id, (o) => o.fulfillmentState === 'FULFILLED', 'FULFILLED through the other process');
      const fulfilled = await waitFor(
        () =>
          changes.events.find((e) => e.fulfillmentStateChanged.state === 'FULFILLED' && e.fulfillmentStateChanged.number === order.number),
        'the FULFILLED change',
      );
      expect(fulfilled.fulfillmentStateChanged).toMatchObject({
        number: order.number,
        previousState: 'PENDING',
        externalState: 'completed',
        inboundMessage: { channel: 'EVENT', outcome: 'APPLIED' },
      });
      // Every message the other process stored is announced here, once. The two subscriptions are separate
      // streams, so the message announcement may arrive after the state change: wait for it.
      const messageId = fulfilled.fulfillmentStateChanged.inboundMessage!.id;
      await waitFor(
        () => messages.events.find((e) => e.inboundMessageReceived.id === messageId),
        'the announcement of the FULFILLED message',
      );
      const announced = messages.events.map((e) => e.inboundMessageReceived);
      expect(new Set(announced.map((m) => m.id)).size).toBe(announced.length);
      expect(done.children[0].fulfillmentState).toBe('FULFILLED');
      changes.stop();
      messages.stop();
    });

    it('concurrent events for one order, half to each process: every one applied, none lost or interleaved', async () => {
      const { system, token, order, create } = await deliveredOrder(app, sim, 'two-processes-concurrent', undefined, { notify: 'none' });
      const externalId = create.externalId!;
      // One eventTime for all: none is older than another, so each must add its milestone.
      const eventTime = new Date().toISOString();
      const events = Array.from({ length: 12 }, (_, i) =>
        orderEvent(
          'ServiceOrderMilestoneEvent',
          { id: externalId, milestone: [{ id: `m${i}`, name: `step ${i}`, milestoneDate: eventTime }] },
          { eventTime },
        ),
      );
      const answers = await Promise.all(
        events.map(async (event, i) => {
          const base = i % 2 === 0 ? app.url : other.url;
          const res = await fetch(`${base}/callbacks/${system.id}/listener/serviceOrderMilestoneEvent`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify(event),
          });
          return [res.status, ((await res.json()) as { outcome: string }).outcome];
        }),
      );
      expect(answers).toEqual(events.map(() => [201, 'APPLIED']));
      const milestones = (await orderReport(app, order.id)).milestones.map((m) => m.id);
      expect([...milestones].sort()).toEqual(events.map((_, i) => `m${i}`).sort());
    });
  },
);
