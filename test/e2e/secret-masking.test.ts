import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role } from '../../src/services/auth/roles';
import {
  ActivateOpenApiDocument,
  CreateDomainOrderDocument,
  CreateExternalSystemDocument,
  CreateFulfillmentRequestDocument,
  E2eFalloutsDocument,
  E2eOutboundRequestsOfDocument,
  InboundMessagesDocument,
  type ExternalSystemInput,
} from '../__generated__/graphql';
import { unique } from '../graphql/factories';
import { code, startTestApp, type TestApp } from '../support/app';
import { caseOrder, caseRule, orderingSystem, waitForState } from './e2e-kit';
import { callback } from './inbound-kit';

const PASSWORD = 'pa55-Word-of-the-peer';
const TOKEN = 'static-Bearer-t0ken-9f8e7d';
const CLIENT_SECRET = 'client-Secret-c0ffee-42';
const ACCESS_TOKEN = 'issued-Access-t0ken-5150';
const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** Every way a secret could be spelled in what a VIEWER reads back. */
const FORBIDDEN = [
  PASSWORD,
  TOKEN,
  CLIENT_SECRET,
  ACCESS_TOKEN,
  basic('gateway', PASSWORD),
  basic('southgate-client', CLIENT_SECRET),
  encodeURIComponent(CLIENT_SECRET),
];

/**
 * A peer that echoes the request, headers and body, in its error answers, as some gateways and
 * frameworks do: what the gateway stores of the answer (OutboundRequest.error, responseBody, the
 * fallout) is readable by any VIEWER and must hold none of the system's secrets.
 */
