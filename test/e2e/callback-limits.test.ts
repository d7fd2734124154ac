import { connect, type Socket } from 'node:net';
import { loadConfig } from '../../src/config';
import { ActivateOpenApiDocument } from '../__generated__/graphql';
import { unique } from '../graphql/factories';
import { startTestApp, type TestApp } from '../support/app';
import { orderingSystem, waitFor } from './e2e-kit';
import { callback, inboundMessages } from './inbound-kit';
import { StatementLog } from '../support/statement-log';

/** A raw connection to the gateway: what it is sent, what came back, and whether the gateway closed it. */
function rawConnection(url: string) {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  const state = { received: '', closed: false };
  socket.on('data', (d: Buffer) => (state.received += d.toString('utf8')));
  socket.on('close', () => (state.closed = true));
  socket.on('error', () => undefined);
  return { socket, state };
}

const RATE = 2;
const BURST = 4;

/**
 * Callbacks under load and abuse: a token bucket per system (429 with Retry-After, nothing stored, the
 * other systems untouched), bodies that never finish, connections that never finish their headers, and
 * callers that are not a system answered with the same work as a wrong token.
 */
describe('E2E: callback rate, timeouts and constant-time refusals', () => {
  let app: TestApp;
  const lookups = new StatementLog(false, (sql) => sql.includes('external_system'));

  beforeAll(async () => {
    app = await startTestApp({
      sqlLogger: lookups,
      env: {
        CALLBACK_RATE: String(RATE),
        CALLBACK_BURST: String(BURST),
        CALLBACK_BODY_TIMEOUT_MS: '300',
        HTTP_HEADERS_TIMEOUT_MS: '500',
        HTTP_REQUEST_TIMEOUT_MS: '5000',
        DISPATCH_ENABLED: 'false',
      },
    });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
  });
  afterAll(() => app?.close());

  async function callingSystem() {
    const token = unique('callback-token-').replace(/\s/g, '-').padEnd(24, 'x');
    const system = await orderingSystem(app, 'http://127.0.0.1:1/tmf-api/serviceOrdering/v4', { inboundToken: token });
    return { id: system.id, token };
  }
  /** A callback the gateway stores as REJECTED (an empty event): what matters here is whether it is let in. */
  const send = (s: { id: string; token: string }) => callback(app, `${s.id}/listener/serviceOrderStateChangeEvent`, {}, { token: s.token });

  it('a flooding system gets 429 with Retry-After and a TMF Error past its burst, stored nothing; another system is let in', async () => {
    const flooding = await callingSystem();
    const other = await callingSystem();
    const answers = await Promise.all(Array.from({ length: 12 }, () => send(flooding)));
    const limited = answers.filter((a) => a.status === 429);
    const admitted = answers.filter((a) => a.status !== 429);
    // The burst at least is admitted; refill during the flood may add one or two.
    expect(admitted.length).toBeGreaterThanOrEqual(BURST);
    expect(limited.length).toBeGreaterThanOrEqual(12 - BURST - 3);
    for (const a of limited) {
      expect(a.body).toEqual({
        code: 'TOO_MANY_REQUESTS',
        reason: 'Too many requests',
        message: expect.stringContaining('per second'),
        status: '429',
      });
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect((await inboundMessages(app, { externalSystemId: flooding.id })).totalCount).toBe(admitted.length);
    const others = await Promise.all(Array.from({ length: BURST }, () => send(other)));
    expect(others.map((a) => a.status)).not.toContain(429);
    expect((await inboundMessages(app, { externalSystemId: other.id })).totalCount).toBe(BURST);
  });

  it('a body that stops arriving is answered 408 with a TMF Error and the connection closed', async () => {
    const system = await callingSystem();
    const { socket, state } = rawConnection(app.url);
    socket.write(
      `POST /callbacks/${system.id}/listener/serviceOrderStateChangeEvent HTTP/1.1\r\nHost: gw\r\n` +
        `Authorization: Bearer ${system.token}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"eventId":`,
    );
    await waitFor(() => state.closed, 'the gateway to close the connection');
    expect(state.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(state.received.slice(state.received.indexOf('\r\n\r\n') + 4))).toMatchObject({
      code: 'REQUEST_TIMEOUT',
      status: '408',
    });
    expect((await inboundMessages(app, { externalSystemId: system.id })).totalCount).toBe(0);
  });

  it('a caller with a wrong token is answered 401 at once, before its body is read', async () => {
    const system = await callingSystem();
    const { socket, state } = rawConnection(app.url);
    socket.write(
      `POST /callbacks/${system.id}/listener/serviceOrderStateChangeEvent HTTP/1.1\r\nHost: gw\r\n` +
        `Authorization: Bearer not-the-token-at-all\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{`,
    );
    await waitFor(() => state.received.includes('\r\n\r\n'), 'an answer');
    expect(state.received).toMatch(/^HTTP\/1\.1 401 /);
    socket.destroy();
  });

  it('a connection that never finishes its headers (slow loris) is cut', async () => {
    const { socket, state } = rawConnection(app.url);
    socket.write('GET /healthz HTTP/1.1\r\nHost: gw\r\nX-Slow: ');
    // One more byte now and then, as a slow-loris client sends, never the end of the headers.
    const drip = setInterval(() => socket.writable && socket.write('a'), 100);
    try {
      await waitFor(() => state.closed, 'the gateway to cut the connection');
    } finally {
      clearInterval(drip);
    }
    expect(state.received === '' || state.received.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('an unknown system, an id that is not one and a wrong token cost the same look-up', async () => {
    const system = await callingSystem();
    const statementsOf = async (path: string, token: string) => {
      lookups.statements = [];
      lookups.counting = true;
      const res = await callback(app, path, {}, { token });
      lookups.counting = false;
      return { status: res.status, statements: lookups.statements.map((s) => s.replace(/\s+/g, ' ')) };
    };
    const unknown = await statementsOf(`0b0e1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b/listener/x`, system.token);
    const notAnId = await statementsOf(`not-a-uuid/listener/x`, system.token);
    const wrongToken = await statementsOf(`${system.id}/listener/x`, 'not-the-token-at-all-xx');
    expect([unknown.status, notAnId.status, wrongToken.status]).toEqual([404, 404, 401]);
    expect(unknown.statements).toHaveLength(1);
    expect(notAnId.statements).toEqual(unknown.statements);
    expect(wrongToken.statements).toEqual(unknown.statements);
  });
});

describe('HTTP and callback settings', () => {
  it('have safe defaults: 1000 callbacks/s per system with a burst of twice that, 10 s for headers and for a callback body', () => {
    expect(loadConfig({}).http).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      callbackRate: 1000,
      callbackBurst: 2000,
      callbackBodyTimeoutMs: 10_000,
      metricsToken: null,
    });
    expect(loadConfig({ CALLBACK_RATE: '50' }).http.callbackBurst).toBe(100);
  });

  it('are refused when they cannot work, every problem named', () => {
    expect(() =>
      loadConfig({ CALLBACK_RATE: '0', HTTP_HEADERS_TIMEOUT_MS: '90000', HTTP_REQUEST_TIMEOUT_MS: '60000', METRICS_TOKEN: 'short' }),
    ).toThrow(
      /CALLBACK_RATE must be a whole number[\s\S]*HTTP_HEADERS_TIMEOUT_MS must not be above HTTP_REQUEST_TIMEOUT_MS[\s\S]*METRICS_TOKEN must be at least 16 characters/,
    );
  });
});
