import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import {
  getIntrospectionQuery,
  getNullableType,
  print,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  parse,
  typeFromAST,
  validate,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { OperatorConsoleDocument, OutboundRequestChangedDocument } from '../__generated__/graphql';
import { loadConfig } from '../../src/config';
import { checkCost, checkVariables, documentLimitRules, MAX_INPUT_DEPTH, type GraphQLLimits } from '../../src/graphql/limits';
import { buildGraphQLSchema } from '../../src/graphql/build-schema';
import { Role } from '../../src/services/auth/roles';
import { code, startTestApp, type GqlResponse, type TestApp } from '../support/app';
import { createOrderTree, prepareOrderFulfillment, submitOrder } from './factories';
import { StatementLog } from '../support/statement-log';

const DEFAULTS: GraphQLLimits = loadConfig({}).graphql;
// graphql-js's own words (sic).
const TOKENS_MESSAGE = `Syntax Error: Document contains more that ${DEFAULTS.maxTokens} tokens. Parsing aborted.`;

/** A value for every required variable of an operation, as a client would send. */
function sampleVariables(schema: GraphQLSchema, op: OperationDefinitionNode): Record<string, unknown> {
  const sample = (type: GraphQLInputType): unknown => {
    const t = getNullableType(type);
    if (isListType(t)) return [sample(t.ofType)];
    if (isEnumType(t)) return t.getValues()[0].value;
    if (isInputObjectType(t)) {
      return Object.fromEntries(
        Object.values(t.getFields())
          .filter((f) => isNonNullType(f.type))
          .map((f) => [f.name, sample(f.type)]),
      );
    }
    return ({ Int: 100, Boolean: true, ID: '00000000-0000-4000-8000-000000000000' } as Record<string, unknown>)[t.name] ?? 'x';
  };
  return Object.fromEntries(
    (op.variableDefinitions ?? []).map((v) => [v.variable.name.value, sample(typeFromAST(schema, v.type as never) as GraphQLInputType)]),
  );
}

/**
 * A raw HTTP request that announces the whole body (Content-Length) but sends only its first `sent`
 * bytes, then waits: an answer can only come from a server that did not wait for the rest.
 */
function sendPart(url: string, options: { headers: Record<string, string>; body: Buffer; sent: number }) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...options.headers, 'content-length': String(options.body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') });
        req.destroy();
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.write(options.body.subarray(0, options.sent));
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within 5 s while ${options.body.length - options.sent} bytes of the body were held back`));
    }, 5000).unref();
  });
}

/** Heap and buffer growth while `work` runs, in MiB (the attacks below once took gigabytes). */
async function growthMiB(work: () => Promise<unknown>): Promise<number> {
  const size = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = size();
  await work();
  return (size() - before) / 2 ** 20;
}

const nest = (levels: number, pair: [string, string], leaf: string) => {
  let body = leaf;
  for (let i = levels - 1; i >= 0; i--) body = `${pair[i % 2]} { ${body} }`;
  return body;
};

describe('GraphQL limits', () => {
  describe('every operation a front end needs passes (estimated against the default limits)', () => {
    let schema: GraphQLSchema;
    beforeAll(async () => {
      schema = await buildGraphQLSchema(null);
    });

    const dir = join(__dirname, '..', 'operations');
    const document = parse(
      readdirSync(dir)
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .join('\n'),
    );
    const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);

    it.each(operations.map((op) => [op.name!.value, op] as const))('%s', (name, op) => {
      const doc = { kind: Kind.DOCUMENT, definitions: [op, ...fragments] } as const;
      expect(validate(schema, doc, documentLimitRules(DEFAULTS))).toEqual([]);
      const variables = { ...sampleVariables(schema, op), first: 100 };
      expect(checkCost(schema, doc, name, variables, DEFAULTS)).toEqual([]);
    });

    it('the introspection query of GraphQL tools', () => {
      const doc = parse(getIntrospectionQuery());
      expect(validate(schema, doc, documentLimitRules(DEFAULTS))).toEqual([]);
      expect(checkCost(schema, doc, undefined, {}, DEFAULTS)).toEqual([]);
    });

    it('a document asked again is estimated with its new variables (page size, @include), as a fresh one is', () => {
      const text = `query Page($first: Int, $deep: Boolean!, $id: ID!) {
        domainOrders(first: $first) { edges { node { id children @include(if: $deep) { id } } } }
        domainOrder(id: $id) { id }
      }`;
      const reused = parse(text);
      const limits = { ...DEFAULTS, maxCost: 100 };
      const refused = (variables: Record<string, unknown>) => checkCost(schema, reused, 'Page', variables, limits).length > 0;
      const asFresh = (variables: Record<string, unknown>) => checkCost(schema, parse(text), 'Page', variables, limits).length > 0;
      const cases: Record<string, unknown>[] = [
        { first: 10, deep: true, id: 'a' },
        { first: 30, deep: true, id: 'a' }, // 30 orders with 4 children each: about 151 objects
        { first: 30, deep: false, id: 'b' },
        { first: 10, deep: true, id: 'c' },
        { first: null, deep: true, id: 'e' }, // the default page size
        { deep: true, id: 'f' }, // no page size given at all
        { first: 30, deep: true, id: 'd' },
      ];
      expect(cases.map(refused)).toEqual([false, true, false, false, true, false, true]);
      expect(cases.map(refused)).toEqual(cases.map(asFresh));
    });

    it('variables nested exactly MAX_INPUT_DEPTH levels pass, one more is refused', () => {
      const deep = (levels: number) => {
        let value: unknown = 'leaf';
        for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { v: value };
        return value;
      };
      expect(checkVariables({ input: deep(MAX_INPUT_DEPTH) })).toEqual([]);
      expect(checkVariables({ input: deep(MAX_INPUT_DEPTH + 1) }).map((e) => e.message)).toEqual([
        `Variable "$input" is nested more than ${MAX_INPUT_DEPTH} levels deep`,
      ]);
    });
  });

  describe('over HTTP and graphql-ws', () => {
    let app: TestApp;
    const statements = new StatementLog();
    beforeAll(async () => {
      app = await startTestApp({ sqlLogger: statements, env: { DISPATCH_ENABLED: 'false' } });
    });
    afterAll(() => app.close());

    async function raw(body: unknown, token: string | null = app.token([Role.VIEWER])): Promise<GqlResponse<unknown>> {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, ...((await res.json()) as object) };
    }

    /** Sends an operation that must be refused with BAD_USER_INPUT before anything runs; returns the message. */
    async function refused(body: unknown, maxGrowthMiB = 32): Promise<string> {
      const before = statements.statements.length;
      let res!: GqlResponse<unknown>;
      const growth = await growthMiB(async () => {
        res = await raw(body);
      });
      expect(res.status).toBe(400);
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.data).toBeUndefined();
      expect(statements.statements.length).toBe(before); // nothing was executed
      expect(growth).toBeLessThan(maxGrowthMiB);
      return res.errors![0].message;
    }

    it('the operator console page (100 roots, three levels of children, their outbound requests, open fallouts) is served', async () => {
      await prepareOrderFulfillment(app);
      for (let i = 0; i < 3; i++) await submitOrder(app, (await createOrderTree(app, 3, 2)).id);
      const data = await app.ok(OperatorConsoleDocument, { first: 100 });
      expect(data.domainOrders.edges).toHaveLength(3);
      const deepest = data.domainOrders.edges[0].node.children[0].children[0].children[0];
      expect(deepest.outboundRequests).toHaveLength(1);
    });

    it('outboundRequests { domainOrders { outboundRequests { … } } } nested 50 levels deep', async () => {
      const query = `{ domainOrders(first: 100) { edges { node { ${nest(50, ['outboundRequests', 'domainOrders'], 'id')} } } } }`;
      expect(await refused({ query })).toBe(`Query depth limit of ${DEFAULTS.maxDepth} exceeded, found 54.`);
    });

    it('1,000 aliased domainOrders(first: 100) { edges { node { children { id } } } } (13,000 tokens)', async () => {
      const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: domainOrders(first: 100) { edges { node { children { id } } } }`);
      expect(await refused({ query: `{ ${aliases.join(' ')} }` })).toBe(TOKENS_MESSAGE);
    });

    it('100 aliased domainOrders(first: 100) { edges { node { children { id } } } } (within the tokens)', async () => {
      const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: domainOrders(first: 100) { edges { node { children { id } } } }`);
      expect(await refused({ query: `{ ${aliases.join(' ')} }` })).toBe(`Aliases limit of ${DEFAULTS.maxAliases} exceeded, found 100.`);
    });

    it('a 15 MB query of 750,000 aliased __typename, with a valid token', async () => {
      const query = `{ ${Array.from({ length: 750_000 }, (_, i) => `a${i} : __typename`).join(' ')} }`;
      expect(query.length).toBeGreaterThan(15_000_000);
      const body = JSON.stringify({ query });
      // The body itself is 15 MB, read and parsed as JSON; the GraphQL parser stops at the token limit.
      expect(await refused(body, 160)).toBe(TOKENS_MESSAGE);
    });

    it('the same 15 MB query without a token: 401 before the body is even read', async () => {
      const query = `{ ${Array.from({ length: 750_000 }, (_, i) => `a${i} : __typename`).join(' ')} }`;
      const body = Buffer.from(JSON.stringify({ query }));
      const before = statements.statements.length;
      // 64 KiB of the 15 MB are sent and the rest held back: the answer comes all the same.
      const res = await sendPart(`${app.url}/graphql`, { headers: { 'content-type': 'application/json' }, body, sent: 64 * 1024 });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toEqual({
        errors: [{ message: 'Sign in: send "Authorization: Bearer <token>"', extensions: { code: 'UNAUTHENTICATED' } }],
      });
      expect(statements.statements.length).toBe(before);
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    });

    it('a cyclic query within the depth limit whose estimated size is too big', async () => {
      const query = `{ outboundRequests(first: 500) { edges { node { ${nest(6, ['domainOrders', 'outboundRequests'], 'id')} } } } }`;
      expect(await refused({ query })).toMatch(
        new RegExp(
          `^The operation would resolve about \\d+ objects; at most ${DEFAULTS.maxCost} are allowed. Ask for smaller pages \\(first\\) or fewer nested lists$`,
        ),
      );
    });

    it('the page size counts when it comes as a variable', async () => {
      const query = `query Q($n: Int) { domainOrders(first: $n) { edges { node { ${nest(4, ['children', 'children'], 'outboundRequests { domainOrders { id } }')} } } } }`;
      expect(await refused({ query, variables: { n: 500 } })).toMatch(/^The operation would resolve about \d+ objects/);
      const small = await raw({ query, variables: { n: 2 } });
      expect(small.errors).toBeUndefined();
    });

    it('too many directives', async () => {
      const query = `{ openApis { api ${'@include(if: true) '.repeat(DEFAULTS.maxDirectives + 1)} } }`;
      expect(await refused({ query })).toBe(`Directives limit of ${DEFAULTS.maxDirectives} exceeded, found ${DEFAULTS.maxDirectives + 1}.`);
    });

    it('fragments spread inside each other until the operation has millions of fields', async () => {
      const fragments = Array.from(
        { length: 30 },
        (_, i) => `fragment F${i} on Query { ${i < 29 ? `...F${i + 1} ...F${i + 1}` : 'openApis { api }'} }`,
      );
      expect(await refused({ query: `{ ...F0 } ${fragments.join(' ')}` })).toBe(
        'The operation has too many fields once its fragments are spread; write it with fewer',
      );
    });

    it('variables nested 100,000 levels deep (they used to overflow the stack in input coercion)', async () => {
      const depth = 100_000;
      const variables = `${'{"children":['.repeat(depth / 2)}${'{"action":"ADD","serviceSpecification":{"id":"s"}}'}${']}'.repeat(depth / 2)}`;
      const body = `{"query":"mutation M($input: DomainOrderInput!) { createDomainOrder(input: $input) { id } }","variables":{"input":${variables}}}`;
      const res = await raw(body, app.token([Role.ADMIN]));
      expect(res.status).toBe(400);
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toBe(`Variable "$input" is nested more than ${MAX_INPUT_DEPTH} levels deep`);
    });

    it('an inline argument nested deeper than the bound', async () => {
      const value = `${'{ children: ['.repeat(60)}{ action: ADD, serviceSpecification: { id: "s" } }${'] }'.repeat(60)}`;
      const res = await raw({ query: `mutation { createDomainOrder(input: ${value}) { id } }` }, app.token([Role.ADMIN]));
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toBe(`Argument "input" is nested more than ${MAX_INPUT_DEPTH} levels deep`);
    });

    it("outside production, Apollo's landing page is there for browsers", async () => {
      const page = await fetch(`${app.url}/graphql`, {
        headers: { accept: 'text/html', authorization: `Bearer ${app.token([Role.VIEWER])}` },
      });
      expect(page.headers.get('content-type')).toContain('text/html');
    });

    it('errors suggest no names of the schema', async () => {
      const res = await raw({ query: '{ externalSystems { id nam } }' });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toBe('Cannot query field "nam" on type "ExternalSystem".');
      const badEnum = await raw({
        query: 'query Q($s: DecisionSubject) { decisionRules(subject: $s) { id } }',
        variables: { s: 'DOMAIN_ORDERS' },
      });
      expect(code(badEnum)).toBe('BAD_USER_INPUT');
      expect(badEnum.errors![0].message).not.toMatch(/did you mean/i);
    });

    it('graphql-ws subscriptions pass the same limits', async () => {
      const client = app.wsClient(app.token([Role.VIEWER]));
      const subscribe = (query: string) =>
        new Promise<{ errors?: { message: string; extensions?: { code?: string } }[] }>((resolve) => {
          client.subscribe(
            { query },
            { next: () => undefined, error: (errors) => resolve({ errors: errors as never }), complete: () => resolve({}) },
          );
        });
      const deep = await subscribe(`subscription { outboundRequestChanged { ${nest(20, ['domainOrders', 'outboundRequests'], 'id')} } }`);
      expect(deep.errors).toEqual([
        { message: `Query depth limit of ${DEFAULTS.maxDepth} exceeded, found 22.`, extensions: { code: 'BAD_USER_INPUT' } },
      ]);
      const costly = await subscribe(`subscription { outboundRequestChanged { ${nest(5, ['domainOrders', 'outboundRequests'], 'id')} } }`);
      expect(costly.errors![0].message).toMatch(/^The operation would resolve about \d+ objects/);
      const invalid = await subscribe('subscription { outboundRequestChanged { nam } }');
      expect(invalid.errors).toEqual([
        {
          message: 'Cannot query field "nam" on type "OutboundRequest".',
          locations: [{ line: 1, column: 41 }],
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ]);
      // A well-formed subscription is still accepted.
      const before = app.runtime.services.eventBus.subscriberCount;
      const stop = client.subscribe(
        { query: print(OutboundRequestChangedDocument) },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
      const deadline = Date.now() + 5000;
      while (app.runtime.services.eventBus.subscriberCount <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(app.runtime.services.eventBus.subscriberCount).toBe(before + 1);
      stop();
    });
  });

  describe('with introspection off (NODE_ENV=production)', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ env: { NODE_ENV: 'production', DISPATCH_ENABLED: 'false' } });
    });
    afterAll(() => app.close());

    it('refuses introspection over HTTP and graphql-ws, and shows no landing page', async () => {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token([Role.ADMIN])}` },
        body: JSON.stringify({ query: '{ __schema { types { name } } }' }),
      });
      const body = (await res.json()) as GqlResponse<unknown>;
      expect(code(body)).toBe('BAD_USER_INPUT');
      expect(body.errors![0].message).toMatch(/introspection is not allowed/);

      const ws = await new Promise<unknown>((resolve) =>
        app
          .wsClient(app.token([Role.VIEWER]))
          .subscribe(
            { query: '{ __type(name: "DomainOrder") { name } }' },
            { next: () => undefined, error: resolve, complete: () => resolve(null) },
          ),
      );
      expect((ws as { message: string; extensions: { code: string } }[])[0]).toMatchObject({
        message: expect.stringMatching(/introspection/),
        extensions: { code: 'BAD_USER_INPUT' },
      });

      const page = await fetch(`${app.url}/graphql`, {
        headers: { accept: 'text/html', authorization: `Bearer ${app.token([Role.VIEWER])}` },
      });
      expect(page.headers.get('content-type')).not.toContain('text/html');
      // Ordinary queries are served as ever.
      expect((await app.ok(OperatorConsoleDocument, { first: 10 })).domainOrders.totalCount).toBe(0);
    });
  });

  describe('configuration', () => {
    it('has safe defaults and refuses nonsense', () => {
      expect(loadConfig({}).graphql).toEqual({
        maxDepth: 12,
        maxAliases: 30,
        maxDirectives: 50,
        maxTokens: 10000,
        maxCost: 200000,
        introspection: true,
      });
      expect(() => loadConfig({ GRAPHQL_MAX_DEPTH: '0', GRAPHQL_MAX_COST: 'lots' })).toThrow(
        /GRAPHQL_MAX_DEPTH must be a whole number from 1 to 100 \(got "0"\)[\s\S]*GRAPHQL_MAX_COST must be a whole number/,
      );
    });

    it('turns introspection off in production unless GRAPHQL_INTROSPECTION=true', () => {
      expect(loadConfig({ NODE_ENV: 'production' }).graphql.introspection).toBe(false);
      expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }).graphql.introspection).toBe(true);
      expect(loadConfig({ GRAPHQL_INTROSPECTION: 'false' }).graphql.introspection).toBe(false);
    });
  });
});
