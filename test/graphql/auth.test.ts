import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import {
  ActivateOpenApiDocument,
  CancelDomainOrderDocument,
  CancelTestRunDocument,
  CreateDecisionRuleDocument,
  CreateDomainOrderDocument,
  CreateExternalSystemDocument,
  CreateFulfillmentRequestDocument,
  CreateTestRunDocument,
  CreateTestSpecificationDocument,
  DeactivateOpenApiDocument,
  DecisionRulesDocument,
  DeleteDecisionRuleDocument,
  DiscardOutboundRequestDocument,
  DomainOrderIdsDocument,
  DomainOrdersDocument,
  ExternalSystemsDocument,
  FalloutsDocument,
  ImportTestSpecificationsDocument,
  MarkPointOfNoReturnDocument,
  OpenApisDocument,
  OutboundRequestsDocument,
  RefreshExternalStateDocument,
  ResolveFalloutDocument,
  RetryOutboundRequestDocument,
  ReviseDomainOrderDocument,
  ReviseOutboundRequestDocument,
  ReviseTestRunDocument,
  ReviseTestRunRequestDocument,
  SubmitTestRunDocument,
  TestRunsDocument,
  TestSpecificationsDocument,
  UpdateDecisionRuleDocument,
  UpdateExternalSystemDocument,
  UpdateTestMeasureDefinitionDocument,
  UpdateTestSpecificationDocument,
} from '../__generated__/graphql';
import { Role } from '../../src/services/auth/roles';
import { code, startTestApp, TEST_JWT_SECRET, type GqlResponse, type TestApp } from '../support/app';
import { createOrder, createRule, createRun, createSpec, createSystem, orderInput, runInput, submitOrder, systemInput } from './factories';

const ALL_ROLES = [Role.ADMIN, Role.ORDER_FULFILLMENT_MANAGER, Role.SERVICE_ORDER_MANAGER, Role.TEST_MANAGER, Role.VIEWER];
const ADMIN = [Role.ADMIN];
const ORDERS = [Role.ADMIN, Role.ORDER_FULFILLMENT_MANAGER, Role.SERVICE_ORDER_MANAGER];
const TESTS = [Role.ADMIN, Role.TEST_MANAGER];
const OPERATIONS = [Role.ADMIN, Role.ORDER_FULFILLMENT_MANAGER, Role.SERVICE_ORDER_MANAGER, Role.TEST_MANAGER];

