import type { DeliveryRecord } from './callback-delivery';
import type { FaultRule, FaultRuleInput } from './fault-injection';
import type { EventSubscription } from './hub-registry';
import type { RequestCount, RequestCountReport } from './request-counter';
import type { RequestMatch } from './request-matcher';
import type { Scenario, ScenarioRule } from './scenario';
import type { AdjustableOptions, SimulatorOptions } from './simulator.config';
import type { CancelServiceOrder, ServiceOrder, ServiceTest, ServiceTestSpecification } from './tmf-resources';

/** A running simulator, as tests and main.ts use it. Every getter returns copies. */
export interface Simulator {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** `${url}/tmf-api/serviceOrdering/v4` */
  readonly serviceOrderingUrl: string;
  /** `${url}/tmf-api/serviceTestManagement/v4` */
  readonly serviceTestUrl: string;
  readonly options: Readonly<SimulatorOptions>;
  /** Changes callbackUrl, callbackToken, notify or stepMs; a key given as undefined removes the setting. */
  setOptions(changes: Partial<AdjustableOptions>): void;
  serviceOrder(id: string): ServiceOrder | undefined;
  serviceOrders(filter?: { externalId?: string }): ServiceOrder[];
  cancelServiceOrder(id: string): CancelServiceOrder | undefined;
  cancelServiceOrders(): CancelServiceOrder[];
  serviceTest(id: string): ServiceTest | undefined;
  serviceTests(filter?: { name?: string }): ServiceTest[];
  /** The published test specifications: three seeded ones (line, throughput, latency) plus what clients created. */
  serviceTestSpecifications(): ServiceTestSpecification[];
  serviceTestSpecification(id: string): ServiceTestSpecification | undefined;
  hubs(): EventSubscription[];
  /** Requests received matching every given field, e.g. `{ externalId: 'SO-1', method: 'POST' }`. */
  countFor(filter: RequestMatch): RequestCount;
  requestCounts(): RequestCountReport;
  injectFault(rule: FaultRuleInput): FaultRule;
  faults(): FaultRule[];
  clearFaults(): void;
  /** From now on, orders with this externalId (or tests with this name) follow `scenario`. */
  setScenario(match: { externalId?: string; name?: string }, scenario: Scenario | string): ScenarioRule;
  scenarios(): ScenarioRule[];
  clearScenarios(): void;
  /** Finished callback deliveries (the latest 2000), oldest first. */
  deliveries(): DeliveryRecord[];
  /** Resolves when no callback delivery is queued or being retried. */
  whenDeliveriesIdle(): Promise<void>;
  /**
   * Forgets orders, tests, hubs, counts and deliveries, stops all progress, and restores the seeded test
   * specifications and the start-time faults and scenarios.
   */
  reset(): void;
  close(): Promise<void>;
}
