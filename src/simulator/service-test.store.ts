import { randomUUID } from 'node:crypto';
import type { EventAction, EventNotifier } from './event-notifier';
import type { EventFaults } from './fault-injection';
import {
  TEST_OUTCOMES,
  characteristicScenario,
  checkScenario,
  mergeScenarios,
  outcomeCharacteristic,
  type Scenario,
  type TestOutcome,
} from './scenario';
import type { CreateContext } from './service-order.store';
import { badRequest, invalidState, notFound } from './simulator.errors';
import type { StepTimers } from './step-timers';
import { measureAll, withRuleViolation } from './test-measure';
import { TERMINAL_TEST_STATES, mergePatch, type Json, type ServiceTest } from './tmf-resources';

interface TestRecord {
  test: ServiceTest;
  outcome: TestOutcome;
  scenario: Scenario;
  faults: EventFaults;
  /** Set once a `pending` test has stopped, so that it runs to the end after being resumed. */
  paused: boolean;
  /** Set once the requested measures were captured (reported on their own, before the verdict). */
  measured: boolean;
  timer?: NodeJS.Timeout;
}

const IGNORED_ON_WRITE = ['id', 'href'];

/**
 * In-memory TMF653 service tests: acknowledged → inProgress → completed (or the scenario's failed /
 * pending / rejected). Before the verdict, every requested metric is measured and reported as an
 * attribute value change; a failed test's first measure carries the rule violation that failed it.
 */
export class ServiceTestStore {
  private readonly tests = new Map<string, TestRecord>();

  constructor(
    private readonly timers: StepTimers,
    private readonly notifier: EventNotifier,
    private readonly stepMs: () => number,
  ) {}

  create(body: Json, ctx: CreateContext): ServiceTest {
    const scenario = mergeScenarios(characteristicScenarioOf(body), ctx.scenario);
    const outcome = scenario.outcome ?? outcomeCharacteristic(body.characteristic) ?? 'completed';
    if (!(TEST_OUTCOMES as readonly string[]).includes(outcome)) {
      throw badRequest(`/characteristic: simulatorOutcome "${outcome}" is not one of ${TEST_OUTCOMES.join('|')}`);
    }
    const request = { ...body };
    for (const field of [...IGNORED_ON_WRITE, 'state']) delete request[field]; // the server owns the state of a new test
    const id = randomUUID();
    const now = new Date().toISOString();
    const test = {
      id,
      href: `${ctx.baseUrl}/serviceTest/${id}`,
      ...structuredClone(request),
      name: String(body.name),
      state: 'acknowledged',
      startDateTime: typeof body.startDateTime === 'string' ? body.startDateTime : now,
    } as ServiceTest;
    test['@type'] ??= 'ServiceTest';
    const record: TestRecord = { test, outcome: outcome as TestOutcome, scenario, faults: ctx.faults, paused: false, measured: false };
    this.tests.set(id, record);
    this.emit(record, 'Create');
    this.schedule(record);
    return structuredClone(test);
  }

  get(id: string): ServiceTest | undefined {
    return this.tests.get(id)?.test;
  }

  /** Live stored tests in creation order; callers must not modify them. */
  list(): ServiceTest[] {
    return [...this.tests.values()].map((r) => r.test);
  }

  /**
   * Merge-patch (ServiceTest_Update already validated). `state: "cancelled"` cancels a test that has not
   * finished; `inProgress` (or any PATCH) resumes a pending one. A finished test refuses every PATCH (409).
   */
  patch(id: string, body: Json): ServiceTest {
    const record = this.tests.get(id);
    if (!record) throw notFound(`No serviceTest with id ${id}`);
    const { test } = record;
    if (TERMINAL_TEST_STATES.has(test.state)) {
      const what = body.state === 'cancelled' ? 'cancelled' : 'modified';
      throw invalidState(`Service test ${id} is ${test.state} and can no longer be ${what}`);
    }
    const { state, ...attributes } = body;
    for (const field of IGNORED_ON_WRITE) delete attributes[field];
    const target = nextStateOnPatch(test.state, state as string | undefined);
    const before = test.state;
    mergePatch(test, attributes);
    if (target) test.state = target;
    if (target === 'cancelled') {
      test.endDateTime = new Date().toISOString();
      this.timers.cancel(record.timer);
      record.timer = undefined;
    }
    const changed = Object.keys(attributes);
    if (changed.length > 0) this.emit(record, 'AttributeValueChange', changed.join(','));
    if (test.state !== before) this.emit(record, 'StateChange');
    this.afterChange(record);
    return structuredClone(test);
  }

