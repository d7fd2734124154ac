import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role } from '../../src/services/auth/roles';
import { startSimulator, type Simulator } from '../../src/simulator';
import {
  ActivateOpenApiDocument,
  CreateDomainOrderDocument,
  CreateFulfillmentRequestDocument,
  DiscardOutboundRequestDocument,
  E2eFalloutsDocument,
  E2eSetSystemEnabledDocument,
  OutboundRequestChangedDocument,
  ResolveFalloutDocument,
  RetryOutboundRequestDocument,
  ReviseDomainOrderDocument,
  ReviseOutboundRequestDocument,
  type ExternalSystemInput,
} from '../__generated__/graphql';
import { code, startTestApp, type TestApp } from '../support/app';
import {
  caseOrder,
  caseRule,
  closedPort,
  collect,
  orderStates,
  orderingSystem,
  requestState,
  requestsOf,
  waitFor,
  waitForState,
} from './e2e-kit';

const RETRY_BASE_MS = 400;
const RETRY_MAX_MS = 800;
const BREAKER_THRESHOLD = 3;
const BREAKER_OPEN_MS = 500;

/**
 * What the dispatcher does when the external system misbehaves, end to end: the simulator injects
 * 503/429/400, delays and refused connections; the gateway's answer is read back over GraphQL.
 * Retries are slowed to RETRY_BASE_MS so that a RETRY_SCHEDULED request can be seen between attempts.
 */
