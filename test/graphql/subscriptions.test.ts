import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import jwt from 'jsonwebtoken';
import {
  CancelDomainOrderDocument,
  CancelTestRunDocument,
  CreateDomainOrderDocument,
  CreateTestRunDocument,
  DomainOrderDocument,
  FulfillmentStateChangedDocument,
  type FulfillmentStateChangedSubscription,
  type FulfillmentStateChangedSubscriptionVariables,
} from '../__generated__/graphql';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Role } from '../../src/services/auth/roles';
import { DecisionSubject } from '../../src/entities/enums';
import { routingKey, TOPICS } from '../../src/services/events/fulfillment.events';
import { code, startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app';
import { usingPostgres } from '../support/database';
import { createOrder, createOrderTree, createRun, createSpec, orderInput, runInput } from './factories';

type Change = FulfillmentStateChangedSubscription['fulfillmentStateChanged'];

interface Subscription {
  events: Change[];
  errors: unknown[];
  /** Resolves with the first `n` events once they have arrived. */
  take(n: number, timeoutMs?: number): Promise<Change[]>;
  stop(): void;
}

describe('Subscriptions over graphql-ws', () => {
  let app: TestApp;
  let client: Client;
  beforeAll(async () => {
    app = await startTestApp({ env: { DISPATCH_ENABLED: 'false' } });
    client = app.wsClient(app.token([Role.VIEWER]));
  });
  afterAll(() => app.close());

  /** Subscribes and waits until the server has registered the subscription. */
  async function subscribe(variables: FulfillmentStateChangedSubscriptionVariables, on: Client = client): Promise<Subscription> {
    const events: Change[] = [];
    const errors: unknown[] = [];
    let wake = () => undefined as void;
    const before = app.runtime.services.eventBus.subscriberCount;
    const stop = on.subscribe<FulfillmentStateChangedSubscription>(
      { query: print(FulfillmentStateChangedDocument), variables: variables },
      {
        next: (msg) => {
          if (msg.errors) errors.push(...msg.errors);
          if (msg.data) events.push(msg.data.fulfillmentStateChanged);
          wake();
        },
        error: (err) => {
          errors.push(err);
          wake();
        },
        complete: () => undefined,
      },
    );
    const deadline = Date.now() + 5000;
    while (app.runtime.services.eventBus.subscriberCount <= before) {
      if (Date.now() > deadline) throw new Error(`subscription was not registered; errors: ${JSON.stringify(errors)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return {
      events,
      errors,
      stop,
      take: (n, timeoutMs = 5000) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`expected ${n} events, got ${JSON.stringify(events)}`)), timeoutMs);
          wake = () => {
            if (events.length >= n) {
              clearTimeout(timer);
              resolve(events.slice(0, n));
            }
          };
          wake();
        }),
    };
  }

  it('receives the CANCELED change of every order of a cancelled tree; a filter by id gets only that order', async () => {
    const root = await createOrderTree(app, 1, 2);
    const everything = await subscribe({});
    const onlyChild = await subscribe({ domainOrderId: root.children[1].id });
    const treeIds = [root.id, ...root.children.map((c) => c.id)];
    const numbers = new Map([[root.id, root.number], ...root.children.map((c) => [c.id, c.number] as const)]);

    await app.ok(CancelDomainOrderDocument, { id: root.id, reason: 'withdrawn' });

    const changes = await everything.take(3);
    expect(changes.map((c) => c.subjectId).sort()).toEqual([...treeIds].sort());
    for (const change of changes) {
      expect(change).toEqual({
        subject: 'DOMAIN_ORDER',
        subjectId: change.subjectId,
        number: numbers.get(change.subjectId),
        requestId: null,
        previousState: 'NOT_REQUESTED',
        state: 'CANCELED',
        externalState: null,
        occurredAt: expect.any(String),
        outboundRequest: null,
      });
      expect(Math.abs(Date.parse(change.occurredAt) - Date.now())).toBeLessThan(60_000);
    }
    const [own] = await onlyChild.take(1);
    expect(own.subjectId).toBe(root.children[1].id);

    // Nothing else arrives for the filtered subscription: the next event it sees is its own order's.
    const other = await createOrder(app);
    const onlyOther = await subscribe({ domainOrderId: other.id });
    await app.ok(CancelDomainOrderDocument, { id: other.id });
    expect((await onlyOther.take(1))[0].subjectId).toBe(other.id);
    await everything.take(4);
    expect(onlyChild.events).toHaveLength(1);
    for (const s of [everything, onlyChild, onlyOther]) {
      expect(s.errors).toEqual([]);
      s.stop();
    }
  });

  it('a filter by testRunId gets only that run; a run event does not reach a domain order filter with the same id', async () => {
    const spec = await createSpec(app);
    const root = (await app.ok(CreateTestRunDocument, { input: runInput(spec.id, { children: [runInput(spec.id), runInput(spec.id)] }) }))
      .createTestRun;
    const onlyRun = await subscribe({ testRunId: root.children[0].id });
    const wrongSubject = await subscribe({ domainOrderId: root.children[0].id });
    const all = await subscribe({});

    await app.ok(CancelTestRunDocument, { id: root.id });

    const [own] = await onlyRun.take(1);
    expect(own).toMatchObject({ subject: 'TEST_RUN', subjectId: root.children[0].id, number: root.children[0].number, state: 'CANCELED' });
    const changes = await all.take(3);
    expect(changes.every((c) => c.subject === 'TEST_RUN' && c.state === 'CANCELED')).toBe(true);

    const sentinel = await createRun(app, spec.id);
    const onlySentinel = await subscribe({ testRunId: sentinel.id });
    await app.ok(CancelTestRunDocument, { id: sentinel.id });
    await onlySentinel.take(1);
    await all.take(4);
    expect(onlyRun.events).toHaveLength(1);
    expect(wrongSubject.events).toEqual([]);
    for (const s of [onlyRun, wrongSubject, all, onlySentinel]) s.stop();
  });

  it('an event arrives only after its change is committed, and a failed cancel publishes nothing', async () => {
    const canceled = await createOrder(app);
    await app.ok(CancelDomainOrderDocument, { id: canceled.id });
    const atPonr = (await app.ok(CreateDomainOrderDocument, { input: orderInput({ children: [orderInput({ pointOfNoReturn: true })] }) }))
      .createDomainOrder;
    const all = await subscribe({});

    expect(code(await app.gql(CancelDomainOrderDocument, { id: canceled.id }))).toBe('CONFLICT');
    expect(code(await app.gql(CancelDomainOrderDocument, { id: atPonr.id }))).toBe('POINT_OF_NO_RETURN');

    const sentinel = await createOrder(app);
    let stateWhenNotified: string | undefined;
    const seen = all.take(1).then(async ([first]) => {
      // Read through another connection the moment the event arrives: the change must be visible.
      stateWhenNotified = (await app.ok(DomainOrderDocument, { id: first.subjectId })).domainOrder?.state;
      return first;
    });
    await app.ok(CancelDomainOrderDocument, { id: sentinel.id });
    const first = await seen;
    expect(first.subjectId).toBe(sentinel.id);
    expect(stateWhenNotified).toBe('CANCELED');
    expect(all.events.map((e) => e.subjectId)).toEqual([sentinel.id]);
    all.stop();
  });

  // On PostgreSQL the order is not the gateway's to keep: its NOTIFY can reach the instance before the COMMIT's reply.
  (usingPostgres ? it.skip : it)(
    'the answer to the request that made a change is written before a subscriber hears of it (embedded database)',
    async () => {
      const order = await createOrder(app);
      const happened: string[] = [];
      // The gateway's own HTTP server: note the moment the mutation's answer is written.
      const noteAnswer = (req: IncomingMessage, res: ServerResponse) => {
        if (req.method !== 'POST' || req.url !== '/graphql') return;
        const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
        res.end = ((...args: unknown[]) => {
          happened.push('answer written');
          return end(...args);
        }) as ServerResponse['end'];
      };
      app.runtime.app.server.on('request', noteAnswer);
      const changes = app.runtime.services.eventBus.subscribe(
        routingKey(TOPICS.FULFILLMENT_STATE_CHANGED, DecisionSubject.DOMAIN_ORDER, order.id),
      );
      const heard = changes.next().then(() => happened.push('subscriber heard'));
      try {
        await app.ok(CancelDomainOrderDocument, { id: order.id });
        await heard;
        expect(happened).toEqual(['answer written', 'subscriber heard']);
      } finally {
        app.runtime.app.server.off('request', noteAnswer);
        await changes.return!();
      }
    },
  );
  if (usingPostgres)
    process.stdout.write("SKIPPED one test of subscriptions.test.ts: the answer-before-subscribers order is the embedded bus's\n");

  describe('connections that fail to authenticate are closed with 4403', () => {
    const closeCode = (c: Client) => new Promise<number>((resolve) => c.on('closed', (event) => resolve((event as { code: number }).code)));

    it.each([
      ['without a token', () => null],
      [
        'with a token signed by someone else',
        () => jwt.sign({ roles: ['ADMIN'] }, 'someone-elses-secret-someone-else', { algorithm: 'HS256' }),
      ],
      [
        'with an expired token',
        () => jwt.sign({ roles: ['ADMIN'], exp: Math.floor(Date.now() / 1000) - 10 }, TEST_JWT_SECRET, { algorithm: 'HS256' }),
      ],
      ['with garbage', () => 'garbage'],
    ])('%s', async (_what, token) => {
      const c = app.wsClient(token());
      expect(await closeCode(c)).toBe(4403);
    });

    it('a valid token still connects (the check above can fail)', async () => {
      const c = app.wsClient(app.token([Role.TEST_MANAGER]));
      const connected = new Promise<boolean>((resolve) => {
        c.on('connected', () => resolve(true));
        c.on('closed', () => resolve(false));
      });
      expect(await connected).toBe(true);
    });
  });

  it('a token without a known role may not subscribe (FORBIDDEN)', async () => {
    const c = app.wsClient(jwt.sign({ roles: ['GUEST'] }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' }));
    const errors = await new Promise<unknown>((resolve) => {
      c.subscribe(
        { query: print(FulfillmentStateChangedDocument) },
        { next: (m) => resolve(m.errors), error: resolve, complete: () => resolve('complete') },
      );
    });
    expect(Array.isArray(errors)).toBe(true);
    const [first] = errors as { message: string; extensions?: { code?: string } }[];
    expect(first.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(errors)).not.toContain('stacktrace');
  });
});
