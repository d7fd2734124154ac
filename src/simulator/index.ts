/** The simulator's in-process API, for tests and tools. */
export { startSimulator, type Simulator } from './simulator';
export type { NotifyMode, AdjustableOptions, SimulatorOptions } from './simulator.config';
export type { Fault, FaultRule, FaultRuleInput, EventFaults } from './fault-injection';
export type { Scenario, ScenarioRule, ScenarioRuleInput } from './scenario';
export type { RequestCount, RequestCountReport } from './request-counter';
export type { RequestMatch } from './request-matcher';
export type { DeliveryRecord } from './callback-delivery';
export type { TmfEventEnvelope, OutboundResponse, ServiceTestStatus } from './event-notifier';
export type { CancelServiceOrder, ServiceOrder, ServiceOrderItem, ServiceTest, ServiceTestSpecification } from './tmf-resources';
export { FAULT_HEADER } from './fault-injection';
export { SCENARIO_HEADER, OUTCOME_CHARACTERISTIC, SCENARIO_CHARACTERISTIC } from './scenario';
