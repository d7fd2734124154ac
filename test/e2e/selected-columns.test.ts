import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  getNamedType,
  GraphQLObjectType,
  isLeafType,
  isNonNullType,
  parse,
  type GraphQLField,
  type GraphQLOutputType,
} from 'graphql';
import type { Simulator } from '../../src/simulator';
import {
  CancelTestRunDocument,
  CreateDomainOrderDocument,
  CreateFulfillmentRequestDocument,
  CreateTestRunDocument,
  SubmitTestRunDocument,
  type DomainOrderInput,
} from '../__generated__/graphql';
import { createSpec } from '../graphql/factories';
import type { TestApp } from '../support/app';
import { CASE, caseOrder, caseRule, waitFor } from './e2e-kit';
import { callingBackSystem, closeInboundWorld, startInboundWorld, untilOrder, untilRun } from './inbound-kit';

/**
 * Lists read only the columns an operation selects (and what the selected field resolvers declare they
 * read): a field resolver that reads a column it did not declare would fail, or answer differently,
 * when it is selected alone. So every field of every listed type, at the top of a page and nested in a
 * list, is asked alone and compared with the same field asked together with all the others.
 */
describe('E2E: each field answers the same alone as among all fields (lists read the selected columns)', () => {
  let app: TestApp;
  let sim: Simulator;
  const schema = buildSchema(readFileSync(join(__dirname, '../../src/schema/schema.graphql'), 'utf8'));

  const tree = (caseName: string): DomainOrderInput => {
    const withCase = () => caseOrder(caseName);
    return { ...withCase(), children: [withCase(), { ...withCase(), children: [withCase()] }] };
  };

  beforeAll(async () => {
    ({ app, sim } = await startInboundWorld());
    // A tree FULFILLED through its events; an order waiting for information (an inbound fallout, open).
    const orders = await callingBackSystem(app, sim, 'orders');
    await caseRule(app, orders.system.id, 'columns-tree');
    await caseRule(app, orders.system.id, 'columns-info');
    const root = (await app.ok(CreateDomainOrderDocument, { input: tree('columns-tree') })).createDomainOrder;
    await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: root.id });
    const info = (
      await app.ok(CreateDomainOrderDocument, {
        input: caseOrder('columns-info', {
          characteristics: [
            { name: CASE, value: 'columns-info' },
            { name: 'bandwidth', value: '100M' },
            { name: 'simulatorScenario', value: 'infoRequired=serviceCharacteristic.bandwidth' },
          ],
        }),
      })
    ).createDomainOrder;
    await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: info.id });
    await untilOrder(
      app,
      root.id,
      (o) => o.fulfillmentState === 'FULFILLED' && o.children.every((c) => c.fulfillmentState === 'FULFILLED'),
      'the tree FULFILLED',
    );
    await untilOrder(app, info.id, (o) => o.informationRequired !== null, 'the information request');
    // A test run FULFILLED with a measure; one cancelled while pending (the simulator now calls the test system back).
    const tests = await callingBackSystem(app, sim, 'tests');
    await caseRule(app, tests.system.id, 'columns-run', { subject: 'TEST_RUN' });
    const spec = await createSpec(app, {
      measureDefinitions: [{ definitionId: 'def-latency', metricName: 'latency', unitOfMeasure: 'ms' }],
    });
    const run = async (scenario: string) => {
      const input = {
        name: 'Line check',
        specificationId: spec.id,
        relatedServiceId: 'svc-columns',
        characteristics: [
          { name: CASE, value: 'columns-run' },
          { name: 'simulatorScenario', value: scenario },
        ],
      };
      const created = (await app.ok(CreateTestRunDocument, { input })).createTestRun;
      await app.ok(SubmitTestRunDocument, { testRunId: created.id });
      return created;
    };
    const measured = await run('measure.latency=42');
    const pending = await run('outcome=pending');

    await untilRun(app, measured.id, (r) => r.fulfillmentState === 'FULFILLED', 'the run FULFILLED');
    await untilRun(app, pending.id, (r) => r.externalState === 'pending', 'the run pending');
    await app.ok(CancelTestRunDocument, { id: pending.id, reason: 'not needed' });
    await untilRun(app, pending.id, (r) => r.fulfillmentState === 'CANCELED', 'the run CANCELED');
    // Quiet: no inbound message arrives for a while.
    let seen = -1;
    await waitFor(async () => {
      const count = (await read<{ inboundMessages: { totalCount: number } }>('{ inboundMessages { totalCount } }')).inboundMessages
        .totalCount;
      const quiet = count === seen;
      seen = count;
      if (!quiet) await new Promise((resolve) => setTimeout(resolve, 300));
      return quiet;
    }, 'no more inbound messages');
  }, 60_000);
  afterAll(() => closeInboundWorld({ app, sim }));

  async function read<T>(query: string): Promise<T> {
    return app.ok(parse(query), {});
  }

  /** What a field of an object type is asked with: its id, or a connection's count, or its leaf fields. */
  function subselection(type: GraphQLOutputType): string {
    const named = getNamedType(type);
    if (!(named instanceof GraphQLObjectType)) return '';
    const fields = named.getFields();
    if (fields.id) return '{ id }';
    if (fields.totalCount) return '{ totalCount }';
    const leaves = Object.values(fields).filter((f) => isLeafType(getNamedType(f.type)) && !f.args.some((a) => isNonNullType(a.type)));
    return `{ ${leaves.map((f) => f.name).join(' ')} }`;
  }

  function fieldsOf(typeName: string): GraphQLField<unknown, unknown>[] {
    const type = schema.getType(typeName) as GraphQLObjectType;
    return Object.values(type.getFields()).filter((f) => !f.args.some((a) => isNonNullType(a.type)));
  }

  type Node = Record<string, unknown> & { id: string };
  type Data = Record<string, { edges: { node: Record<string, unknown> }[] }>;
  const nodesOf = (data: Data, list: string) => data[list].edges.map((e) => e.node);
  const under = (field: string) => (nodes: Record<string, unknown>[]) =>
    nodes.flatMap((n) => {
      const value = n[field] as Node | Node[] | { edges: { node: Node }[] } | null;
      if (value === null) return [];
      if (Array.isArray(value)) return value;
      const connection = value as { edges?: { node: Node }[] };
      return connection.edges ? connection.edges.map((e) => e.node) : [value];
    });

  /** Where a type's objects are listed: a page, or a list under a page's nodes. */
  const positions: { type: string; where: string; query: (selection: string) => string; nodes: (data: Data) => Node[] }[] = [
    ['DomainOrder', 'domainOrders', ''],
    ['DomainOrder', 'domainOrders', 'children'],
    ['DomainOrder', 'outboundRequests', 'domainOrders'],
    ['DomainOrder', 'fallouts', 'domainOrders'],
    ['DomainOrder', 'inboundMessages', 'domainOrders'],
    ['TestRun', 'testRuns', ''],
    ['TestRun', 'outboundRequests', 'testRuns'],
    ['OutboundRequest', 'outboundRequests', ''],
    ['OutboundRequest', 'domainOrders', 'outboundRequests'],
    ['OutboundRequest', 'fallouts', 'outboundRequest'],
    ['Fallout', 'fallouts', ''],
    ['InboundMessage', 'inboundMessages', ''],
    ['InboundMessage', 'domainOrders', 'inboundMessages'],
  ].map(([type, list, field]) => ({
    type,
    where: field ? `${list} > ${field}` : list,
    query: (selection: string) => {
      const nested = field === 'inboundMessages' ? `${field}(first: 20) { edges { node { ${selection} } } }` : `${field} { ${selection} }`;
      return `{ ${list}(first: 20) { edges { node { ${field ? `id ${nested}` : selection} } } } }`;
    },
    nodes: (data: Data) => (field ? under(field)(nodesOf(data, list)) : nodesOf(data, list)) as Node[],
  }));

  it.each(positions.map((p) => [`${p.type} in ${p.where}`, p] as const))('%s', async (_, position) => {
    const fields = fieldsOf(position.type);
    const all = position.nodes(await read<Data>(position.query(fields.map((f) => `${f.name} ${subselection(f.type)}`).join(' '))));
    expect(all.length).toBeGreaterThan(0);
    const byId = new Map(all.map((n) => [n.id, n]));
    for (const field of fields) {
      const alone = position.nodes(await read<Data>(position.query(`id ${field.name} ${subselection(field.type)}`)));
      expect(alone.map((n) => n.id)).toEqual(all.map((n) => n.id));
      for (const node of alone) expect({ [field.name]: node[field.name] }).toEqual({ [field.name]: byId.get(node.id)![field.name] });
    }
  });

  it('the lists hold what the comparison needs: children, requests of both kinds, fallouts, messages linked to records', async () => {
    const data = await read<Data>(`{
      domainOrders(first: 20) { edges { node { id children { id } outboundRequests { id } inboundMessages { totalCount } } } }
      fallouts(first: 20) { edges { node { id inboundMessage { id } domainOrders { id } } } }
      outboundRequests(first: 20) { edges { node { id testRuns { id } } } }
      testRuns(first: 20) { edges { node { id measures { value } cancellation { state } } } }
    }`);
    const orders = nodesOf(data, 'domainOrders');
    expect(orders.some((o) => (o.children as unknown[]).length > 0)).toBe(true);
    expect(orders.some((o) => (o.inboundMessages as { totalCount: number }).totalCount > 0)).toBe(true);
    expect(nodesOf(data, 'fallouts').some((f) => f.inboundMessage !== null && (f.domainOrders as unknown[]).length > 0)).toBe(true);
    expect(nodesOf(data, 'outboundRequests').some((r) => (r.testRuns as unknown[]).length > 0)).toBe(true);
    const runs = nodesOf(data, 'testRuns');
    expect(runs.some((r) => (r.measures as unknown[]).length > 0)).toBe(true);
    expect(runs.some((r) => r.cancellation !== null)).toBe(true);
  });
});
