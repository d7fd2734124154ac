import { randomUUID } from 'node:crypto';
import {
  CancelTestRunDocument,
  CreateTestRunDocument,
  ReviseTestRunDocument,
  TestRunDocument,
  TestRunIdsDocument,
  type TestRunFilter,
  type TestRunIdsQuery,
} from '../__generated__/graphql';
import { code, startTestApp, type TestApp } from '../support/app';
import { createOrder, createRun, createSpec, runInput } from './factories';

const NUMBER = /^TR\d{7}$/;

describe('Test runs', () => {
  let app: TestApp;
  let spec: Awaited<ReturnType<typeof createSpec>>;
  beforeAll(async () => {
    app = await startTestApp({ env: { DISPATCH_ENABLED: 'false' } });
    spec = await createSpec(app, {
      name: 'Line quality',
      measureDefinitions: [
        { definitionId: 'def-sync', metricName: 'syncRate', unitOfMeasure: 'kbit/s' },
        { definitionId: 'def-snr', metricName: 'snrMargin', unitOfMeasure: 'dB' },
      ],
    });
  });
  afterAll(() => app.close());

  const get = async (id: string) => (await app.ok(TestRunDocument, { id })).testRun!;

  async function walk(filter: TestRunFilter | null, first: number) {
    const pages: { ids: string[]; hasNextPage: boolean; totalCount: number }[] = [];
    let after: string | null | undefined = null;
    for (let i = 0; i < 1000; i++) {
      const conn: TestRunIdsQuery['testRuns'] = (await app.ok(TestRunIdsDocument, { first, after, filter })).testRuns;
      pages.push({ ids: conn.edges.map((e) => e.node.id), hasNextPage: conn.pageInfo.hasNextPage, totalCount: conn.totalCount });
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    return pages;
  }

  describe('creating', () => {
    it('creates a run with its specification, ON_DEMAND by default', async () => {
      const run = await createRun(app, spec.id, {
        name: 'Check line 42',
        relatedServiceId: 'svc-42',
        characteristics: [{ name: 'port', value: 'ge-0/0/1', valueType: 'string' }],
      });
      expect(run).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        number: expect.stringMatching(NUMBER),
        name: 'Check line 42',
        mode: 'ON_DEMAND',
        relatedServiceId: 'svc-42',
        version: 1,
        updatesAvailable: false,
        fulfillmentState: 'NOT_REQUESTED',
        externalState: null,
        externalId: null,
        canRequestFulfillment: true,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        characteristics: [{ name: 'port', value: 'ge-0/0/1', valueType: 'string' }],
        specification: {
          id: spec.id,
          externalId: spec.externalId,
          name: 'Line quality',
          measureDefinitions: spec.measureDefinitions.map((d) => ({ id: d.id, definitionId: d.definitionId, metricName: d.metricName })),
        },
        measures: [],
        children: [],
      });
      const proactive = await createRun(app, spec.id, { mode: 'PROACTIVE' });
      expect(proactive.mode).toBe('PROACTIVE');
      expect(proactive.number > run.number).toBe(true);
    });

    it('creates a whole tree in one call, children in creation order, each knowing its parent', async () => {
      const input = runInput(spec.id, {
        name: 'root',
        children: [
          runInput(spec.id, { name: 'a', children: [runInput(spec.id, { name: 'a.0' }), runInput(spec.id, { name: 'a.1' })] }),
          runInput(spec.id, { name: 'b', mode: 'PROACTIVE' }),
        ],
      });
      const root = (await app.ok(CreateTestRunDocument, { input })).createTestRun;
      const numbers = [root.number, ...root.children.flatMap((c) => [c.number, ...c.children.map((g) => g.number)])];
      expect(numbers).toHaveLength(5);
      expect(numbers.every((n) => NUMBER.test(n))).toBe(true);
      expect(new Set(numbers).size).toBe(5);

      const stored = await get(root.id);
      expect(stored.parent).toBeNull();
      expect(stored.children.map((c) => [c.name, c.mode])).toEqual([
        ['a', 'ON_DEMAND'],
        ['b', 'PROACTIVE'],
      ]);
      const a = await get(root.children[0].id);
      expect(a.parent).toEqual({ id: root.id, number: root.number });
      expect(a.children.map((c) => c.name)).toEqual(['a.0', 'a.1']);
      expect((await get(a.children[1].id)).parent).toEqual({ id: a.id, number: a.number });
    });

    it('attaches a new run under an existing one with parentId', async () => {
      const parent = await createRun(app, spec.id);
      const child = await createRun(app, spec.id, { parentId: parent.id, name: 'attached' });
      expect((await get(child.id)).parent).toEqual({ id: parent.id, number: parent.number });
      expect((await get(parent.id)).children.map((c) => c.id)).toEqual([child.id]);
    });

    it('the specification must exist: NOT_FOUND naming input.specificationId', async () => {
      const missing = randomUUID();
      const res = await app.gql(CreateTestRunDocument, { input: runInput(missing) });
      expect(code(res)).toBe('NOT_FOUND');
      expect(res.errors![0].extensions!.field).toBe('input.specificationId');
      expect(res.errors![0].message).toBe(`Test specification "${missing}" does not exist (input.specificationId)`);

      const nested = await app.gql(CreateTestRunDocument, {
        input: runInput(spec.id, { children: [runInput(spec.id), runInput('TS-LINE-001')] }),
      });
      expect(code(nested)).toBe('NOT_FOUND');
      expect(nested.errors![0].extensions!.field).toBe('input.children[1].specificationId');
    });

    it('a parentId that is a domain order is BAD_USER_INPUT; an unknown one NOT_FOUND', async () => {
      const order = await createOrder(app);
      const other = await app.gql(CreateTestRunDocument, { input: runInput(spec.id, { parentId: order.id }) });
      expect(code(other)).toBe('BAD_USER_INPUT');
      expect(other.errors![0].extensions!.field).toBe('input.parentId');
      expect(other.errors![0].message).toContain('is a domain order');
      const unknown = await app.gql(CreateTestRunDocument, { input: runInput(spec.id, { parentId: randomUUID() }) });
      expect(code(unknown)).toBe('NOT_FOUND');
      expect(unknown.errors![0].extensions!.field).toBe('input.parentId');
    });

    const refusals: [string, () => Parameters<typeof runInput>[1], string][] = [
      ['an empty name', () => ({ name: '' }), 'input.name'],
      ['an empty related service id', () => ({ relatedServiceId: ' ' }), 'input.relatedServiceId'],
      [
        'a nested run without a name',
        () => ({ children: [runInput(spec.id), runInput(spec.id, { name: '  ' })] }),
        'input.children[1].name',
      ],
      [
        'a nested child with a parentId of its own',
        () => ({ children: [runInput(spec.id, { parentId: randomUUID() })] }),
        'input.children[0].parentId',
      ],
      [
        'two characteristics with the same name',
        () => ({
          characteristics: [
            { name: 'port', value: '1' },
            { name: 'port', value: '2' },
          ],
        }),
        'input.characteristics[1].name',
      ],
    ];

    it.each(refusals)('refuses %s with BAD_USER_INPUT naming the field, storing nothing', async (_what, overrides, field) => {
      const before = (await app.ok(TestRunIdsDocument, { first: 0 })).testRuns.totalCount;
      const res = await app.gql(CreateTestRunDocument, { input: runInput(spec.id, overrides()) });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe(field);
      expect((await app.ok(TestRunIdsDocument, { first: 0 })).testRuns.totalCount).toBe(before);
    });
  });

  describe('listing', () => {
    it('walks all runs once with first/after and filters by parentId, rootsOnly and fulfillmentState', async () => {
      const root = (
        await app.ok(CreateTestRunDocument, {
          input: runInput(spec.id, { children: Array.from({ length: 5 }, (_, i) => runInput(spec.id, { name: `c${i}` })) }),
        })
      ).createTestRun;
      const pages = await walk({ parentId: root.id }, 2);
      expect(pages.map((p) => [p.ids.length, p.hasNextPage, p.totalCount])).toEqual([
        [2, true, 5],
        [2, true, 5],
        [1, false, 5],
      ]);
      expect(pages.flatMap((p) => p.ids)).toEqual(root.children.map((c) => c.id).reverse());

      const roots = (await walk({ rootsOnly: true }, 500)).flatMap((p) => p.ids);
      expect(roots).toContain(root.id);
      expect(roots).not.toContain(root.children[0].id);

      await app.ok(CancelTestRunDocument, { id: root.children[2].id });
      const canceled = (await walk({ fulfillmentState: 'CANCELED', parentId: root.id }, 10)).flatMap((p) => p.ids);
      expect(canceled).toEqual([root.children[2].id]);

      const all = await walk(null, 500);
      expect(all.flatMap((p) => p.ids)).toHaveLength(all[0].totalCount);
    });

    it.each([
      [{ first: 501 }, 'first'],
      [{ first: -5 }, 'first'],
      [{ first: 1, after: 'not-a-cursor' }, 'after'],
    ])('refuses %j with BAD_USER_INPUT naming %s', async (vars, field) => {
      const res = await app.gql(TestRunIdsDocument, vars);
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe(field);
    });
  });

  describe('revising', () => {
    it('replaces characteristics, renames and bumps the version; a stale version is a CONFLICT', async () => {
      const run = await createRun(app, spec.id, { characteristics: [{ name: 'a', value: '1' }] });
      const revised = (
        await app.ok(ReviseTestRunDocument, {
          id: run.id,
          input: { name: 'renamed', characteristics: [{ name: 'b', value: '2' }], expectedVersion: 1 },
        })
      ).reviseTestRun;
      expect(revised).toMatchObject({
        name: 'renamed',
        characteristics: [{ name: 'b', value: '2', valueType: null }],
        version: 2,
        updatesAvailable: false,
      });
      const stale = await app.gql(ReviseTestRunDocument, { id: run.id, input: { name: 'stale', expectedVersion: 1 } });
      expect(code(stale)).toBe('CONFLICT');
      expect(stale.errors![0].message).toContain(run.number);
      expect(await get(run.id)).toMatchObject({ name: 'renamed', version: 2 });
    });

    it('of two concurrent revisions with the same expectedVersion exactly one succeeds', async () => {
      const run = await createRun(app, spec.id);
      const results = await Promise.all(
        ['A', 'B'].map((who) => app.gql(ReviseTestRunDocument, { id: run.id, input: { name: who, expectedVersion: 1 } })),
      );
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      expect(results.filter((r) => r.errors).map(code)).toEqual(['CONFLICT']);
      const winner = results.find((r) => !r.errors)!.data!.reviseTestRun;
      expect(await get(run.id)).toMatchObject({ name: winner.name, version: 2 });
    });

    it('refuses an empty name (BAD_USER_INPUT) and an unknown id (NOT_FOUND)', async () => {
      const run = await createRun(app, spec.id);
      const empty = await app.gql(ReviseTestRunDocument, { id: run.id, input: { name: '' } });
      expect(code(empty)).toBe('BAD_USER_INPUT');
      expect(empty.errors![0].extensions!.field).toBe('input.name');
      const unknown = await app.gql(ReviseTestRunDocument, { id: randomUUID(), input: { name: 'x' } });
      expect(code(unknown)).toBe('NOT_FOUND');
      expect(unknown.errors![0].extensions!.field).toBe('id');
    });
  });

  describe('cancelling', () => {
    it('cancels the run and every descendant, each with version + 1', async () => {
      const root = (
        await app.ok(CreateTestRunDocument, {
          input: runInput(spec.id, { children: [runInput(spec.id, { children: [runInput(spec.id)] }), runInput(spec.id)] }),
        })
      ).createTestRun;
      const canceled = (await app.ok(CancelTestRunDocument, { id: root.id, reason: 'ticket closed' })).cancelTestRun;
      expect(canceled).toMatchObject({ fulfillmentState: 'CANCELED', version: 2, canRequestFulfillment: false });
      expect(canceled.children).toEqual(root.children.map((c) => ({ id: c.id, fulfillmentState: 'CANCELED', version: 2 })));
      const grandchild = await get(root.children[0].children[0].id);
      expect([grandchild.fulfillmentState, grandchild.version]).toEqual(['CANCELED', 2]);
    });

    it('cancelling again is a CONFLICT; a canceled run gets no children and no revisions', async () => {
      const run = await createRun(app, spec.id);
      await app.ok(CancelTestRunDocument, { id: run.id });
      const again = await app.gql(CancelTestRunDocument, { id: run.id });
      expect(code(again)).toBe('CONFLICT');
      expect(again.errors![0].message).toBe(`Test run ${run.number} is already canceled`);
      const child = await app.gql(CreateTestRunDocument, { input: runInput(spec.id, { parentId: run.id }) });
      expect(code(child)).toBe('BAD_USER_INPUT');
      expect(child.errors![0].extensions!.field).toBe('input.parentId');
      const revise = await app.gql(ReviseTestRunDocument, { id: run.id, input: { name: 'x' } });
      expect(code(revise)).toBe('CONFLICT');
      expect(await get(run.id)).toMatchObject({ version: 2, children: [] });
    });

    it('of two concurrent cancellations exactly one succeeds; the run is cancelled once', async () => {
      const run = await createRun(app, spec.id);
      const results = await Promise.all([1, 2].map(() => app.gql(CancelTestRunDocument, { id: run.id })));
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      expect(results.filter((r) => r.errors).map(code)).toEqual(['CONFLICT']);
      expect(await get(run.id)).toMatchObject({ fulfillmentState: 'CANCELED', version: 2 });
    });

    it('an unknown id is NOT_FOUND', async () => {
      const res = await app.gql(CancelTestRunDocument, { id: 'TR0001001' });
      expect(code(res)).toBe('NOT_FOUND');
      expect(res.errors![0].extensions!.field).toBe('id');
    });
  });
});
