import { randomBytes } from 'node:crypto';
import type { Simulator } from '../simulator';
import { DemoClient } from './demo-client';

/** What the demo runs against: a gateway (its base URL and an admin token) and two simulators, one per API. */
export interface DemoWorld {
  gatewayUrl: string;
  adminToken: string;
  /** Plays the network activation system (TMF641). */
  ordering: Simulator;
  /** Plays the test and diagnostics system (TMF653). */
  testing: Simulator;
}

/** The records the demo created, by what they are meant to show. */
export interface DemoRecords {
  orderingSystemId: string;
  testSystemId: string;
  /** A three-level tree that completes item by item, with a milestone on the root. */
  happyOrder: { id: string; number: string };
  /** The network fails it: ERROR with an EXTERNAL_FAILURE fallout. */
  failingOrder: { id: string; number: string };
  /** The network asks for the bandwidth: informationRequired and an INFORMATION_REQUIRED fallout. */
  questionOrder: { id: string; number: string };
  /** A test run with two child runs that complete with measures. */
  testRun: { id: string; number: string };
}

const SCENARIO = 'simulatorScenario';

interface Ref {
  id: string;
  number: string;
}

/**
 * Seeds a ready configuration (both Open APIs, the two systems with inbound tokens and their simulators
 * pointed back at them, a rule per subject, the imported test specifications with their definition ids
 * filled) and submits sample order and test-run trees, which then move on through simulator events.
 */
export async function seedDemo(world: DemoWorld): Promise<DemoRecords> {
  const api = new DemoClient(`${world.gatewayUrl}/graphql`, world.adminToken);
  for (const name of ['SERVICE_ORDERING_TMF641', 'SERVICE_TEST_TMF653']) {
    await api.run(`mutation ($api: TmfApi!) { activateOpenApi(api: $api) { active } }`, { api: name });
  }

  const ordering = await callingBackSystem(api, world, world.ordering, {
    name: 'Network activation',
    api: 'SERVICE_ORDERING_TMF641',
    baseUrl: world.ordering.serviceOrderingUrl,
    maxAttempts: 5,
  });
  const testing = await callingBackSystem(api, world, world.testing, {
    name: 'Test and diagnostics',
    api: 'SERVICE_TEST_TMF653',
    baseUrl: world.testing.serviceTestUrl,
    maxAttempts: 5,
  });

  const rule = `mutation ($input: DecisionRuleInput!) { createDecisionRule(input: $input) { id } }`;
  await api.run(rule, {
    input: {
      subject: 'DOMAIN_ORDER',
      name: 'CFS orders to network activation',
      priority: 10,
      hierarchical: true,
      externalSystemId: ordering,
      conditions: [{ field: 'category', operator: 'EQUALS', values: ['CFS'] }],
    },
  });
  await api.run(rule, {
    input: {
      subject: 'TEST_RUN',
      name: 'Every test run to diagnostics',
      priority: 10,
      hierarchical: true,
      externalSystemId: testing,
      conditions: [],
    },
  });

  const lineTest = await importSpecifications(api, testing);

  const happyOrder = await createOrder(api, 'Fibre broadband, Elm Street 4', [{ name: SCENARIO, value: 'milestone=designCompleted' }], 2);
  const failingOrder = await createOrder(api, 'Fibre broadband, Mill Lane 9', [{ name: SCENARIO, value: 'outcome=failed' }], 1);
  const questionOrder = await createOrder(
    api,
    'Business fibre, Harbour Road 1',
    [{ name: SCENARIO, value: 'infoRequired=serviceCharacteristic.bandwidth' }],
    0,
  );
  const testRun = (
    await api.run<{ createTestRun: Ref }>(`mutation ($input: TestRunInput!) { createTestRun(input: $input) { id number } }`, {
      input: {
        name: 'Line check after installation',
        relatedServiceId: 'svc-elm-street-4',
        specificationId: lineTest,
        children: [
          { name: 'Line check, port A', relatedServiceId: 'svc-elm-street-4-a', specificationId: lineTest },
          { name: 'Line check, port B', relatedServiceId: 'svc-elm-street-4-b', specificationId: lineTest },
        ],
      },
    })
  ).createTestRun;

  for (const order of [happyOrder, failingOrder, questionOrder]) {
    await api.run(`mutation ($id: ID!) { createFulfillmentRequest(domainOrderId: $id) { requestId } }`, { id: order.id });
  }
  await api.run(`mutation ($id: ID!) { submitTestRun(testRunId: $id) { requestId } }`, { id: testRun.id });

  return { orderingSystemId: ordering, testSystemId: testing, happyOrder, failingOrder, questionOrder, testRun };
}

