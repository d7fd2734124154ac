import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { projectRoot } from '../../src/project-root';
import { Role } from '../../src/services/auth/roles';
import { startTestApp, type TestApp } from '../support/app';
import { closedPort } from '../e2e/e2e-kit';
import { createOrder, createRule, createRun, createSpec, createSystem, orderInput, submitOrder } from './factories';
import { ActivateOpenApiDocument } from '../__generated__/graphql';

/** Runs per mutation: enough to reach every input field with hostile values, bounded to stay well under 30 s on PGlite. */
const RUNS = 10;

/** Text that breaks things: storage (NUL, lone surrogates), parsers, URLs, sizes, look-alikes. */
const nasty = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\ud800b',
  '\udc00',
  '\ufeff',
  'x'.repeat(5000),
  'http://169.254.169.254/latest/meta-data/',
  'http://[::ffff:127.0.0.1]/',
  "'; DROP TABLE domain_order; --",
  '{"__proto__": {"polluted": true}}',
  '__proto__',
  '../../../etc/passwd',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ ünïcödé',
  '00000000-0000-0000-0000-000000000000',
  'characteristic.bandwidth',
  '1e309',
  '-0',
);
const text = fc.oneof(nasty, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }));
const json: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

/**
 * Arbitrary values for a GraphQL input type: mostly of the right shape with hostile contents (so that
 * they get past coercion into the services), sometimes of the wrong shape (null where it may not be,
 * a string for a number, an unknown field) to exercise coercion itself.
 */
function arbitraryFor(type: GraphQLInputType, ids: string[], depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type))
    return fc.oneof({ weight: 12, arbitrary: arbitraryFor(type.ofType, ids, depth) }, { weight: 1, arbitrary: fc.constant(null) });
  const inner = (): fc.Arbitrary<unknown> => {
    // Recursive inputs (an order's children) stop growing three levels down.
    if (isListType(type)) return depth > 2 ? fc.constant([]) : fc.array(arbitraryFor(type.ofType, ids, depth + 1), { maxLength: 3 });
    if (isEnumType(type))
      return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...type.getValues().map((v) => v.name)) }, { weight: 1, arbitrary: text });
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields());
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const f of fields) model[f.name] = arbitraryFor(f.type, ids, depth + 1);
      const required = fields.filter((f) => isNonNullType(f.type)).map((f) => f.name);
      const record = fc.record(model, { requiredKeys: required });
      return fc.oneof(
        { weight: 10, arbitrary: record },
        { weight: 1, arbitrary: fc.tuple(record, text).map(([r, k]) => ({ ...(r as object), [k || 'extra']: 1 })) },
      );
    }
    if (isScalarType(type)) {
      switch (type.name) {
        case 'ID':
          return fc.oneof(fc.constantFrom(...ids), fc.uuid(), text);
        case 'Int':
          return fc.oneof(fc.integer({ min: -3, max: 200 }), fc.constantFrom(0, -1, 2147483647, -2147483648, 1e10));
        case 'Float':
          return fc.double({ noNaN: true, noDefaultInfinity: true });
        case 'Boolean':
          return fc.boolean();
        case 'DateTime':
          return fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            text,
          );
        case 'JSON':
          return json;
        default:
          return text;
      }
    }
    return fc.constant(null);
  };
  // A value of another type entirely, now and then.
  return fc.oneof({ weight: 10, arbitrary: inner() }, { weight: 1, arbitrary: fc.oneof(fc.constant(null), text, fc.integer(), json) });
}

/** A statement that counts the rows of every table at once. */
async function rowCountStatement(app: TestApp): Promise<string> {
  const tables = await app.db.dataSource.query<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  return `SELECT ${tables.map((t) => `(SELECT count(*) FROM "${t.table_name}")::int AS "${t.table_name}"`).join(', ')}`;
}

/**
 * Every mutation of the schema, through GraphQL as an ADMIN, with arbitrary inputs: never
 * INTERNAL_SERVER_ERROR, and a refused mutation leaves every table's row count as it was.
 * Operations are built from the emitted schema (not codegen documents): the point is to reach every
 * argument of every mutation, whatever is added later.
 */
describe('every mutation, arbitrary input (property test)', () => {
  let app: TestApp;
  const ids: string[] = [];
  let countRows: () => Promise<Record<string, number>>;
  const schema = buildSchema(readFileSync(join(projectRoot(), 'src', 'schema', 'schema.graphql'), 'utf8'));
  const mutations = Object.values(schema.getMutationType()!.getFields());

  beforeAll(async () => {
    // No dispatcher: nothing may change the tables behind the test's back.
    app = await startTestApp({ env: { DISPATCH_ENABLED: 'false' } });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_TEST_TMF653' });
    // Real ids among the arbitrary ones, so that inputs reach past "not found"; systems on a closed port, so calls fail fast.
    const port = await closedPort();
    const system = await createSystem(app, { baseUrl: `http://127.0.0.1:${port}/tmf-api/serviceOrdering/v4` });
    const testSystem = await createSystem(app, { api: 'SERVICE_TEST_TMF653', baseUrl: `http://127.0.0.1:${port}/tmf-api/serviceTest/v4` });
    const rule = await createRule(app, system.id);
    const order = await createOrder(app, { children: [orderInput({ category: 'RFS' })] });
    const submitted = await createOrder(app);
    const request = (await submitOrder(app, submitted.id)).outboundRequests[0];
    const spec = await createSpec(app);
    const run = await createRun(app, spec.id);
    const statement = await rowCountStatement(app);
    countRows = async () => (await app.db.dataSource.query<Record<string, number>[]>(statement))[0];
    ids.push(system.id, testSystem.id, rule.id, order.id, order.children[0].id, submitted.id, request.id, spec.id, run.id);
  });
  afterAll(() => app?.close());

  const selection = (field: GraphQLField<unknown, unknown>) => (isObjectType(getNamedType(field.type)) ? ' { __typename }' : '');

  it.each(mutations.map((m) => [m.name, m] as const))('%s', async (_name, mutation) => {
    const args = mutation.args;
    const query =
      `mutation Property${args.length ? `(${args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ')})` : ''} ` +
      `{ ${mutation.name}${args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : ''}${selection(mutation)} }`;
    const variables = fc.record(Object.fromEntries(args.map((a) => [a.name, arbitraryFor(a.type, ids)])));
    await fc.assert(
      fc.asyncProperty(variables, async (vars) => {
        const before = await countRows();
        const res = await fetch(`${app.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token([Role.ADMIN])}` },
          body: JSON.stringify({ query, variables: vars }),
        });
        const body = (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
        expect(res.status).toBeLessThan(500);
        const codes = (body.errors ?? []).map((e) => e.extensions?.code);
        expect(codes).not.toContain('INTERNAL_SERVER_ERROR');
        expect(codes).not.toContain(undefined);
        if (body.errors?.length) expect(await countRows()).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });
});