describe('E2E: an echoing peer never gets a secret stored', () => {
  let app: TestApp;
  let viewer: string;
  const servers: { close(cb: () => void): void }[] = [];

  beforeAll(async () => {
    app = await startTestApp({ env: { RETRY_BASE_MS: '20', RETRY_MAX_MS: '40', DISPATCH_SWEEP_INTERVAL_MS: '50' } });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    viewer = app.token([Role.VIEWER], 'viewer');
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all(servers.map((s) => new Promise<void>((ok) => s.close(() => ok()))));
  });

  async function peer(handler: Handler): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const echo = (req: IncomingMessage, body: string) => ({ method: req.method, url: req.url, headers: req.headers, body });
  const rawHeaders = (req: IncomingMessage) => req.rawHeaders.reduce((s, v, i) => s + (i % 2 ? `${v}\r\n` : `${v}: `), '');

  /** Submits one order to the system and returns what a VIEWER reads of its request and fallouts once it is in ERROR. */
  async function failedAs(system: { id: string }, caseName: string) {
    await caseRule(app, system.id, caseName);
    const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder(caseName) })).createDomainOrder;
    const { requestId, outboundRequests } = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id }))
      .createFulfillmentRequest;
    await waitForState(app, outboundRequests[0].id, 'ERROR');
    const requests = await app.gql(E2eOutboundRequestsOfDocument, { filter: { requestId }, first: 10 }, viewer);
    const fallouts = await app.gql(E2eFalloutsDocument, { status: 'OPEN' }, viewer);
    const request = requests.data!.outboundRequests.edges[0].node;
    const fallout = fallouts.data!.fallouts.edges.map((e) => e.node).find((f) => f.outboundRequest.id === request.id);
    return { request, fallout, text: JSON.stringify({ request, fallout }) };
  }

  function expectNoSecret(text: string) {
    for (const secret of FORBIDDEN) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  }

  it('basic auth: a 400 echoing the Authorization header and the body is stored masked, fallout included', async () => {
    const url = await peer((req, body, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'ECHO', reason: `Bad request; you sent ${rawHeaders(req)}`, message: body, echo: echo(req, body) }));
    });
    const system = await orderingSystem(app, `${url}/tmf-api/serviceOrdering/v4`, {
      auth: { type: 'BASIC', username: 'gateway', password: PASSWORD },
    });
    const { request, fallout, text } = await failedAs(system, 'echo-basic');
    expect(request.error).toMatchObject({ category: 'REMOTE_VALIDATION', httpStatus: 400, code: 'ECHO' });
    expect((request.responseBody as { echo: { headers: Record<string, string> } }).echo.headers.authorization).toBe('[redacted]');
    expect(fallout?.message).toContain('refused it');
    expectNoSecret(text);
  });

  it('bearer token: a 500 answered with the request as plain text, until attempts run out, is stored masked', async () => {
    const url = await peer((req, body, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`Internal error while handling\r\n${req.method} ${req.url}\r\n${rawHeaders(req)}\r\n${body}`);
    });
    const system = await orderingSystem(app, `${url}/tmf-api/serviceOrdering/v4`, {
      maxAttempts: 2,
      auth: { type: 'BEARER', token: TOKEN },
    });
    const { request, text } = await failedAs(system, 'echo-bearer');
    expect(request).toMatchObject({ attempts: 2, error: { category: 'REMOTE_SERVER', httpStatus: 500 } });
    expect(request.error!.message).toContain('Gave up after 2 attempt(s)');
    expectNoSecret(text);
  });

  it('OAuth2: a token endpoint echoing client_secret and the basic header in its 401 is stored masked', async () => {
    const tokenUrl = await peer((req, body, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_client', error_description: `got ${body} with ${String(req.headers.authorization)}` }));
    });
    const system = await orderingSystem(app, `${tokenUrl}/tmf-api/serviceOrdering/v4`, {
      auth: { type: 'OAUTH2_CLIENT_CREDENTIALS', tokenUrl: `${tokenUrl}/token`, clientId: 'southgate-client', clientSecret: CLIENT_SECRET },
    });
    const { request, text } = await failedAs(system, 'echo-oauth-token');
    expect(request.error).toMatchObject({ category: 'AUTHENTICATION' });
    expect(request.error!.message).toContain('OAuth2 token endpoint refused the client credentials');
    expectNoSecret(text);
  });

  it('OAuth2: the API echoing the access token it was sent is stored masked', async () => {
    const url = await peer((req, body, res) => {
      if (req.url === '/token') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600 }));
      }
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          code: '422',
          reason: `Cannot process ${String(req.headers.authorization)}`,
          message: 'no',
          echo: echo(req, body),
        }),
      );
    });
    const system = await orderingSystem(app, `${url}/tmf-api/serviceOrdering/v4`, {
      auth: { type: 'OAUTH2_CLIENT_CREDENTIALS', tokenUrl: `${url}/token`, clientId: 'southgate-client', clientSecret: CLIENT_SECRET },
    });
    const { request, text } = await failedAs(system, 'echo-oauth-api');
    expect(request.error).toMatchObject({ category: 'REMOTE_BUSINESS', httpStatus: 422, reason: 'Cannot process Bearer [redacted]' });
    expectNoSecret(text);
  });

  it('a callback quoting the credentials we use at that system is stored masked', async () => {
    const inboundToken = 'inbound-token-of-the-echoing-system';
    const system = await orderingSystem(app, 'http://127.0.0.1:1/tmf-api/serviceOrdering/v4', {
      inboundToken,
      auth: { type: 'BASIC', username: 'gateway', password: PASSWORD },
    });
    const body = {
      eventType: 'ServiceOrderStateChangeEvent',
      note: `we could not log in as gateway:${PASSWORD}`,
      headers: { Authorization: `Basic ${basic('gateway', PASSWORD)}` },
    };
    expect((await callback(app, `${system.id}/listener/serviceOrderStateChangeEvent`, body, { token: inboundToken })).status).toBe(400);
    const stored = await app.gql(InboundMessagesDocument, { first: 10, filter: { externalSystemId: system.id } }, viewer);
    const [message] = stored.data!.inboundMessages.edges.map((e) => e.node);
    expect(message).toMatchObject({
      outcome: 'REJECTED',
      body: { note: 'we could not log in as gateway:[redacted]', headers: { Authorization: '[redacted]' } },
    });
    expectNoSecret(JSON.stringify(message));
  });

  it('a secret sent with the wrong type is refused without being quoted back', async () => {
    const input = {
      name: unique('Typed wrong'),
      api: 'SERVICE_ORDERING_TMF641',
      baseUrl: 'http://127.0.0.1:1/tmf-api/serviceOrdering/v4',
      auth: { type: 'BASIC', username: 'gateway', password: 314159265 },
    } as unknown as ExternalSystemInput;
    const res = await app.gql(CreateExternalSystemDocument, { input });
    expect(code(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toBe(
      'Variable "$input" got an invalid value at "input.auth.password"; String cannot represent a non string value.',
    );
    const inline = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token([Role.ADMIN])}` },
      body: JSON.stringify({
        query: `mutation { createExternalSystem(input: { name: "x", api: SERVICE_ORDERING_TMF641, baseUrl: "http://127.0.0.1:1", auth: { type: BEARER, token: 271828182 } }) { id } }`,
      }),
    });
    const text = await inline.text();
    expect(inline.status).toBe(400);
    expect(text).not.toContain('271828182');
    expect(text).toContain('BAD_USER_INPUT');
  });

  it('a token URL with a secret in its query is refused without being quoted back', async () => {
    const res = await app.gql(CreateExternalSystemDocument, {
      input: {
        name: unique('Token in URL'),
        api: 'SERVICE_ORDERING_TMF641',
        baseUrl: 'http://127.0.0.1:1/tmf-api/serviceOrdering/v4',
        auth: {
          type: 'OAUTH2_CLIENT_CREDENTIALS',
          tokenUrl: `http://127.0.0.1:1/token?client_secret=${CLIENT_SECRET}`,
          clientId: 'c',
          clientSecret: 'x'.repeat(8),
        },
      },
    });
    expect(code(res)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res.errors)).not.toContain(CLIENT_SECRET);
  });
});
