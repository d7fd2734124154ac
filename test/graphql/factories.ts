import {
  ActivateOpenApiDocument,
  CreateDecisionRuleDocument,
  CreateDomainOrderDocument,
  CreateExternalSystemDocument,
  CreateFulfillmentRequestDocument,
  CreateTestRunDocument,
  CreateTestSpecificationDocument,
  type DecisionRuleInput,
  type DomainOrderInput,
  type ExternalSystemInput,
  type TestRunInput,
  type TestSpecificationInput,
} from '../__generated__/graphql';
import type { TestApp } from '../support/app';

/** Small factories for the GraphQL behaviour tests; every one goes through the real mutations. */

let counter = 0;
/** A name no other record of this test file has. */
export const unique = (prefix: string) => `${prefix} ${++counter}-${Math.random().toString(36).slice(2, 8)}`;

export const SERVICE_ORDERING_URL = 'https://activation.example.net/tmf-api/serviceOrdering/v4';
export const SERVICE_TEST_URL = 'https://diagnostics.example.net/tmf-api/serviceTest/v4';

export function systemInput(overrides: Partial<ExternalSystemInput> = {}): ExternalSystemInput {
  const api = overrides.api ?? 'SERVICE_ORDERING_TMF641';
  return {
    name: unique('Activation system'),
    api,
    baseUrl: api === 'SERVICE_TEST_TMF653' ? SERVICE_TEST_URL : SERVICE_ORDERING_URL,
    ...overrides,
  };
}

export async function createSystem(app: TestApp, overrides: Partial<ExternalSystemInput> = {}) {
  return (await app.ok(CreateExternalSystemDocument, { input: systemInput(overrides) })).createExternalSystem;
}

export async function createRule(app: TestApp, externalSystemId: string, overrides: Partial<DecisionRuleInput> = {}) {
  const input: DecisionRuleInput = {
    subject: 'DOMAIN_ORDER',
    name: unique('rule'),
    priority: 100,
    hierarchical: true,
    externalSystemId,
    ...overrides,
  };
  return (await app.ok(CreateDecisionRuleDocument, { input })).createDecisionRule;
}

export async function createSpec(app: TestApp, overrides: Partial<TestSpecificationInput> = {}) {
  const input: TestSpecificationInput = {
    externalId: unique('TS'),
    name: unique('Line test'),
    version: '1.0',
    measureDefinitions: [{ definitionId: 'def-latency', metricName: 'latency', unitOfMeasure: 'ms', valueType: 'number' }],
    ...overrides,
  };
  return (await app.ok(CreateTestSpecificationDocument, { input })).createTestSpecification;
}

export function orderInput(overrides: Partial<DomainOrderInput> = {}): DomainOrderInput {
  return {
    action: 'ADD',
    category: 'CFS',
    domain: 'FIXED',
    serviceSpecification: { id: 'spec-internet', name: 'Internet Access', version: '1.0' },
    characteristics: [{ name: 'bandwidth', value: '100M' }],
    ...overrides,
  };
}

export async function createOrder(app: TestApp, overrides: Partial<DomainOrderInput> = {}, token?: string) {
  return (await app.ok(CreateDomainOrderDocument, { input: orderInput(overrides) }, token)).createDomainOrder;
}

/** A nested input: `depth` levels below the top, `width` children per node; names say where a node is. */
export function orderTreeInput(depth: number, width: number, path = 'root'): DomainOrderInput {
  return orderInput({
    name: path,
    children: depth === 0 ? [] : Array.from({ length: width }, (_, i) => orderTreeInput(depth - 1, width, `${path}.${i}`)),
  });
}

export async function createOrderTree(app: TestApp, depth: number, width: number) {
  return (await app.ok(CreateDomainOrderDocument, { input: orderTreeInput(depth, width) })).createDomainOrder;
}

export function runInput(specificationId: string, overrides: Partial<TestRunInput> = {}): TestRunInput {
  return { name: unique('Line check'), specificationId, relatedServiceId: 'svc-42', ...overrides };
}

export async function createRun(app: TestApp, specificationId: string, overrides: Partial<TestRunInput> = {}) {
  return (await app.ok(CreateTestRunDocument, { input: runInput(specificationId, overrides) })).createTestRun;
}

/**
 * Makes domain orders submittable: the TMF641 API active, a system and one hierarchical catch-all rule.
 * Returns the system.
 */
export async function prepareOrderFulfillment(app: TestApp) {
  await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
  const system = await createSystem(app);
  await createRule(app, system.id, { hierarchical: true });
  return system;
}

export async function submitOrder(app: TestApp, domainOrderId: string) {
  return (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId })).createFulfillmentRequest;
}
