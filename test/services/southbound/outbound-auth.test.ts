import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundAuthType } from '../../../src/entities/enums';
import { ExternalSystemEntity } from '../../../src/entities/external-system.entity';
import { OutboundAuth, TokenError } from '../../../src/services/southbound/outbound-auth';
import { ForbiddenAddressError, HttpClient } from '../../../src/services/southbound/http-client';

function system(authType: OutboundAuthType, id = 'sys-1'): ExternalSystemEntity {
  return Object.assign(new ExternalSystemEntity(), { id, name: 'NA', authType, timeoutMs: 2000 });
}

describe('outbound authentication', () => {
  let tokenServer: Server;
  let tokenUrl: string;
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  const requests: { headers: IncomingMessage['headers']; body: string }[] = [];
  const http = new HttpClient({ allowPrivateNetworks: true });

  beforeAll(async () => {
    tokenServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        requests.push({ headers: req.headers, body });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((ok) => tokenServer.listen(0, '127.0.0.1', ok));
    tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/oauth/token`;
  });
  afterAll(async () => {
    await http.close();
    tokenServer.close();
  });
  beforeEach(() => {
    requests.length = 0;
    answer = { status: 200, body: { access_token: 'tok-1', expires_in: 3600 } };
  });

  it('builds basic and bearer headers from the stored credentials', async () => {
    const auth = new OutboundAuth(http);
    expect(await auth.header(system(OutboundAuthType.NONE), {})).toBeNull();
    expect(await auth.header(system(OutboundAuthType.BASIC), { username: 'ops', password: 'p:ss' })).toBe(
      `Basic ${Buffer.from('ops:p:ss').toString('base64')}`,
    );
    expect(await auth.header(system(OutboundAuthType.BEARER), { token: 'abc' })).toBe('Bearer abc');
  });

  it('fetches an OAuth2 client-credentials token once and reuses it until shortly before it expires', async () => {
    const auth = new OutboundAuth(http);
    const creds = { tokenUrl, clientId: 'gateway', clientSecret: 's3cret', scope: 'tmf641' };
    const sys = system(OutboundAuthType.OAUTH2_CLIENT_CREDENTIALS);
    const headers = await Promise.all([auth.header(sys, creds), auth.header(sys, creds), auth.header(sys, creds)]);
    expect(headers).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-1']);
    expect(requests).toHaveLength(1);
    expect(requests[0].headers.authorization).toBe(`Basic ${Buffer.from('gateway:s3cret').toString('base64')}`);
    expect(new URLSearchParams(requests[0].body).get('grant_type')).toBe('client_credentials');
    expect(new URLSearchParams(requests[0].body).get('scope')).toBe('tmf641');

    answer = { status: 200, body: { access_token: 'tok-2', expires_in: 3600 } };
    expect(await auth.header(sys, creds, Date.now() + 10 * 60_000)).toBe('Bearer tok-1');
    // 3600 s minus the 30 s safety margin: past that, a new token is fetched.
    expect(await auth.header(sys, creds, Date.now() + 3580 * 1000)).toBe('Bearer tok-2');
    expect(requests).toHaveLength(2);
  });

  it('fetches a new token after the system rejected the old one', async () => {
    const auth = new OutboundAuth(http);
    const creds = { tokenUrl, clientId: 'gateway', clientSecret: 's3cret' };
    const sys = system(OutboundAuthType.OAUTH2_CLIENT_CREDENTIALS, 'sys-2');
    await auth.header(sys, creds);
    answer = { status: 200, body: { access_token: 'tok-fresh', expires_in: 60 } };
    auth.invalidate(sys.id);
    expect(await auth.header(sys, creds)).toBe('Bearer tok-fresh');
    expect(requests).toHaveLength(2);
  });

  it('reports refused client credentials as a permanent AUTHENTICATION failure, without the secret', async () => {
    const auth = new OutboundAuth(http);
    answer = { status: 401, body: { error: 'invalid_client', error_description: 'bad secret' } };
    const err = await auth
      .header(system(OutboundAuthType.OAUTH2_CLIENT_CREDENTIALS, 'sys-3'), {
        tokenUrl,
        clientId: 'gateway',
        clientSecret: 'hunter2-secret',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect((err as TokenError).failure).toMatchObject({ kind: 'PERMANENT', category: 'AUTHENTICATION', httpStatus: 401 });
    expect((err as TokenError).message).not.toContain('hunter2-secret');
  });

  it('reports a token endpoint outage as transient', async () => {
    const auth = new OutboundAuth(http);
    answer = { status: 503, body: {} };
    const err = (await auth
      .header(system(OutboundAuthType.OAUTH2_CLIENT_CREDENTIALS, 'sys-4'), { tokenUrl, clientId: 'c', clientSecret: 's' })
      .catch((e: unknown) => e)) as TokenError;
    expect(err.failure.kind).toBe('TRANSIENT');
  });
});

describe('outbound HTTP client address policy', () => {
  it('refuses, at connect time, host names that resolve to private addresses when they are not allowed', async () => {
    const strict = new HttpClient({ allowPrivateNetworks: false });
    try {
      const err = await strict
        .send({ method: 'GET', url: 'http://localhost:9/tmf', headers: {}, timeoutMs: 1000 })
        .catch((e: unknown) => e);
      const chain = [err, (err as { cause?: unknown }).cause];
      expect(chain.some((e) => e instanceof ForbiddenAddressError)).toBe(true);
    } finally {
      await strict.close();
    }
  });
});
