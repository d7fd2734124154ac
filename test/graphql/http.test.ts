import { request } from 'node:http';
import { Role } from '../../src/services/auth/roles';
import { startTestApp, type TestApp } from '../support/app';

/** A raw HTTP request that tolerates the server answering before the body is fully sent. */
function send(url: string, options: { method: string; headers?: Record<string, string>; body?: Buffer | string }) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request(url, { method: options.method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('HTTP endpoints', () => {
  let app: TestApp;
  let admin: string;
  beforeAll(async () => {
    app = await startTestApp();
    admin = app.token([Role.ADMIN]);
  });
  afterAll(() => app.close());

  it('GET /healthz answers 200 without a token', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 while the database answers', async () => {
    const res = await fetch(`${app.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });

  it('an unknown path is 404', async () => {
    const res = await fetch(`${app.url}/nothing/here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: 'NOT_FOUND', reason: 'Not found', message: 'No route for GET /nothing/here' });
  });

  it('a GraphQL answer, data or errors, is never stored by a cache (Cache-Control: no-store)', async () => {
    const ask = (query: string) =>
      fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ query }),
      });
    const answered = await ask('{ openApis { api } }');
    expect(answered.status).toBe(200);
    expect(answered.headers.get('cache-control')).toBe('no-store');
    const refused = await ask('{ noSuchField }');
    expect(refused.status).toBe(400);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('a body that is not JSON is 400 with BAD_USER_INPUT', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: '{"query": "{ openApis { api } }",',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors).toEqual([{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }]);
  });

  it('a body over 16 MiB is 413', async () => {
    const padding = 'x'.repeat(16 * 1024 * 1024 + 1);
    const res = await send(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: '{ openApis { api } }', variables: { padding } }),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ errors: [{ message: 'Request body too large', extensions: { code: 'BAD_USER_INPUT' } }] });
    // The server is still there.
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it('a body just under the limit is served', async () => {
    const query = '{ openApis { api } }';
    const envelope = JSON.stringify({ query, variables: { padding: '' } });
    const padding = 'x'.repeat(16 * 1024 * 1024 - Buffer.byteLength(envelope));
    const body = JSON.stringify({ query, variables: { padding } });
    expect(Buffer.byteLength(body)).toBe(16 * 1024 * 1024);
    const res = await send(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).data.openApis).toHaveLength(2);
  });

  it('GraphQL also answers GET queries', async () => {
    const res = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ openApis { api } }')}`, {
      headers: { authorization: `Bearer ${admin}`, 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { openApis: unknown[] } }).data.openApis).toHaveLength(2);
  });
});