/** A system with an inbound token; its simulator posts TMF events to the system's callback path with it. */
async function callingBackSystem(api: DemoClient, world: DemoWorld, simulator: Simulator, input: Record<string, unknown>): Promise<string> {
  const inboundToken = randomBytes(24).toString('base64url');
  const system = (
    await api.run<{ createExternalSystem: { id: string; callbackPath: string } }>(
      `mutation ($input: ExternalSystemInput!) { createExternalSystem(input: $input) { id callbackPath } }`,
      { input: { ...input, inboundToken } },
    )
  ).createExternalSystem;
  simulator.setOptions({ callbackUrl: `${world.gatewayUrl}${system.callbackPath}`, callbackToken: inboundToken, notify: 'events' });
  return system.id;
}

/**
 * Imports the test system's specifications and fills every measure definition's id, which TMF653 v4.2
 * does not carry, as an operator would; returns the line test's id.
 */
async function importSpecifications(api: DemoClient, systemId: string): Promise<string> {
  const specs = (
    await api.run<{
      importTestSpecifications: {
        id: string;
        externalId: string;
        measureDefinitions: { id: string; metricName: string; unitOfMeasure: string | null; valueType: string | null }[];
      }[];
    }>(
      `mutation ($id: ID!) { importTestSpecifications(externalSystemId: $id) { id externalId measureDefinitions { id metricName unitOfMeasure valueType } } }`,
      { id: systemId },
    )
  ).importTestSpecifications;
  for (const spec of specs) {
    for (const d of spec.measureDefinitions) {
      await api.run(
        `mutation ($id: ID!, $input: TestMeasureDefinitionInput!) { updateTestMeasureDefinition(id: $id, input: $input) { id } }`,
        {
          id: d.id,
          input: {
            metricName: d.metricName,
            unitOfMeasure: d.unitOfMeasure,
            valueType: d.valueType,
            definitionId: `${spec.externalId}.${d.metricName}`,
          },
        },
      );
    }
  }
  const lineTest = specs.find((s) => s.externalId === 'line-test');
  if (!lineTest) throw new Error('The test system published no line-test specification');
  return lineTest.id;
}

/** A CFS order with `children` RFS children (the first of which has an RFS child of its own). */
async function createOrder(
  api: DemoClient,
  name: string,
  characteristics: { name: string; value: string }[],
  children: number,
): Promise<Ref> {
  const rfs = (spec: string, nested: unknown[] = []) => ({
    category: 'RFS',
    action: 'ADD',
    serviceSpecification: { id: spec },
    characteristics: [{ name: 'bandwidth', value: '1G' }],
    children: nested,
  });
  const kids = [rfs('ont', [rfs('port-activation')]), rfs('ip-access')].slice(0, children);
  const input = {
    category: 'CFS',
    action: 'ADD',
    name,
    serviceSpecification: { id: 'fibre-access', name: 'Fibre access' },
    characteristics: [{ name: 'bandwidth', value: '1G' }, ...characteristics],
    children: kids,
  };
  return (
    await api.run<{ createDomainOrder: Ref }>(`mutation ($input: DomainOrderInput!) { createDomainOrder(input: $input) { id number } }`, {
      input,
    })
  ).createDomainOrder;
}
