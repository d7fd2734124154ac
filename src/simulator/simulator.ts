import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkTmf } from '../services/tmf/tmf-schema';
import { addAdminRoutes } from './admin.routes';
import { CallbackDelivery } from './callback-delivery';
import { EventNotifier } from './event-notifier';
import { FaultRules, type FaultRuleInput } from './fault-injection';
import { HubRegistry } from './hub-registry';
import { RequestCounter } from './request-counter';
import type { RequestMatch } from './request-matcher';
import { ScenarioRules, type Scenario } from './scenario';
import { addServiceOrderingRoutes } from './service-ordering.routes';
import { ServiceOrderStore } from './service-order.store';
import { ServiceTestSpecificationStore } from './service-test-specification.store';
import { addServiceTestRoutes } from './service-test.routes';
import { ServiceTestStore } from './service-test.store';
import {
  SERVICE_ORDERING_BASE,
  SERVICE_TEST_BASE,
  checkOptions,
  resolveOptions,
  type AdjustableOptions,
  type SimulatorOptions,
} from './simulator.config';
import { Router } from './simulator.router';
import { createSimulatorServer } from './simulator.server';
import { StepTimers } from './step-timers';
import type { Simulator } from './simulator.api';
export type { Simulator } from './simulator.api';

/** Starts a simulator; by default on 127.0.0.1 with a random port. */
export async function startSimulator(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const simulator = new RunningSimulator(resolveOptions(options));
  await simulator.listen();
  return simulator;
}

class RunningSimulator implements Simulator {
  url = '';
  serviceOrderingUrl = '';
  serviceTestUrl = '';
  private readonly runtime: SimulatorOptions;
  private readonly timers = new StepTimers();
  private readonly hubRegistry = new HubRegistry();
  private readonly delivery: CallbackDelivery;
  private readonly notifier: EventNotifier;
  private readonly orders: ServiceOrderStore;
  private readonly tests: ServiceTestStore;
  private readonly specifications: ServiceTestSpecificationStore;
  private readonly faultRules = new FaultRules();
  private readonly scenarioRules = new ScenarioRules();
  private readonly counter = new RequestCounter();
  private readonly server: Server;
  private closing?: Promise<void>;

  constructor(options: SimulatorOptions) {
    this.runtime = { ...options };
    this.delivery = new CallbackDelivery(this.timers, {
      attempts: options.deliveryAttempts,
      retryDelayMs: options.retryDelayMs,
      timeoutMs: options.deliveryTimeoutMs,
    });
    this.notifier = new EventNotifier(this.hubRegistry, this.delivery, () => this.runtime);
    this.orders = new ServiceOrderStore(this.timers, this.notifier, () => this.runtime.stepMs);
    this.tests = new ServiceTestStore(this.timers, this.notifier, () => this.runtime.stepMs);
    this.specifications = new ServiceTestSpecificationStore(this.notifier);
    this.installStartRules();
    const tmf = new Router();
    addServiceOrderingRoutes(tmf, this.orders, this.hubRegistry);
    addServiceTestRoutes(tmf, this.tests, this.specifications, this.hubRegistry);
    const admin = new Router();
    addAdminRoutes(admin, this);
    this.server = createSimulatorServer({
      tmf,
      admin,
      faults: this.faultRules,
      scenarios: this.scenarioRules,
      counter: this.counter,
      timers: this.timers,
    });
  }

  async listen(): Promise<void> {
    warmUpValidators();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.runtime.port, this.runtime.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    const host = ['0.0.0.0', '::', ''].includes(this.runtime.host) ? '127.0.0.1' : this.runtime.host;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.serviceOrderingUrl = `${this.url}${SERVICE_ORDERING_BASE}`;
    this.serviceTestUrl = `${this.url}${SERVICE_TEST_BASE}`;
    // Seeded once the address is known: their hrefs point at it.
    this.specifications.reset(this.serviceTestUrl);
  }

  get options(): Readonly<SimulatorOptions> {
    return { ...this.runtime };
  }

  setOptions(changes: Partial<AdjustableOptions>): void {
    const allowed: Array<keyof AdjustableOptions> = ['stepMs', 'callbackUrl', 'callbackToken', 'notify'];
    const unknown = Object.keys(changes).filter((k) => !allowed.includes(k as keyof AdjustableOptions));
    const problems = [...unknown.map((k) => `${k} cannot be changed at run time`), ...checkOptions(changes)];
    if (problems.length > 0) throw new Error(`Invalid simulator options: ${problems.join('; ')}`);
    Object.assign(this.runtime, changes);
  }

  serviceOrder(id: string) {
    return clone(this.orders.get(id));
  }

  serviceOrders(filter: { externalId?: string } = {}) {
    return this.orders
      .list()
      .filter((o) => filter.externalId === undefined || o.externalId === filter.externalId)
      .map((o) => structuredClone(o));
  }

  cancelServiceOrder(id: string) {
    return clone(this.orders.getCancellation(id));
  }

  cancelServiceOrders() {
    return this.orders.listCancellations().map((c) => structuredClone(c));
  }

  serviceTest(id: string) {
    return clone(this.tests.get(id));
  }

  serviceTests(filter: { name?: string } = {}) {
    return this.tests
      .list()
      .filter((t) => filter.name === undefined || t.name === filter.name)
      .map((t) => structuredClone(t));
  }

  serviceTestSpecifications() {
    return this.specifications.list().map((s) => structuredClone(s));
  }

  serviceTestSpecification(id: string) {
    return clone(this.specifications.get(id));
  }

  hubs() {
    return this.hubRegistry.list();
  }

  countFor(filter: RequestMatch) {
    return this.counter.countFor(filter);
  }

  requestCounts() {
    return this.counter.report();
  }

  injectFault(rule: FaultRuleInput) {
    return this.faultRules.add(rule);
  }

  faults() {
    return this.faultRules.list();
  }

  clearFaults() {
    this.faultRules.clear();
  }

  setScenario(match: { externalId?: string; name?: string }, scenario: Scenario | string) {
    return this.scenarioRules.add({ match, scenario });
  }

  scenarios() {
    return this.scenarioRules.list();
  }

  clearScenarios() {
    this.scenarioRules.clear();
  }

  deliveries() {
    return this.delivery.log();
  }

  whenDeliveriesIdle() {
    return this.delivery.whenIdle();
  }

  reset(): void {
    this.timers.clear();
    this.orders.reset();
    this.tests.reset();
    this.specifications.reset(this.serviceTestUrl);
    this.hubRegistry.clear();
    this.counter.reset();
    this.notifier.reset();
    this.delivery.reset();
    this.faultRules.clear();
    this.scenarioRules.clear();
    this.installStartRules();
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.timers.clear();
      this.delivery.close();
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private installStartRules(): void {
    for (const rule of this.runtime.faults) this.faultRules.add(rule);
    for (const rule of this.runtime.scenarios) this.scenarioRules.add(rule);
  }
}

function clone<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : structuredClone(value);
}

/** Compiles the request validators before the first request, so that it is not the slow one. */
function warmUpValidators(): void {
  for (const d of ['ServiceOrder_Create', 'ServiceOrder_Update', 'CancelServiceOrder_Create', 'EventSubscriptionInput'])
    checkTmf('TMF641', d, {});
  const tmf653 = [
    'ServiceTest_Create',
    'ServiceTest_Update',
    'ServiceTestSpecification_Create',
    'ServiceTestSpecification_Update',
    'EventSubscriptionInput',
  ];
  for (const d of tmf653) checkTmf('TMF653', d, {});
}
