import pino from 'pino';
import { Role } from '../../src/services/auth/roles';
import { readinessReasons } from '../../src/runtime';
import { startSimulator, type Simulator } from '../../src/simulator';
import { ActivateOpenApiDocument, CreateDomainOrderDocument, CreateFulfillmentRequestDocument } from '../__generated__/graphql';
import { startTestApp, type TestApp } from '../support/app';
import { openTestDatabase } from '../support/database';
import { caseOrder, caseRule, orderingSystem, waitFor, waitForState } from './e2e-kit';
import { callback, orderEvent } from './inbound-kit';

const METRICS_TOKEN = 'metrics-token-for-the-scraper';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text exposition as samples. */
function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)!;
      const labels: Record<string, string> = {};
      for (const [, k, v] of (m[2] ?? '').matchAll(/([A-Za-z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
      return { name: m[1], labels, value: Number(m[3]) };
    });
}

/** The value of the one sample with this name and (at least) these labels; undefined when there is none. */
function value(all: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return all.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/**
 * What an operator sees: /metrics after a send, a retry and a fallout; request ids and the log lines
 * about requests, ERRORs and fallouts; /readyz reasons.
 */
describe('E2E: metrics, logs and readiness', () => {
  let app: TestApp;
  let sim: Simulator;
  const logs: Record<string, unknown>[] = [];
  let systemName: string;
  let failedNumber: string;
  let delivered: { systemId: string; externalId: string };

  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 600_000, notify: 'none' });
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
    app = await startTestApp({
      logger,
      env: { METRICS_TOKEN, RETRY_BASE_MS: '50', RETRY_MAX_MS: '100', DISPATCH_SWEEP_INTERVAL_MS: '50' },
    });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  const scrape = async (token: string | null = METRICS_TOKEN) =>
    fetch(`${app.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  async function submit(caseName: string) {
    const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder(caseName) })).createDomainOrder;
    return (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest.outboundRequests[0];
  }

  it('/metrics after a send, a retry and a fallout shows each of them, and the gauges read from the database', async () => {
    const system = await orderingSystem(app, sim, { maxAttempts: 3, inboundToken: 'operations-inbound-token-x' });
    await caseRule(app, system.id, 'ops');
    const sent = await submit('ops');
    const { externalId } = await waitForState(app, sent.id, 'DELIVERED');
    delivered = { systemId: system.id, externalId: externalId! };
    sim.injectFault({ match: { method: 'POST', path: '/serviceOrder' }, fault: 'status=503', count: 1 });
    const retried = await submit('ops');
    await waitForState(app, retried.id, 'DELIVERED');
    sim.injectFault({ match: { method: 'POST', path: '/serviceOrder' }, fault: 'status=400', count: 1 });
    const failed = await submit('ops');
    await waitForState(app, failed.id, 'ERROR');
    [systemName, failedNumber] = [system.name, failed.number];
    expect(
      (await callback(app, `${system.id}/listener/serviceOrderStateChangeEvent`, {}, { token: 'operations-inbound-token-x' })).status,
    ).toBe(400);
    const ws = app.wsClient(app.token([Role.VIEWER]));
    await new Promise<void>((ok) => ws.on('connected', () => ok()));
    const refused = await new Promise<unknown>((settle) =>
      ws.subscribe(
        { query: 'subscription Deep { nope }', operationName: 'Deep' },
        { next: () => undefined, error: settle, complete: () => settle(null) },
      ),
    );
    expect(refused).toBeTruthy();

    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const all = samples(await res.text());
    const s = { system: system.name };
    const count = 'southgate_outbound_send_duration_seconds_count';
    expect([
      value(all, count, { ...s, outcome: 'delivered' }),
      value(all, count, { ...s, outcome: 'transient' }),
      value(all, count, { ...s, outcome: 'permanent' }),
    ]).toEqual([2, 1, 1]);
    expect(value(all, 'southgate_outbound_retries_total', s)).toBe(1);
    expect(value(all, 'southgate_outbound_errors_total', { ...s, category: 'REMOTE_VALIDATION' })).toBe(1);
    expect(value(all, 'southgate_fallouts_opened_total', { category: 'REMOTE_VALIDATION', source: 'OUTBOUND' })).toBe(1);
    expect(value(all, 'southgate_fallouts_open', { category: 'REMOTE_VALIDATION' })).toBe(1);
    expect(value(all, 'southgate_breaker_state', s)).toBe(0);
    expect(value(all, 'southgate_outbound_queue_depth')).toBe(0);
    expect(value(all, 'southgate_outbound_queue_oldest_seconds')).toBe(0);
    expect(value(all, 'southgate_outbound_requests', s)).toBeUndefined();
    expect(value(all, 'southgate_inbound_messages_total', { channel: 'EVENT', outcome: 'REJECTED' })).toBe(1);
    expect(value(all, 'southgate_graphql_operation_duration_seconds_count', { operation: 'CreateDomainOrder', outcome: 'ok' })).toBe(3);
    expect(value(all, 'southgate_graphql_ws_connections')).toBe(1);
    expect(value(all, 'southgate_graphql_subscriptions_total', { operation: 'Deep', outcome: 'BAD_USER_INPUT' })).toBe(1);
    expect(value(all, 'southgate_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(value(all, 'southgate_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    await ws.dispose();
  });

  it('/metrics without METRICS_TOKEN, or with another, is 401', async () => {
    expect((await scrape(null)).status).toBe(401);
    const wrong = await scrape('not-the-metrics-token');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('work waiting to be sent shows as queue depth, oldest age and requests by state', async () => {
    await app.runtime.dispatcher!.stop();
    const queued = await submit('ops');
    const all = samples(await (await scrape()).text());
    app.runtime.dispatcher!.start();
    expect(value(all, 'southgate_outbound_queue_depth')).toBe(1);
    expect(value(all, 'southgate_outbound_queue_oldest_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(all, 'southgate_outbound_requests', { system: systemName, state: 'QUEUED' })).toBe(1);
    await waitForState(app, queued.id, 'DELIVERED');
  });

  it('every request is logged with a request id, returned as x-request-id; a sane incoming one is kept', async () => {
    const kept = await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': 'lb-7f3a.42' } });
    const replaced = await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': 'no spaces <allowed>' } });
    const generated = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(kept.headers.get('x-request-id')).toBe('lb-7f3a.42');
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const id = generated.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = await waitFor(() => logs.find((l) => l.reqId === id && l.msg === 'request'), 'the request log line');
    expect(line).toMatchObject({ level: 30, method: 'POST', path: '/graphql', status: 401 });
    expect(logs.find((l) => l.reqId === 'lb-7f3a.42' && l.msg === 'request')).toMatchObject({ level: 20, path: '/healthz', status: 200 });
  });

  it("a callback's request line names its system, the inbound message stored and its outcome", async () => {
    const event = orderEvent('ServiceOrderStateChangeEvent', { id: delivered.externalId, state: 'inProgress' });
    const res = await fetch(`${app.url}/callbacks/${delivered.systemId}/listener/serviceOrderStateChangeEvent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer operations-inbound-token-x' },
      body: JSON.stringify(event),
    });
    const answer = (await res.json()) as { id: string; outcome: string };
    expect([res.status, answer.outcome]).toEqual([201, 'APPLIED']);
    const reqId = res.headers.get('x-request-id');
    const line = await waitFor(() => logs.find((l) => l.reqId === reqId && l.msg === 'request'), 'the callback request line');
    expect(line).toMatchObject({ status: 201, system: systemName, inboundMessage: answer.id, outcome: 'APPLIED' });
  });

  it('an ERROR and a fallout are warnings naming the outbound request', () => {
    const error = logs.find((l) => l.msg === 'outbound request ended in ERROR');
    expect(error).toMatchObject({ level: 40, category: 'REMOTE_VALIDATION', outboundRequest: failedNumber, system: systemName });
    expect(logs.find((l) => l.msg === 'fallout opened')).toMatchObject({ level: 40, category: 'REMOTE_VALIDATION' });
  });

  it('/readyz is 503 with the reason while the dispatcher is stopped, or migrations are pending; 200 again after', async () => {
    const ready = async () => {
      const res = await fetch(`${app.url}/readyz`);
      return { status: res.status, body: await res.json() };
    };
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready' } });
    await app.runtime.dispatcher!.stop();
    expect(await ready()).toEqual({
      status: 503,
      body: { status: 'unavailable', reasons: ['The dispatcher of this instance has stopped'] },
    });
    app.runtime.dispatcher!.start();
    const ds = app.db.dataSource;
    const [last] = await ds.query<{ id: number; timestamp: string; name: string }[]>('SELECT * FROM migrations ORDER BY id DESC LIMIT 1');
    await ds.query('DELETE FROM migrations WHERE id = $1', [last.id]);
    try {
      expect(await ready()).toEqual({ status: 503, body: { status: 'unavailable', reasons: ['Database migrations are pending'] } });
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    } finally {
      await ds.query('INSERT INTO migrations (id, timestamp, name) VALUES ($1, $2, $3)', [last.id, last.timestamp, last.name]);
    }
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('a database that does not answer is a reason too', async () => {
    const db = await openTestDatabase();
    await db.close();
    expect(await readinessReasons(db.dataSource, null)).toEqual(['The database does not answer']);
  });
});