describe('Authentication and authorisation', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { DISPATCH_ENABLED: 'false' } });
    // Both APIs active, so submissions by an allowed role get past activation to the record lookup.
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_TEST_TMF653' });
  });
  afterAll(() => app.close());

  /**
   * Every mutation, called so that a role that may call it gets a predictable non-auth outcome (an
   * unknown id → NOT_FOUND, bad input → BAD_USER_INPUT, or success) and changes nothing.
   */
  const unknown = randomUUID();
  // The outcome for a role that may call the mutation: one code for all, or per role (where the record's
  // kind decides further, as refreshExternalState does).
  type Outcome = string | null | ((role: Role) => string | null);
  const mutations: [string, readonly Role[], Outcome, (token: string) => Promise<GqlResponse<unknown>>][] = [
    ['activateOpenApi', ADMIN, null, (t) => app.gql(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' }, t)],
    [
      'deactivateOpenApi',
      ADMIN,
      null,
      async (t) => {
        const res = await app.gql(DeactivateOpenApiDocument, { api: 'SERVICE_TEST_TMF653' }, t);
        await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_TEST_TMF653' });
        return res;
      },
    ],
    [
      'createExternalSystem',
      ADMIN,
      'BAD_USER_INPUT',
      (t) => app.gql(CreateExternalSystemDocument, { input: systemInput({ name: '' }) }, t),
    ],
    ['updateExternalSystem', ADMIN, 'NOT_FOUND', (t) => app.gql(UpdateExternalSystemDocument, { id: unknown, input: systemInput() }, t)],
    [
      'createDecisionRule',
      ADMIN,
      'BAD_USER_INPUT',
      (t) =>
        app.gql(
          CreateDecisionRuleDocument,
          { input: { subject: 'DOMAIN_ORDER', name: '', priority: 1, hierarchical: true, externalSystemId: unknown } },
          t,
        ),
    ],
    [
      'updateDecisionRule',
      ADMIN,
      'NOT_FOUND',
      (t) =>
        app.gql(
          UpdateDecisionRuleDocument,
          { id: unknown, input: { subject: 'DOMAIN_ORDER', name: 'r', priority: 1, hierarchical: true, externalSystemId: unknown } },
          t,
        ),
    ],
    ['deleteDecisionRule', ADMIN, 'NOT_FOUND', (t) => app.gql(DeleteDecisionRuleDocument, { id: unknown }, t)],
    [
      'createTestSpecification',
      ADMIN,
      'BAD_USER_INPUT',
      (t) => app.gql(CreateTestSpecificationDocument, { input: { externalId: '', name: 'x' } }, t),
    ],
    [
      'createDomainOrder',
      ORDERS,
      'BAD_USER_INPUT',
      (t) => app.gql(CreateDomainOrderDocument, { input: orderInput({ action: 'MODIFY' }) }, t),
    ],
    ['reviseDomainOrder', ORDERS, 'NOT_FOUND', (t) => app.gql(ReviseDomainOrderDocument, { id: unknown, input: { name: 'x' } }, t)],
    ['cancelDomainOrder', ORDERS, 'NOT_FOUND', (t) => app.gql(CancelDomainOrderDocument, { id: unknown }, t)],
    ['createFulfillmentRequest', ORDERS, 'NOT_FOUND', (t) => app.gql(CreateFulfillmentRequestDocument, { domainOrderId: unknown }, t)],
    ['reviseOutboundRequest', ORDERS, 'NOT_FOUND', (t) => app.gql(ReviseOutboundRequestDocument, { domainOrderId: unknown }, t)],
    ['createTestRun', TESTS, 'NOT_FOUND', (t) => app.gql(CreateTestRunDocument, { input: runInput(unknown) }, t)],
    ['reviseTestRun', TESTS, 'NOT_FOUND', (t) => app.gql(ReviseTestRunDocument, { id: unknown, input: { name: 'x' } }, t)],
    ['cancelTestRun', TESTS, 'NOT_FOUND', (t) => app.gql(CancelTestRunDocument, { id: unknown }, t)],
    ['submitTestRun', TESTS, 'NOT_FOUND', (t) => app.gql(SubmitTestRunDocument, { testRunId: unknown }, t)],
    ['reviseTestRunRequest', TESTS, 'NOT_FOUND', (t) => app.gql(ReviseTestRunRequestDocument, { testRunId: unknown }, t)],
    ['retryOutboundRequest', OPERATIONS, 'NOT_FOUND', (t) => app.gql(RetryOutboundRequestDocument, { id: unknown }, t)],
    ['discardOutboundRequest', OPERATIONS, 'NOT_FOUND', (t) => app.gql(DiscardOutboundRequestDocument, { id: unknown, reason: 'r' }, t)],
    ['resolveFallout', OPERATIONS, 'NOT_FOUND', (t) => app.gql(ResolveFalloutDocument, { id: unknown, resolution: 'r' }, t)],
    ['markPointOfNoReturn', ORDERS, 'NOT_FOUND', (t) => app.gql(MarkPointOfNoReturnDocument, { domainOrderId: unknown }, t)],
    [
      'refreshExternalState',
      OPERATIONS,
      // Refreshing a domain order is for the order managers; a test manager may refresh test runs only.
      (role) => (role === Role.TEST_MANAGER ? 'FORBIDDEN' : 'NOT_FOUND'),
      (t) => app.gql(RefreshExternalStateDocument, { subject: 'DOMAIN_ORDER', subjectId: unknown }, t),
    ],
    ['importTestSpecifications', ADMIN, 'NOT_FOUND', (t) => app.gql(ImportTestSpecificationsDocument, { externalSystemId: unknown }, t)],
    [
      'updateTestSpecification',
      ADMIN,
      'NOT_FOUND',
      (t) => app.gql(UpdateTestSpecificationDocument, { id: unknown, input: { externalId: 'x', name: 'x' } }, t),
    ],
    [
      'updateTestMeasureDefinition',
      ADMIN,
      'NOT_FOUND',
      (t) => app.gql(UpdateTestMeasureDefinitionDocument, { id: unknown, input: { metricName: 'latency' } }, t),
    ],
  ];

  it('the matrix covers every mutation of the schema', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token([Role.VIEWER])}` },
      body: JSON.stringify({ query: '{ __schema { mutationType { fields { name } } } }' }),
    });
    const body = (await res.json()) as { data: { __schema: { mutationType: { fields: { name: string }[] } } } };
    expect(mutations.map((m) => m[0]).sort()).toEqual(body.data.__schema.mutationType.fields.map((f) => f.name).sort());
  });

  describe.each(mutations)('%s', (_name, allowed, allowedOutcome, call) => {
    it.each(ALL_ROLES)('as %s', async (role) => {
      const res = await call(app.token([role]));
      if (allowed.includes(role)) {
        const outcome = typeof allowedOutcome === 'function' ? allowedOutcome(role) : allowedOutcome;
        expect(code(res)).toBe(outcome ?? undefined);
      } else {
        expect(code(res)).toBe('FORBIDDEN');
        expect(res.errors![0].message).toBe(`This operation needs one of the roles ${allowed.join(', ')}; your token has ${role}`);
        expect(res.data).toBeNull();
      }
    });

    it('without a token is UNAUTHENTICATED, with HTTP 401', async () => {
      const res = await call(null as unknown as string);
      expect(res.status).toBe(401);
      expect(code(res)).toBe('UNAUTHENTICATED');
    });
  });

  it('a role that may not act changes nothing, even with valid input', async () => {
    const before = (await app.ok(DomainOrderIdsDocument, { first: 0 })).domainOrders.totalCount;
    for (const role of [Role.VIEWER, Role.TEST_MANAGER]) {
      const res = await app.gql(CreateDomainOrderDocument, { input: orderInput() }, app.token([role]));
      expect(code(res)).toBe('FORBIDDEN');
    }
    expect((await app.ok(DomainOrderIdsDocument, { first: 0 })).domainOrders.totalCount).toBe(before);
  });

  it('a token with several roles may do what any of them may', async () => {
    const token = app.token([Role.VIEWER, Role.TEST_MANAGER]);
    const spec = await createSpec(app);
    const res = await app.gql(CreateTestRunDocument, { input: runInput(spec.id) }, token);
    expect(res.errors).toBeUndefined();
    expect(code(await app.gql(CreateDomainOrderDocument, { input: orderInput() }, token))).toBe('FORBIDDEN');
  });

  describe('outbound requests are handled by the managers of their subject', () => {
    it('order managers handle order requests, not test requests; test managers the other way round', async () => {
      const orderSystem = await createSystem(app);
      await createRule(app, orderSystem.id);
      const testSystem = await createSystem(app, { api: 'SERVICE_TEST_TMF653' });
      await createRule(app, testSystem.id, { subject: 'TEST_RUN' });
      const order = await createOrder(app);
      const orderRequest = (await submitOrder(app, order.id)).outboundRequests[0];
      const spec = await createSpec(app);
      const run = await createRun(app, spec.id);
      const testRequest = (await app.ok(SubmitTestRunDocument, { testRunId: run.id })).submitTestRun.outboundRequests[0];

      const asTests = await app.gql(DiscardOutboundRequestDocument, { id: orderRequest.id, reason: 'no' }, app.token([Role.TEST_MANAGER]));
      expect(code(asTests)).toBe('FORBIDDEN');
      expect(asTests.errors![0].message).toContain(orderRequest.number);
      const asOrders = await app.gql(
        DiscardOutboundRequestDocument,
        { id: testRequest.id, reason: 'no' },
        app.token([Role.SERVICE_ORDER_MANAGER]),
      );
      expect(code(asOrders)).toBe('FORBIDDEN');

      const own = await app.gql(
        DiscardOutboundRequestDocument,
        { id: orderRequest.id, reason: 'duplicate' },
        app.token([Role.ORDER_FULFILLMENT_MANAGER]),
      );
      expect(own.errors).toBeUndefined();
      expect(own.data!.discardOutboundRequest.state).toBe('DISCARDED');
      const ownTest = await app.gql(
        DiscardOutboundRequestDocument,
        { id: testRequest.id, reason: 'duplicate' },
        app.token([Role.TEST_MANAGER]),
      );
      expect(ownTest.data!.discardOutboundRequest.state).toBe('DISCARDED');
    });
  });

  describe('queries', () => {
    const queries: [string, (token: string | null) => Promise<GqlResponse<unknown>>][] = [
      ['openApis', (t) => app.gql(OpenApisDocument, undefined, t)],
      ['externalSystems', (t) => app.gql(ExternalSystemsDocument, undefined, t)],
      ['decisionRules', (t) => app.gql(DecisionRulesDocument, {}, t)],
      ['testSpecifications', (t) => app.gql(TestSpecificationsDocument, undefined, t)],
      ['domainOrders', (t) => app.gql(DomainOrdersDocument, { first: 5 }, t)],
      ['testRuns', (t) => app.gql(TestRunsDocument, { first: 5 }, t)],
      ['outboundRequests', (t) => app.gql(OutboundRequestsDocument, { first: 5 }, t)],
      ['fallouts', (t) => app.gql(FalloutsDocument, { first: 5 }, t)],
    ];

    it.each(queries)(
      '%s: every role may read; no token is UNAUTHENTICATED; a token without a known role is FORBIDDEN',
      async (_n, query) => {
        for (const role of ALL_ROLES) expect((await query(app.token([role]))).errors).toBeUndefined();
        expect(code(await query(null))).toBe('UNAUTHENTICATED');
        const noRole = jwt.sign({ roles: ['GUEST'] }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'guest', expiresIn: '1h' });
        expect(code(await query(noRole))).toBe('FORBIDDEN');
      },
    );
  });

  describe('bad tokens are UNAUTHENTICATED', () => {
    const claims = { roles: [Role.ADMIN] };

    it('an expired token, with a message that says so', async () => {
      const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, TEST_JWT_SECRET, {
        algorithm: 'HS256',
        subject: 'old',
      });
      for (const res of [
        await app.gql(ExternalSystemsDocument, undefined, expired),
        await app.gql(CancelDomainOrderDocument, { id: unknown }, expired),
      ]) {
        expect(res.status).toBe(401);
        expect(code(res)).toBe('UNAUTHENTICATED');
        expect(res.errors![0].message).toMatch(/expired/i);
        expect(res.data).toBeUndefined();
      }
    });

    it.each([
      ['signed with another secret', () => jwt.sign(claims, 'another-secret-another-secret-xx', { algorithm: 'HS256', expiresIn: '1h' })],
      ['signed with another algorithm', () => jwt.sign(claims, TEST_JWT_SECRET, { algorithm: 'HS512', expiresIn: '1h' })],
      ['unsigned (alg none)', () => jwt.sign(claims, '', { algorithm: 'none' as jwt.Algorithm, expiresIn: '1h' })],
      ['not a JWT at all', () => 'not-a-jwt'],
      [
        'a token not yet valid',
        () => jwt.sign({ ...claims, nbf: Math.floor(Date.now() / 1000) + 3600 }, TEST_JWT_SECRET, { algorithm: 'HS256' }),
      ],
    ])('a token %s', async (_what, make) => {
      const token = make();
      const res = await app.gql(ExternalSystemsDocument, undefined, token);
      expect(res.status).toBe(401);
      expect(code(res)).toBe('UNAUTHENTICATED');
      expect(res.errors![0].message).toBe('The token is not valid for this server');
      expect(code(await app.gql(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' }, token))).toBe('UNAUTHENTICATED');
    });

    it('an Authorization header that is not "Bearer <token>"', async () => {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
        body: JSON.stringify({ query: '{ openApis { api } }' }),
      });
      expect(res.status).toBe(401);
      const body = (await res.json()) as GqlResponse<unknown>;
      expect(code(body)).toBe('UNAUTHENTICATED');
      expect(body.errors![0].message).toBe('The Authorization header must be "Bearer <token>"');
    });
  });

  describe('without a valid token nothing is read, validated or suggested', () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

    it('the answer is HTTP 401 with the usual GraphQL error body', async () => {
      const res = await post(JSON.stringify({ query: '{ openApis { api } }' }));
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toEqual({
        errors: [{ message: 'Sign in: send "Authorization: Bearer <token>"', extensions: { code: 'UNAUTHENTICATED' } }],
      });
      const bad = await post(JSON.stringify({ query: '{ openApis { api } }' }), { authorization: 'Bearer not-a-jwt' });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });

    it('not even a body that is not JSON, a misspelt field or a GET query', async () => {
      for (const res of [
        await post('{"query": '),
        await post(JSON.stringify({ query: '{ externalSystem { nam } }' })),
        await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ openApi }')}`, { headers: { 'apollo-require-preflight': 'true' } }),
      ]) {
        expect(res.status).toBe(401);
        const body = (await res.json()) as GqlResponse<unknown>;
        expect(code(body)).toBe('UNAUTHENTICATED');
        expect(JSON.stringify(body)).not.toMatch(/did you mean|openApis|Syntax/i);
      }
    });

    it('a browser still gets the landing page (outside production), which runs nothing itself', async () => {
      const page = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
    });
  });
});