  /** TMF653 DELETE: the test is gone at once, whatever its state, and its progress stops. */
  delete(id: string): void {
    const record = this.tests.get(id);
    if (!record) throw notFound(`No serviceTest with id ${id}`);
    this.timers.cancel(record.timer);
    this.emit(record, 'Delete');
    this.tests.delete(id);
    this.notifier.settle(id);
  }

  reset(): void {
    this.tests.clear();
  }

  private schedule(record: TestRecord): void {
    if (record.timer) return;
    record.timer = this.timers.after(record.scenario.stepMs ?? this.stepMs(), () => {
      record.timer = undefined;
      if (this.tests.get(record.test.id) === record) this.advance(record);
    });
  }

  private advance(record: TestRecord): void {
    const { test } = record;
    const now = new Date().toISOString();
    if (test.state === 'acknowledged') {
      test.state = record.outcome === 'rejected' ? 'rejected' : 'inProgress';
    } else if (test.state === 'inProgress' && record.outcome === 'pending' && !record.paused) {
      test.state = 'pending';
      record.paused = true;
    } else if (test.state === 'inProgress' && !record.measured && (test.testMeasure?.length ?? 0) > 0) {
      return this.measure(record, now);
    } else if (test.state === 'inProgress') {
      test.state = record.outcome === 'failed' ? 'failed' : 'completed';
    } else return;
    if (TERMINAL_TEST_STATES.has(test.state)) test.endDateTime = now;
    this.emit(record, 'StateChange');
    this.afterChange(record);
  }

  private measure(record: TestRecord, now: string): void {
    const { test } = record;
    const measures = measureAll(test.testMeasure, record.scenario.measures, now) ?? [];
    if (record.outcome === 'failed' && measures.length > 0) measures[0] = withRuleViolation(measures[0]);
    test.testMeasure = measures;
    record.measured = true;
    this.emit(record, 'AttributeValueChange', 'testMeasure');
    this.afterChange(record);
  }

  private afterChange(record: TestRecord): void {
    const state = record.test.state;
    if (state === 'acknowledged' || state === 'inProgress') this.schedule(record);
    else this.notifier.settle(record.test.id);
  }

  private emit(record: TestRecord, action: EventAction, fieldPath?: string): void {
    if (!this.notifier.wants('serviceTest')) return;
    const resource = structuredClone(record.test);
    const event = { kind: 'serviceTest' as const, action, resource, streamKey: record.test.id, faults: record.faults };
    this.notifier.publish(fieldPath === undefined ? event : { ...event, fieldPath });
  }
}

/** The `simulatorScenario` characteristic of a test; 400 when it does not parse or check. */
function characteristicScenarioOf(body: Json): Scenario {
  let scenario: Scenario;
  try {
    scenario = characteristicScenario([body.characteristic]);
  } catch (e) {
    throw badRequest(`/characteristic: ${(e as Error).message}`);
  }
  const problems = checkScenario(scenario, 'test');
  if (problems.length > 0) throw badRequest(`/characteristic: simulatorScenario: ${problems.join('; ')}`);
  return scenario;
}

function nextStateOnPatch(current: string, requested: string | undefined): string | undefined {
  if (requested === undefined) return current === 'pending' ? 'inProgress' : undefined;
  if (requested === current || requested === 'cancelled') return requested;
  if (requested === 'inProgress' && current === 'pending') return requested;
  throw invalidState(
    `A client cannot move service test from ${current} to ${requested}; send "cancelled", or "inProgress" to resume a pending test`,
  );
}
