import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import jwt from 'jsonwebtoken';
import {
  ActivateOpenApiDocument,
  CreateFulfillmentRequestDocument,
  FulfillmentChangesOfOrderDocument,
  type FulfillmentChangesOfOrderSubscription,
  type FulfillmentChangesOfOrderSubscriptionVariables,
} from '../__generated__/graphql';
import { Role } from '../../src/services/auth/roles';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app';
import { eventBrokers } from '../support/database';
import { StatementLog } from '../support/statement-log';
import { createOrder, createRule, createSystem } from './factories';

type Message = {
  data?: FulfillmentChangesOfOrderSubscription | null;
  errors?: readonly { message: string; extensions?: { code?: string } }[];
};

/** A subscriber on a connection of its own: every message it gets, and whether the server has registered it. */
interface Subscriber {
  messages: Message[];
  until(n: number): Promise<Message[]>;
}

/**
 * Many subscribers of one operation: the event is executed once for each distinct operation, variables
 * and roles among those it reaches, and every subscriber gets the answer to its own operation.
 */
describe.each(eventBrokers('subscription-fanout.test.ts'))('subscription fan-out over the $name broker', ({ env }) => {
  // The selection's outboundRequest is read through the loaders: one read of outbound_request rows by id
  // for every execution of the selection (the submission writes the row and never reads it back).
  const log = new StatementLog(true, (sql) => sql.includes('JOIN outbound_request t ON t.id = p.row_id'));
  let app: TestApp;
  let systemId: string;

  beforeAll(async () => {
    app = await startTestApp({ sqlLogger: log, env: { DISPATCH_ENABLED: 'false', ...env } });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    systemId = (await createSystem(app)).id;
    await createRule(app, systemId);
  });
  afterAll(() => app.close());

  async function subscribe(token: string, variables: FulfillmentChangesOfOrderSubscriptionVariables): Promise<Subscriber> {
    const client: Client = app.wsClient(token);
    const messages: Message[] = [];
    let wake = () => undefined as void;
    const before = app.runtime.services.eventBus.subscriberCount;
    client.subscribe<FulfillmentChangesOfOrderSubscription>(
      { query: print(FulfillmentChangesOfOrderDocument), variables },
      {
        next: (msg) => {
          messages.push(msg);
          wake();
        },
        error: (err) => {
          messages.push({ errors: [{ message: JSON.stringify(err) }] });
          wake();
        },
        complete: () => undefined,
      },
    );
    const deadline = Date.now() + 5000;
    while (app.runtime.services.eventBus.subscriberCount <= before && messages.length === 0) {
      if (Date.now() > deadline) throw new Error('the subscription was not registered');
      await new Promise((r) => setTimeout(r, 10));
    }
    return {
      messages,
      until: (n) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`expected ${n} messages, got ${JSON.stringify(messages)}`)), 5000);
          wake = () => {
            if (messages.length < n) return;
            clearTimeout(timer);
            resolve(messages.slice(0, n));
          };
          wake();
        }),
    };
  }

  it('executes the selection once per operation, variables and roles, and each subscriber gets its own answer', async () => {
    const order = await createOrder(app);
    const other = await createOrder(app);
    const viewers: Subscriber[] = [];
    for (const n of [1, 2, 3, 4, 5]) viewers.push(await subscribe(app.token([Role.VIEWER], `viewer-${n}`), { withRequest: true }));
    const withoutRequest = await subscribe(app.token([Role.VIEWER], 'viewer-6'), { withRequest: false });
    const ofOrder = await subscribe(app.token([Role.VIEWER], 'viewer-7'), { withRequest: true, domainOrderId: order.id });
    const ofOther = await subscribe(app.token([Role.VIEWER], 'viewer-8'), { withRequest: true, domainOrderId: other.id });
    const admin = await subscribe(app.token([Role.ADMIN], 'admin-1'), { withRequest: true });
    const guest = await subscribe(jwt.sign({ roles: ['GUEST'] }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' }), {
      withRequest: true,
    });

    log.statements = [];
    const [request] = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest
      .outboundRequests;
    const change = { subjectId: order.id, number: order.number, state: 'PENDING' };
    const withIt = { fulfillmentStateChanged: { ...change, outboundRequest: { id: request.id, number: request.number, state: 'QUEUED' } } };

    for (const s of [...viewers, ofOrder, admin]) expect(await s.until(1)).toEqual([{ data: withIt }]);
    expect(await withoutRequest.until(1)).toEqual([{ data: { fulfillmentStateChanged: change } }]);
    // Five viewers of the same operation, one execution between them; the filtered one, the one without
    // the request and the admin have theirs (the one without reads no request): three reads, not seven.
    expect(log.statements).toHaveLength(3);
    expect(ofOther.messages).toEqual([]);
    expect(guest.messages.map((m) => m.errors?.map((e) => e.extensions?.code))).toEqual([['FORBIDDEN']]);
  });
});
