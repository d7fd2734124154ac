import { randomUUID } from 'node:crypto';
import {
  CreateExternalSystemDocument,
  ExternalSystemDocument,
  ExternalSystemsDocument,
  UpdateExternalSystemDocument,
  type ExternalSystemInput,
} from '../__generated__/graphql';
import { ExternalSystemEntity } from '../../src/entities/external-system.entity';
import { code, startTestApp, type TestApp } from '../support/app';
import { LOOPBACK_URLS, METADATA_URLS } from '../services/southbound/ssrf-urls';
import { createRule, createSystem, SERVICE_ORDERING_URL, systemInput, unique } from './factories';

describe('External systems', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  async function storedRow(id: string): Promise<Record<string, unknown>> {
    const [row] = await app.db.dataSource.query<Record<string, unknown>[]>('SELECT * FROM external_system WHERE id = $1', [id]);
    return row;
  }

  it('creates a system with the documented defaults and a callback path of its own', async () => {
    const name = unique('Fixed access activation');
    const created = await createSystem(app, { name, baseUrl: `${SERVICE_ORDERING_URL}/` });
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name,
      api: 'SERVICE_ORDERING_TMF641',
      baseUrl: SERVICE_ORDERING_URL, // trailing slash dropped
      enabled: true,
      timeoutMs: 10000,
      maxAttempts: 5,
      authType: 'NONE',
      callbackPath: `/callbacks/${created.id}`,
      pollIntervalSeconds: null,
      hasInboundToken: false,
    });
    expect((await app.ok(ExternalSystemDocument, { id: created.id })).externalSystem).toEqual(created);
    expect((await app.ok(ExternalSystemsDocument)).externalSystems).toContainEqual(created);
  });

  it('keeps explicit settings, updates every field and lists systems by name', async () => {
    const a = await createSystem(app, { name: 'zz-last', enabled: false, timeoutMs: 2500, maxAttempts: 1, pollIntervalSeconds: 60 });
    expect(a).toMatchObject({ enabled: false, timeoutMs: 2500, maxAttempts: 1, pollIntervalSeconds: 60 });
    const b = await createSystem(app, { name: 'AA-first', api: 'SERVICE_TEST_TMF653' });

    const updated = (
      await app.ok(UpdateExternalSystemDocument, {
        id: a.id,
        input: {
          name: 'zz-last renamed',
          api: 'SERVICE_TEST_TMF653',
          baseUrl: 'http://tests.example.org:8080/tmf',
          enabled: true,
          timeoutMs: 300000,
          maxAttempts: 100,
          pollIntervalSeconds: 30,
        },
      })
    ).updateExternalSystem;
    expect(updated).toEqual({
      ...a,
      name: 'zz-last renamed',
      api: 'SERVICE_TEST_TMF653',
      baseUrl: 'http://tests.example.org:8080/tmf',
      enabled: true,
      timeoutMs: 300000,
      maxAttempts: 100,
      pollIntervalSeconds: 30,
    });
    const names = (await app.ok(ExternalSystemsDocument)).externalSystems.map((s) => s.name);
    expect(names.indexOf(b.name)).toBe(0);
    expect(names).toContain('zz-last renamed');
    expect(names).toEqual([...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  });

  it('an update that leaves out pollIntervalSeconds keeps it, like every other optional setting; null clears it', async () => {
    const created = await createSystem(app, { pollIntervalSeconds: 120, timeoutMs: 5000, maxAttempts: 3, enabled: false });
    const base = { name: created.name, api: created.api, baseUrl: created.baseUrl };
    const kept = (await app.ok(UpdateExternalSystemDocument, { id: created.id, input: { ...base, name: `${created.name} (renamed)` } }))
      .updateExternalSystem;
    expect(kept).toEqual({ ...created, name: `${created.name} (renamed)` });
    const cleared = (await app.ok(UpdateExternalSystemDocument, { id: created.id, input: { ...base, pollIntervalSeconds: null } }))
      .updateExternalSystem;
    expect(cleared.pollIntervalSeconds).toBeNull();
  });

  it('the api of a system that rules already use cannot change', async () => {
    const system = await createSystem(app);
    await createRule(app, system.id);
    const res = await app.gql(UpdateExternalSystemDocument, {
      id: system.id,
      input: { name: system.name, api: 'SERVICE_TEST_TMF653', baseUrl: system.baseUrl },
    });
    expect(code(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe('input.api');
    expect((await app.ok(ExternalSystemDocument, { id: system.id })).externalSystem!.api).toBe('SERVICE_ORDERING_TMF641');
  });

  it('an unknown id is NOT_FOUND on update and null on read', async () => {
    const id = randomUUID();
    const res = await app.gql(UpdateExternalSystemDocument, { id, input: systemInput() });
    expect(code(res)).toBe('NOT_FOUND');
    expect(res.errors![0].extensions!.field).toBe('id');
    expect(res.errors![0].message).toContain(id);
    expect((await app.ok(ExternalSystemDocument, { id })).externalSystem).toBeNull();
    expect((await app.ok(ExternalSystemDocument, { id: 'not-a-uuid' })).externalSystem).toBeNull();
  });

  describe('secrets are write-only', () => {
    const secrets = {
      password: 'pw-Very-Secret-1f9c2b',
      token: 'bearer-Very-Secret-77ad01',
      clientSecret: 'oauth-Very-Secret-c0ffee',
      inboundToken: 'inbound-Very-Secret-0a1b2c3d4e',
    };
    const all = Object.values(secrets);
    const expectNoSecret = (what: unknown) => {
      const text = JSON.stringify(what);
      for (const secret of all) expect(text).not.toContain(secret);
    };

    it('never appear in any response, nor in clear in the database', async () => {
      const inputs: ExternalSystemInput[] = [
        systemInput({ auth: { type: 'BASIC', username: 'gateway', password: secrets.password }, inboundToken: secrets.inboundToken }),
        systemInput({ auth: { type: 'BEARER', token: secrets.token } }),
        systemInput({
          auth: {
            type: 'OAUTH2_CLIENT_CREDENTIALS',
            tokenUrl: 'https://idp.example.net/token',
            clientId: 'southgate',
            clientSecret: secrets.clientSecret,
            scope: 'orders',
          },
        }),
      ];
      const responses: unknown[] = [];
      const ids: string[] = [];
      for (const input of inputs) {
        const res = await app.gql(CreateExternalSystemDocument, { input });
        expect(res.errors).toBeUndefined();
        responses.push(res);
        ids.push(res.data!.createExternalSystem.id);
      }
      expect(
        responses.map((r) => (r as { data: { createExternalSystem: { authType: string } } }).data.createExternalSystem.authType),
      ).toEqual(['BASIC', 'BEARER', 'OAUTH2_CLIENT_CREDENTIALS']);
      responses.push(await app.gql(ExternalSystemsDocument));
      for (const id of ids) responses.push(await app.gql(ExternalSystemDocument, { id }));
      // An update that carries the secrets again, and one that fails after reading them.
      responses.push(await app.gql(UpdateExternalSystemDocument, { id: ids[0], input: { ...inputs[0] } }));
      const failed = await app.gql(UpdateExternalSystemDocument, { id: ids[0], input: { ...inputs[0], baseUrl: 'ftp://nowhere' } });
      expect(code(failed)).toBe('BAD_USER_INPUT');
      responses.push(failed);
      const failedAuth = await app.gql(CreateExternalSystemDocument, {
        input: systemInput({ auth: { type: 'NONE', password: secrets.password } }),
      });
      expect(code(failedAuth)).toBe('BAD_USER_INPUT');
      responses.push(failedAuth);
      expectNoSecret(responses);

      for (const id of ids) {
        const row = await storedRow(id);
        expectNoSecret(row);
      }
      expect((await storedRow(ids[0])).auth_secret).toEqual(expect.stringMatching(/^v1\./));
      expect((await storedRow(ids[0])).inbound_token_hash).toEqual(expect.stringMatching(/^[0-9a-f]{64}$/));
      expect(
        (responses[0] as { data: { createExternalSystem: { hasInboundToken: boolean } } }).data.createExternalSystem.hasInboundToken,
      ).toBe(true);
    });

    it('an update without auth or inboundToken keeps what is stored', async () => {
      const input = systemInput({
        auth: { type: 'BASIC', username: 'gateway', password: secrets.password },
        inboundToken: secrets.inboundToken,
      });
      const created = await createSystem(app, input);
      const before = await storedRow(created.id);
      const { auth: _auth, inboundToken: _inbound, ...withoutSecrets } = input;
      const updated = (await app.ok(UpdateExternalSystemDocument, { id: created.id, input: { ...withoutSecrets, timeoutMs: 1234 } }))
        .updateExternalSystem;
      expect(updated).toEqual({ ...created, timeoutMs: 1234 });
      expect(updated.authType).toBe('BASIC');
      expect(updated.hasInboundToken).toBe(true);
      const after = await storedRow(created.id);
      expect(after.auth_secret).toBe(before.auth_secret);
      expect(after.inbound_token_hash).toBe(before.inbound_token_hash);
      // What the dispatcher will use is still the stored credentials.
      const entity = await app.db.dataSource.manager.findOneByOrFail(ExternalSystemEntity, { id: created.id });
      expect(app.runtime.services.externalSystems.credentials(entity)).toEqual({ username: 'gateway', password: secrets.password });
    });

    it('an update with auth NONE removes the stored credentials', async () => {
      const created = await createSystem(app, { auth: { type: 'BEARER', token: secrets.token } });
      const { id: _id, ...rest } = created;
      const updated = (
        await app.ok(UpdateExternalSystemDocument, {
          id: created.id,
          input: { name: rest.name, api: rest.api, baseUrl: rest.baseUrl, auth: { type: 'NONE' } },
        })
      ).updateExternalSystem;
      expect(updated.authType).toBe('NONE');
      expect((await storedRow(created.id)).auth_secret).toBeNull();
    });
  });

  describe('bad input is BAD_USER_INPUT naming the field, and nothing is stored', () => {
    const cases: [string, Partial<ExternalSystemInput>, string][] = [
      ['an empty name', { name: '   ' }, 'input.name'],
      ['a malformed URL', { baseUrl: 'not a url' }, 'input.baseUrl'],
      ['an ftp URL', { baseUrl: 'ftp://files.example.net/tmf' }, 'input.baseUrl'],
      ['a URL with credentials', { baseUrl: 'https://admin:hunter2@activation.example.net/tmf' }, 'input.baseUrl'],
      ['a link-local metadata address', { baseUrl: 'http://169.254.169.254/latest/meta-data' }, 'input.baseUrl'],
      ['a cloud metadata host name', { baseUrl: 'http://metadata.google.internal/computeMetadata/v1' }, 'input.baseUrl'],
      ['a metadata address written as a decimal number', { baseUrl: 'http://2852039166/latest' }, 'input.baseUrl'],
      ['a metadata address as an IPv4-mapped IPv6 address', { baseUrl: 'http://[::ffff:169.254.169.254]/latest' }, 'input.baseUrl'],
      [
        'a cloud metadata host name written fully qualified',
        { baseUrl: 'http://metadata.google.internal./computeMetadata/v1' },
        'input.baseUrl',
      ],
      ['a link-local IPv6 address', { baseUrl: 'http://[fe80::1]/tmf' }, 'input.baseUrl'],
      ['a negative timeout', { timeoutMs: -1 }, 'input.timeoutMs'],
      ['a zero timeout', { timeoutMs: 0 }, 'input.timeoutMs'],
      ['zero attempts', { maxAttempts: 0 }, 'input.maxAttempts'],
      ['BASIC auth without a password', { auth: { type: 'BASIC', username: 'gateway' } }, 'input.auth.password'],
      ['BEARER auth without a token', { auth: { type: 'BEARER' } }, 'input.auth.token'],
      [
        'an OAuth2 token URL on a metadata address',
        { auth: { type: 'OAUTH2_CLIENT_CREDENTIALS', tokenUrl: 'http://169.254.169.254/token', clientId: 'c', clientSecret: 's' } },
        'input.auth.tokenUrl',
      ],
      ['a short inbound token', { inboundToken: 'short' }, 'input.inboundToken'],
    ];

    it.each(cases)('%s', async (_what, overrides, field) => {
      const input = systemInput(overrides);
      const res = await app.gql(CreateExternalSystemDocument, { input });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe(field);
      expect(res.errors![0].message).toContain(field);
      expect(res.data).toBeNull();
      const names = (await app.ok(ExternalSystemsDocument)).externalSystems.map((s) => s.name);
      expect(names).not.toContain(input.name);
    });

    it('a name that differs only in case from an existing one', async () => {
      const existing = await createSystem(app, { name: unique('Mobile Core') });
      const res = await app.gql(CreateExternalSystemDocument, { input: systemInput({ name: `  ${existing.name.toUpperCase()} ` }) });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe('input.name');
      expect(res.errors![0].message).toBe(`An external system named "${existing.name.toUpperCase()}" already exists`);

      // Renaming another system onto it is refused too; keeping one's own name is not a clash.
      const other = await createSystem(app);
      const rename = await app.gql(UpdateExternalSystemDocument, {
        id: other.id,
        input: systemInput({ name: existing.name.toLowerCase() }),
      });
      expect(code(rename)).toBe('BAD_USER_INPUT');
      expect(rename.errors![0].extensions!.field).toBe('input.name');
      const same = await app.gql(UpdateExternalSystemDocument, { id: existing.id, input: systemInput({ name: existing.name }) });
      expect(same.errors).toBeUndefined();
    });

    it('a bad update leaves the stored system as it was', async () => {
      const created = await createSystem(app);
      const res = await app.gql(UpdateExternalSystemDocument, { id: created.id, input: systemInput({ name: 'renamed', maxAttempts: 0 }) });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe('input.maxAttempts');
      expect((await app.ok(ExternalSystemDocument, { id: created.id })).externalSystem).toEqual(created);
    });
  });

  describe('validation messages never quote a secret-bearing field', () => {
    const SECRET = 'Very-Secret-5eb1';
    const oauth = (overrides: Record<string, string>) => ({
      type: 'OAUTH2_CLIENT_CREDENTIALS' as const,
      tokenUrl: 'https://idp.example.net/token',
      clientId: 'c',
      clientSecret: 's',
      ...overrides,
    });
    const cases: [string, Partial<ExternalSystemInput>, string][] = [
      ['a token URL that is no URL', { auth: oauth({ tokenUrl: `not a url ${SECRET}` }) }, 'input.auth.tokenUrl is not a valid URL'],
      [
        'a token URL with a secret in its query',
        { auth: oauth({ tokenUrl: `https://idp.example.net/token?client_secret=${SECRET}` }) },
        'input.auth.tokenUrl must not have a query string or fragment',
      ],
      [
        'a token URL with credentials',
        { auth: oauth({ tokenUrl: `https://client:${SECRET}@idp.example.net/token` }) },
        'input.auth.tokenUrl must not carry credentials; use the auth input instead',
      ],
      [
        'a token URL on a metadata address',
        { auth: oauth({ tokenUrl: `http://169.254.169.254/${SECRET}` }) },
        'input.auth.tokenUrl points at a link-local or cloud metadata address (169.254.0.0/16)',
      ],
      [
        'a base URL with a secret in its query',
        { baseUrl: `https://tmf.example.net/?token=${SECRET}` },
        'input.baseUrl must not have a query string or fragment',
      ],
      [
        'a client secret too long',
        { auth: oauth({ clientSecret: SECRET.repeat(300) }) },
        'input.auth.clientSecret must be at most 4000 characters',
      ],
      [
        'a password with a NUL character',
        { auth: { type: 'BASIC', username: 'u', password: `${SECRET}\u0000` } },
        'input.auth.password must not contain a NUL character (found at position 16)',
      ],
      [
        'a bearer token with a lone surrogate',
        { auth: { type: 'BEARER', token: `${SECRET}\ud800` } },
        'input.auth.token must be valid Unicode text: a lone surrogate \\ud800 is at position 16',
      ],
      [
        'a secret for another auth type',
        { auth: { type: 'BEARER', token: 't', password: SECRET } },
        'input.auth.password is not used with auth type BEARER',
      ],
      ['a short inbound token', { inboundToken: SECRET.slice(0, 10) }, 'input.inboundToken must be at least 16 characters'],
    ];

    it.each(cases)('%s', async (_what, overrides, message) => {
      const res = await app.gql(CreateExternalSystemDocument, { input: systemInput(overrides) });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toBe(message);
      expect(JSON.stringify(res)).not.toContain(SECRET.slice(0, 10));
    });
  });
});

describe('External systems with ALLOW_PRIVATE_NETWORKS=false: the OWASP SSRF URL forms', () => {
  let app: TestApp;
  let existing: { id: string; name: string };
  beforeAll(async () => {
    app = await startTestApp({ env: { ALLOW_PRIVATE_NETWORKS: 'false', DISPATCH_ENABLED: 'false' } });
    existing = await createSystem(app);
  });
  afterAll(() => app.close());

  const urls = [...METADATA_URLS, ...LOOPBACK_URLS];

  it.each(urls)('%s is refused as a base URL and as a token URL, on create and on update', async (url) => {
    const asBase = await app.gql(CreateExternalSystemDocument, { input: systemInput({ baseUrl: url }) });
    expect(code(asBase)).toBe('BAD_USER_INPUT');
    expect(asBase.errors![0].extensions!.field).toBe('input.baseUrl');
    expect(asBase.errors![0].message).toMatch(/^input\.baseUrl points at /);
    const auth = { type: 'OAUTH2_CLIENT_CREDENTIALS' as const, tokenUrl: url, clientId: 'c', clientSecret: 's' };
    const asToken = await app.gql(CreateExternalSystemDocument, { input: systemInput({ auth }) });
    expect(code(asToken)).toBe('BAD_USER_INPUT');
    expect(asToken.errors![0].extensions!.field).toBe('input.auth.tokenUrl');
    expect(asToken.errors![0].message).toMatch(/^input\.auth\.tokenUrl points at /);
    const update = await app.gql(UpdateExternalSystemDocument, { id: existing.id, input: systemInput({ name: existing.name, auth }) });
    expect(update.errors![0].extensions!.field).toBe('input.auth.tokenUrl');
    const updateBase = await app.gql(UpdateExternalSystemDocument, {
      id: existing.id,
      input: systemInput({ name: existing.name, baseUrl: url }),
    });
    expect(updateBase.errors![0].extensions!.field).toBe('input.baseUrl');
  });

  it('nothing of it was stored', async () => {
    const systems = (await app.ok(ExternalSystemsDocument)).externalSystems;
    expect(systems.map((s) => s.id)).toEqual([existing.id]);
    expect(systems[0].baseUrl).toBe(SERVICE_ORDERING_URL);
    expect(systems[0].authType).toBe('NONE');
  });
});
