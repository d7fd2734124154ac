import { randomUUID } from 'node:crypto';
import {
  CancelDomainOrderDocument,
  CreateExternalSystemDocument,
  ExternalSystemsDocument,
  TestSpecificationsDocument,
} from '../__generated__/graphql';
import { Role } from '../../src/services/auth/roles';
import { code, startTestApp, type GqlResponse, type TestApp } from '../support/app';
import { systemInput } from './factories';

/** Sends any text as a GraphQL request (for operations codegen would refuse to type). */
async function raw(app: TestApp, query: string, variables?: Record<string, unknown>, token: string | null = app.token([Role.ADMIN])) {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as object) } as GqlResponse<unknown>;
}

/** No error of a response carries a stack trace or anything else beyond the contract's extensions. */
function expectNoInternals(res: GqlResponse<unknown>) {
  for (const e of res.errors ?? []) {
    expect(e.extensions).toBeDefined();
    expect(e.extensions).not.toHaveProperty('stacktrace');
    expect(e.extensions).not.toHaveProperty('exception');
    expect(JSON.stringify(e)).not.toMatch(/\bat .+\.(ts|js):\d+/);
  }
}

describe('Errors', () => {
  describe('problems with the operation itself are BAD_USER_INPUT', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp();
    });
    afterAll(() => app.close());

    it.each([
      ['an unknown field', '{ externalSystems { id colour } }', undefined, /Cannot query field "colour" on type "ExternalSystem"/],
      ['a syntax error', '{ externalSystems { id ', undefined, /Syntax Error/],
      ['an unknown argument', '{ domainOrders(last: 5) { totalCount } }', undefined, /Unknown argument "last"/],
      ['a wrong variable type', 'query Q($first: Int) { domainOrders(first: $first) { totalCount } }', { first: 'ten' }, /\$first/],
      ['a missing required variable', 'query Q($id: ID!) { domainOrder(id: $id) { id } }', {}, /\$id/],
      ['an unknown enum value', 'query { decisionRules(subject: INVOICE) { id } }', undefined, /INVOICE/],
      [
        'a variable of the wrong shape',
        'mutation M($input: ExternalSystemInput!) { createExternalSystem(input: $input) { id } }',
        { input: { name: 'x', api: 'SERVICE_ORDERING_TMF641', baseUrl: 'https://x.example', timeoutMs: 'slow' } },
        /timeoutMs/,
      ],
      ['an Int out of range', 'query { domainOrders(first: 99999999999) { totalCount } }', undefined, /Int cannot represent/],
    ])('%s', async (_what, query, variables, message) => {
      const res = await raw(app, query, variables);
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toMatch(message);
      expect(res.data ?? null).toBeNull();
      expectNoInternals(res);
    });

    it('no error response carries a stack trace: domain, auth and input errors alike', async () => {
      const responses = [
        await app.gql(CancelDomainOrderDocument, { id: randomUUID() }),
        await app.gql(CreateExternalSystemDocument, { input: systemInput({ baseUrl: 'ftp://x' }) }),
        await app.gql(CreateExternalSystemDocument, { input: systemInput() }, app.token([Role.VIEWER])),
        await app.gql(ExternalSystemsDocument, undefined, null),
        await app.gql(ExternalSystemsDocument, undefined, 'garbage'),
        await raw(app, '{ nope }'),
      ];
      expect(responses.map(code)).toEqual([
        'NOT_FOUND',
        'BAD_USER_INPUT',
        'FORBIDDEN',
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
        'BAD_USER_INPUT',
      ]);
      for (const res of responses) expectNoInternals(res);
    });

    it('every error names an operation path or is about the whole request', async () => {
      const res = await app.gql(CancelDomainOrderDocument, { id: randomUUID() });
      expect(res.errors![0].path).toEqual(['cancelDomainOrder']);
      expect(res.errors![0].extensions).toEqual({ code: 'NOT_FOUND', field: 'id' });
    });
  });

  describe('an internal failure', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp();
      await app.ok(CreateExternalSystemDocument, { input: systemInput({ name: 'before the break' }) });
      // Break the database under the running server: a column its queries need disappears.
      await app.db.dataSource.query('ALTER TABLE external_system DROP COLUMN poll_interval_seconds');
    });
    afterAll(() => app.close());

    const SECRETS_OF_THE_TRADE = [
      'poll_interval_seconds',
      'external_system',
      'SELECT',
      'column',
      'QueryFailedError',
      'does not exist',
      'ExternalSystemEntity',
    ];

    it.each([
      ['a query', (a: TestApp) => a.gql(ExternalSystemsDocument)],
      ['a mutation', (a: TestApp) => a.gql(CreateExternalSystemDocument, { input: systemInput() })],
    ])('in %s is INTERNAL_SERVER_ERROR with a reference and nothing of SQL, stack or schema', async (_what, call) => {
      const res = await call(app);
      expect(res.status).toBe(200);
      expect(code(res)).toBe('INTERNAL_SERVER_ERROR');
      const [error] = res.errors!;
      const reference = error.extensions!.reference as string;
      expect(reference).toMatch(/^[0-9a-f-]{36}$/);
      expect(error.message).toBe(`Internal server error (reference ${reference}); the details are in the server log`);
      expect(Object.keys(error.extensions!).sort()).toEqual(['code', 'reference']);
      const text = JSON.stringify(res.errors!.map((e) => [e.message, e.extensions]));
      for (const word of SECRETS_OF_THE_TRADE) expect(text).not.toContain(word);
      expectNoInternals(res);
    });

    it('leaves the rest of the server working', async () => {
      expect((await app.gql(TestSpecificationsDocument)).errors).toBeUndefined();
      const health = await fetch(`${app.url}/readyz`);
      expect(health.status).toBe(200);
    });
  });
});