describe('E2E: delivery failures, retries, fallout and the circuit breaker', () => {
  let app: TestApp;
  /** Submissions, retries, discards and fallout are an order desk's work, not an administrator's. */
  let operator: string;
  const sims: Simulator[] = [];

  beforeAll(async () => {
    app = await startTestApp({
      env: {
        RETRY_BASE_MS: String(RETRY_BASE_MS),
        RETRY_MAX_MS: String(RETRY_MAX_MS),
        BREAKER_FAILURE_THRESHOLD: String(BREAKER_THRESHOLD),
        BREAKER_OPEN_MS: String(BREAKER_OPEN_MS),
        DISPATCH_SWEEP_INTERVAL_MS: '50',
        // A timed-out POST the simulator delays by 2 s is in its store well before this.
        UNKNOWN_OUTCOME_SETTLE_MS: '3000',
      },
    });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    operator = app.token([Role.ORDER_FULFILLMENT_MANAGER], 'order-desk');
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all(sims.map((s) => s.close()));
  });

  /** A simulator of the test's own, so that faults and counts of one test never leak into another. */
  async function simulator() {
    const sim = await startSimulator({ stepMs: 600_000, notify: 'none' });
    sims.push(sim);
    return sim;
  }

  async function submitNew(caseName: string, children = 0) {
    const input = caseOrder(caseName, { children: Array.from({ length: children }, () => caseOrder(caseName)) });
    const order = (await app.ok(CreateDomainOrderDocument, { input }, operator)).createDomainOrder;
    const result = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id }, operator)).createFulfillmentRequest;
    return { order, requestId: result.requestId, request: result.outboundRequests[0] };
  }

  const falloutsOf = async (outboundRequestId: string, status?: 'OPEN' | 'RESOLVED') =>
    (await app.ok(E2eFalloutsDocument, { status })).fallouts.edges
      .map((e) => e.node)
      .filter((f) => f.outboundRequest.id === outboundRequestId);

  const systemInput = (system: { name: string; baseUrl: string }, changes: Partial<ExternalSystemInput>): ExternalSystemInput => ({
    name: system.name,
    api: 'SERVICE_ORDERING_TMF641',
    baseUrl: system.baseUrl,
    ...changes,
  });

  describe('transient failures are retried', () => {
    it('503 then 201: RETRY_SCHEDULED after attempt 1 (REMOTE_SERVER), then DELIVERED on attempt 2', async () => {
      const sim = await simulator();
      const system = await orderingSystem(app, sim, { maxAttempts: 5 });
      await caseRule(app, system.id, '503');
      sim.injectFault({ match: { method: 'POST', path: '/serviceOrder' }, fault: 'status=503', count: 1 });

      const { order, requestId, request } = await submitNew('503');
      const retrying = await waitForState(app, request.id, 'RETRY_SCHEDULED');
      expect(retrying).toMatchObject({
        attempts: 1,
        responseStatus: 503,
        error: { category: 'REMOTE_SERVER', httpStatus: 503, code: 'SIMULATED_FAULT', reason: 'Service Unavailable' },
      });
      expect(retrying.error!.message).toContain('Fault injected by the simulator (status 503)');
      // Backoff, not an immediate retry: attempt 1 waits at least half of RETRY_BASE_MS (equal jitter).
      expect(Date.parse(retrying.nextAttemptAt!) - Date.parse(retrying.updatedAt)).toBeGreaterThanOrEqual(RETRY_BASE_MS / 2 - 1);

      const delivered = await waitForState(app, request.id, 'DELIVERED');
      expect(delivered).toMatchObject({ attempts: 2, responseStatus: 201, error: null, nextAttemptAt: null });
      expect(sim.countFor({ externalId: requestId, method: 'POST' })).toEqual({ received: 2, created: 1, faulted: 1 });
      const stored = sim.serviceOrders({ externalId: requestId });
      expect(stored).toHaveLength(1);
      expect(await orderStates(app, order.id)).toMatchObject({
        fulfillmentState: 'PENDING',
        externalId: stored[0].id,
        externalState: 'acknowledged',
      });
      expect(await falloutsOf(request.id)).toEqual([]);
    });

    it('429 with Retry-After: 1 waits at least a second before the next attempt', async () => {
      const sim = await simulator();
      const system = await orderingSystem(app, sim, { maxAttempts: 5 });
      await caseRule(app, system.id, '429');
      sim.injectFault({ match: { method: 'POST', path: '/serviceOrder' }, fault: 'status=429;retryAfter=1', count: 1 });
      const posts = () => sim.countFor({ method: 'POST', path: '/serviceOrder' }).received;

      // A lower bound of the moment the 429 went out: the last time no POST had arrived yet.
      let before429 = Date.now();
      const { requestId, request } = await submitNew('429');
      for (;;) {
        const now = Date.now();
        if (posts() > 0) break;
        before429 = now;
        await new Promise((r) => setTimeout(r, 1));
      }

      const retrying = await waitForState(app, request.id, 'RETRY_SCHEDULED');
      expect(retrying).toMatchObject({ attempts: 1, responseStatus: 429, error: { category: 'REMOTE_SERVER', httpStatus: 429 } });
      const nextAttemptAt = Date.parse(retrying.nextAttemptAt!);
      // Without Retry-After the backoff would be at most RETRY_MAX_MS (800 ms).
      expect(nextAttemptAt - before429).toBeGreaterThanOrEqual(1000);

      await waitFor(() => posts() === 2, 'the second POST');
      const sawSecond = Date.now();
      expect(sawSecond).toBeGreaterThanOrEqual(nextAttemptAt);
      expect(await waitForState(app, request.id, 'DELIVERED')).toMatchObject({ attempts: 2 });
      expect(sim.serviceOrders({ externalId: requestId })).toHaveLength(1);
    });

    it('timeout: TIMEOUT, then the retry looks the order up, finds what the slow system created, and does not POST again', async () => {
      const sim = await simulator();
      const system = await orderingSystem(app, sim, { timeoutMs: 300, maxAttempts: 5 });
      await caseRule(app, system.id, 'timeout-found');
      sim.injectFault({ match: { method: 'POST', path: '/serviceOrder' }, fault: 'delayMs=2000', count: 1 });
      const posts = () => sim.countFor({ method: 'POST', path: '/serviceOrder' });

      const { order, requestId, request } = await submitNew('timeout-found');
      // Hold the retry back (a disabled system's requests wait) until the slow system has handled the
      // first POST, so that the retry's look-up has something to find.
      await waitFor(() => posts().received === 1, 'the first POST to arrive');
      await app.ok(E2eSetSystemEnabledDocument, { id: system.id, input: systemInput(system, { enabled: false }) });
      const timedOut = await waitForState(app, request.id, 'RETRY_SCHEDULED');
      expect(timedOut).toMatchObject({ attempts: 1, responseStatus: null, error: { category: 'TIMEOUT', httpStatus: null } });
      await waitFor(() => posts().created === 1, 'the slow system to create the order of the timed-out POST');
      const [created] = sim.serviceOrders({ externalId: requestId });

      await app.ok(E2eSetSystemEnabledDocument, { id: system.id, input: systemInput(system, { enabled: true }) });
      const delivered = await waitForState(app, request.id, 'DELIVERED');
      expect(delivered).toMatchObject({ attempts: 2, externalId: created.id, error: null });
      expect(sim.countFor({ externalId: requestId, method: 'GET' }).received).toBe(1);
      expect(sim.countFor({ externalId: requestId, method: 'POST' })).toEqual({ received: 1, created: 1, faulted: 1 });
      expect(sim.serviceOrders({ externalId: requestId }).map((o) => o.id)).toEqual([created.id]);
      expect(await orderStates(app, order.id)).toMatchObject({
        externalId: created.id,
        externalState: 'acknowledged',
        fulfillmentState: 'PENDING',
      });
    });

    // After a timed-out CREATE the next attempt waits UNKNOWN_OUTCOME_SETTLE_MS (not the 200-400 ms
    // backoff), so its look-up runs after the slow system has handled the first POST and finds it.
    it('timeout: a system still working on the timed-out POST ends up with ONE order, not two', async () => {
      const sim = await simulator();
      const system = await orderingSystem(app, sim, { timeoutMs: 300, maxAttempts: 5 });
      await caseRule(app, system.id, 'timeout-late');
      sim.injectFault({ match: { method: 'POST', path: '/serviceOrder' }, fault: 'delayMs=2000', count: 1 });

      const { requestId, request } = await submitNew('timeout-late');
      const delivered = await waitForState(app, request.id, 'DELIVERED');
      expect(delivered.attempts).toBe(2);
      expect(sim.countFor({ externalId: requestId, method: 'POST' }).received).toBe(1);
      // The retry did look the order up first...
      expect(sim.countFor({ externalId: requestId, method: 'GET' }).received).toBe(1);
      await waitFor(() => {
        const c = sim.countFor({ externalId: requestId, method: 'POST' });
        return c.created === c.received;
      }, 'every POST that reached the simulator (the delayed one included) to be handled');
      // ...and the external system holds exactly one order for this submission.
      expect(sim.serviceOrders({ externalId: requestId }).map((o) => o.id)).toEqual([delivered.externalId]);
    });
  });

  describe('permanent failures and people', () => {
    it('400: ERROR at once with the TMF Error body, one OPEN fallout, records in ERROR; resolveFallout closes it once', async () => {
      const sim = await simulator();
      const system = await orderingSystem(app, sim, { maxAttempts: 5 });
      await caseRule(app, system.id, '400');
      sim.injectFault({ match: { method: 'POST', path: '/serviceOrder' }, fault: 'status=400', count: 1 });

      const { order, requestId, request } = await submitNew('400', 1);
      const failed = await waitForState(app, request.id, 'ERROR');
      expect(failed).toMatchObject({
        attempts: 1,
        responseStatus: 400,
        nextAttemptAt: null,
        error: { category: 'REMOTE_VALIDATION', httpStatus: 400, code: 'SIMULATED_FAULT', reason: 'Bad Request' },
      });
      expect(failed.error!.message).toContain(system.name);
      expect(failed.error!.message).toContain('Fault injected by the simulator (status 400)');

      const [fallout, ...more] = await falloutsOf(request.id);
      expect(more).toEqual([]);
      expect(fallout).toMatchObject({
        category: 'REMOTE_VALIDATION',
        status: 'OPEN',
        resolution: null,
        resolvedAt: null,
        outboundRequest: { id: request.id, number: request.number, state: 'ERROR' },
      });
      expect(fallout.message).toContain(request.number);

      for (const id of [order.id, order.children[0].id]) {
        expect(await orderStates(app, id)).toMatchObject({ fulfillmentState: 'ERROR', canRequestFulfillment: true, externalId: null });
      }
      expect(sim.countFor({ externalId: requestId, method: 'POST' })).toEqual({ received: 1, created: 0, faulted: 1 });

      const resolution = 'Characteristic mapping fixed; resubmitted';
      const resolved = (await app.ok(ResolveFalloutDocument, { id: fallout.id, resolution }, operator)).resolveFallout;
      expect(resolved).toMatchObject({ id: fallout.id, status: 'RESOLVED', resolution });
      expect(Date.parse(resolved.resolvedAt!)).toBeGreaterThanOrEqual(Date.parse(fallout.createdAt));
      expect(await falloutsOf(request.id, 'OPEN')).toEqual([]);
      expect((await falloutsOf(request.id, 'RESOLVED')).map((f) => f.id)).toEqual([fallout.id]);
      expect(code(await app.gql(ResolveFalloutDocument, { id: fallout.id, resolution: 'again' }, operator))).toBe('CONFLICT');

      // ERROR allows a new submission, which goes through now that the system accepts it.
      const again = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id }, operator)).createFulfillmentRequest;
      expect(again.requestId).not.toBe(requestId);
      await waitForState(app, again.outboundRequests[0].id, 'DELIVERED');
      expect((await orderStates(app, order.children[0].id)).fulfillmentState).toBe('PENDING');
      expect(sim.countFor({ externalId: requestId, method: 'POST' }).received).toBe(1);
      // The failed request can no longer be retried: its orders went out with the new one.
      expect(code(await app.gql(RetryOutboundRequestDocument, { id: request.id }, operator))).toBe('CONFLICT');
    });

    it('connection refused until attempts run out: ERROR (CONNECTION) after maxAttempts; retry after the system is back delivers', async () => {
      const port = await closedPort();
      const deadUrl = `http://127.0.0.1:${port}/tmf-api/serviceOrdering/v4`;
      const system = await orderingSystem(app, deadUrl, { maxAttempts: 3 });
      await caseRule(app, system.id, 'refused');

      const { order, requestId, request } = await submitNew('refused');
      const failed = await waitForState(app, request.id, 'ERROR');
      expect(failed).toMatchObject({ attempts: 3, responseStatus: null, error: { category: 'CONNECTION', httpStatus: null, code: null } });
      expect(failed.error!.message).toContain('Gave up after 3 attempt(s)');
      expect(failed.error!.message).toContain('ECONNREFUSED');
      expect((await falloutsOf(request.id, 'OPEN')).map((f) => f.category)).toEqual(['CONNECTION']);
      expect((await orderStates(app, order.id)).fulfillmentState).toBe('ERROR');

      // The system comes back elsewhere; an operator points the gateway at it and retries.
      const sim = await simulator();
      await app.ok(E2eSetSystemEnabledDocument, { id: system.id, input: systemInput(system, { baseUrl: sim.serviceOrderingUrl }) });
      const requeued = (await app.ok(RetryOutboundRequestDocument, { id: request.id }, operator)).retryOutboundRequest;
      expect(requeued).toMatchObject({ state: 'QUEUED', attempts: 0, error: null, requestId, payload: request.payload });
      expect((await orderStates(app, order.id)).fulfillmentState).toBe('PENDING');

      const delivered = await waitForState(app, request.id, 'DELIVERED');
      expect(delivered.attempts).toBe(1);
      expect(sim.countFor({ externalId: requestId, method: 'POST' })).toEqual({ received: 1, created: 1, faulted: 0 });
      expect(await orderStates(app, order.id)).toMatchObject({
        fulfillmentState: 'PENDING',
        externalId: delivered.externalId,
        externalState: 'acknowledged',
      });
      // Only a request in ERROR can be retried.
      expect(code(await app.gql(RetryOutboundRequestDocument, { id: request.id }, operator))).toBe('CONFLICT');
    });

    it('a request waiting for a disabled system is discarded with a reason; its records are free again', async () => {
      const sim = await simulator();
      const system = await orderingSystem(app, sim, { maxAttempts: 5 });
      await caseRule(app, system.id, 'discard');
      sim.injectFault({ match: { method: 'POST', path: '/serviceOrder' }, fault: 'status=503' });

      const { order, requestId, request } = await submitNew('discard', 1);
      await waitForState(app, request.id, 'RETRY_SCHEDULED');
      await app.ok(E2eSetSystemEnabledDocument, { id: system.id, input: systemInput(system, { enabled: false }) });
      // A retry already under way when the system was disabled ends (503) before the request waits.
      await waitFor(async () => ['RETRY_SCHEDULED', 'QUEUED'].includes((await requestState(app, request.id)).state), 'the request waiting');
      sim.clearFaults();

      const discarded = (
        await app.ok(DiscardOutboundRequestDocument, { id: request.id, reason: 'Sent to the wrong activation system' }, operator)
      ).discardOutboundRequest;
      expect(discarded).toMatchObject({ id: request.id, state: 'DISCARDED', nextAttemptAt: null });
      for (const id of [order.id, order.children[0].id]) {
        expect(await orderStates(app, id)).toMatchObject({ fulfillmentState: 'NOT_REQUESTED', canRequestFulfillment: true });
      }
      const postsAtDiscard = sim.countFor({ externalId: requestId, method: 'POST' }).received;

      // Re-submission is allowed; once the system is enabled again only the new request is sent.
      await app.ok(E2eSetSystemEnabledDocument, { id: system.id, input: systemInput(system, { enabled: true }) });
      const again = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id }, operator)).createFulfillmentRequest;
      await waitForState(app, again.outboundRequests[0].id, 'DELIVERED');
      expect((await requestState(app, request.id)).state).toBe('DISCARDED');
      expect(sim.countFor({ externalId: requestId, method: 'POST' }).received).toBe(postsAtDiscard);
      expect(sim.serviceOrders({ externalId: requestId })).toEqual([]);
      const late = await app.gql(DiscardOutboundRequestDocument, { id: again.outboundRequests[0].id, reason: 'too late' }, operator);
      expect(code(late)).toBe('CONFLICT');
    });
  });

  it('circuit breaker: after the threshold of failures nothing but one trial per open period goes out; nothing queued fails', async () => {
    const sim = await simulator();
    const system = await orderingSystem(app, sim, { maxAttempts: 50 });
    await caseRule(app, system.id, 'breaker');
    sim.injectFault({ match: { method: 'POST', path: '/serviceOrder' }, fault: 'status=503' });
    const posts = () => sim.countFor({ method: 'POST', path: '/serviceOrder' }).received;
    const dispatcher = app.runtime.dispatcher!;

    // One request fails attempt after attempt until the breaker opens, at exactly the threshold.
    const first = await submitNew('breaker');
    await waitFor(() => dispatcher.breakerOf(system.id).status === 'OPEN', 'the breaker to open');
    const openedAt = dispatcher.breakerOf(system.id).openedAt!;
    expect(posts()).toBe(BREAKER_THRESHOLD);

    // Four more orders while it is open.
    const queued = [first];
    for (let i = 0; i < 4; i++) queued.push(await submitNew('breaker'));

    // Each trial needs a full open period after the last opening, so by time t at most
    // floor((t - openedAt) / BREAKER_OPEN_MS) trials can have gone out.
    const watchUntil = openedAt + 3 * BREAKER_OPEN_MS + 100;
    while (Date.now() < watchUntil) {
      const n = posts();
      const t = Date.now();
      expect(n).toBeLessThanOrEqual(BREAKER_THRESHOLD + Math.floor((t - openedAt) / BREAKER_OPEN_MS));
      await new Promise((r) => setTimeout(r, 5));
    }
    for (const q of queued) {
      const r = await requestState(app, q.request.id);
      expect(['QUEUED', 'RETRY_SCHEDULED', 'SENDING']).toContain(r.state);
      // Only POSTs count as attempts (a claim given back unsent does not); SENDING may be one ahead.
      const received = sim.countFor({ externalId: q.requestId, method: 'POST' }).received;
      if (r.state === 'SENDING') expect([0, 1]).toContain(r.attempts - received);
      else expect(r.attempts).toBe(received);
    }

    // The system recovers: the next trial succeeds, the breaker closes and everything is delivered, once.
    sim.clearFaults();
    for (const q of queued) {
      const delivered = await waitForState(app, q.request.id, 'DELIVERED');
      expect(sim.countFor({ externalId: q.requestId, method: 'POST' })).toMatchObject({ created: 1, received: delivered.attempts });
      expect(await falloutsOf(q.request.id)).toEqual([]);
    }
    expect(dispatcher.breakerOf(system.id).status).toBe('CLOSED');
  });
  it('outboundRequestChanged reports every state change of requests the open breaker gives back unsent', async () => {
    const sim = await simulator();
    const system = await orderingSystem(app, sim, { maxAttempts: 50 });
    await caseRule(app, system.id, 'breaker-events');
    sim.injectFault({ match: { method: 'POST', path: '/serviceOrder' }, fault: 'status=503' });
    const posts = () => sim.countFor({ method: 'POST', path: '/serviceOrder' }).received;
    const changes = await collect(app, app.wsClient(app.token([Role.VIEWER])), OutboundRequestChangedDocument, {
      externalSystemId: system.id,
    });

    const queued = [await submitNew('breaker-events')];
    await waitFor(() => app.runtime.dispatcher!.breakerOf(system.id).status === 'OPEN', 'the breaker to open');
    for (let i = 0; i < 2; i++) queued.push(await submitNew('breaker-events'));
    // The first trial claims every due request of the system, sends one and gives the others back.
    await waitFor(() => posts() > BREAKER_THRESHOLD, 'the first trial');
    sim.clearFaults();
    for (const q of queued) await waitForState(app, q.request.id, 'DELIVERED');
    const statesOf = (id: string) =>
      changes.events.filter((e) => e.outboundRequestChanged.id === id).map((e) => e.outboundRequestChanged.state);
    await waitFor(() => queued.every((q) => statesOf(q.request.id).includes('DELIVERED')), 'the DELIVERED events');

    // Every event is a change: the same state twice in a row means a change in between went unreported
    // (a front end would have shown SENDING for a request that was back in the queue).
    for (const q of queued) {
      const states = statesOf(q.request.id);
      const repeats = states.filter((state, i) => i > 0 && state === states[i - 1]);
      expect({ request: q.request.number, states, repeats }).toEqual({ request: q.request.number, states, repeats: [] });
    }
  });

  describe('answers that cannot be used as they are', () => {
    /** A TMF peer of the test's own: answers every POST with 201 and `body` after `delayMs`. */
    async function peer(body: string, delayMs = 0) {
      const server = createServer((req, res) => {
        req.resume();
        req.on('end', () =>
          setTimeout(() => {
            res.writeHead(201, { 'content-type': 'application/json' });
            res.end(body);
          }, delayMs),
        );
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      sims.push({ close: () => new Promise<void>((ok) => server.close(() => ok())) } as Simulator);
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/tmf-api/serviceOrdering/v4`;
    }

    it('a body with \\u0000 and a lone surrogate, which JSON allows and jsonb does not: DELIVERED, stored with U+FFFD', async () => {
      const system = await orderingSystem(app, await peer('{"id":"SO-\\u0000-1","state":"acknowledged","note":"\\ud800 x"}'));
      await caseRule(app, system.id, 'unstorable-body');
      const { requestId, request } = await submitNew('unstorable-body');
      await waitForState(app, request.id, 'DELIVERED');
      const [stored] = await requestsOf(app, requestId);
      expect(stored).toMatchObject({
        externalId: 'SO-\uFFFD-1',
        responseBody: { id: 'SO-\uFFFD-1', state: 'acknowledged', note: '\uFFFD x' },
      });
    });

    it('an order accepted without an id cannot be revised: a revision asked for later is refused, one queued before ends in ERROR', async () => {
      const system = await orderingSystem(app, await peer('{"state":"acknowledged"}', 500));
      await caseRule(app, system.id, 'no-id');
      const { order, request } = await submitNew('no-id');
      await waitForState(app, request.id, 'SENDING');
      const revise = () =>
        app.ok(
          ReviseDomainOrderDocument,
          {
            id: order.id,
            input: {
              characteristics: [
                { name: 'e2eCase', value: 'no-id' },
                { name: 'n', value: '1' },
              ],
            },
          },
          operator,
        );
      await revise();
      const [queued] = (await app.ok(ReviseOutboundRequestDocument, { domainOrderId: order.id }, operator)).reviseOutboundRequest
        .outboundRequests;
      expect(queued).toMatchObject({ operation: 'REVISE', path: '', state: 'QUEUED' });

      expect(await waitForState(app, request.id, 'DELIVERED')).toMatchObject({ externalId: null });
      const failed = await waitForState(app, queued.id, 'ERROR');
      expect(failed.error).toMatchObject({
        category: 'REMOTE_BUSINESS',
        message: expect.stringContaining(`${request.number} of the same record was accepted without an id`),
      });
      expect(await falloutsOf(queued.id, 'OPEN')).toHaveLength(1);

      await revise();
      const refused = await app.gql(ReviseOutboundRequestDocument, { domainOrderId: order.id }, operator);
      expect(code(refused)).toBe('FULFILLMENT_NOT_ALLOWED');
      expect(refused.errors?.[0].message).toMatch(/without an id .*there is no external resource to change/);
    });
  });
});
