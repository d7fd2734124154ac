import { randomUUID } from 'node:crypto';
import type { EventAction, EventNotifier } from './event-notifier';
import type { EventFaults } from './fault-injection';
import { TEST_OUTCOMES, outcomeCharacteristic, type Scenario, type TestOutcome } from './scenario';
import type { CreateContext } from './service-order.store';
import { badRequest, invalidState, notFound } from './simulator.errors';
import type { StepTimers } from './step-timers';
import { measureAll } from './test-measure';
import { TERMINAL_TEST_STATES, mergePatch, type Json, type ServiceTest } from './tmf-resources';

interface TestRecord {
  test: ServiceTest;
  outcome: TestOutcome;
  scenario: Scenario;
  faults: EventFaults;
  /** Set once a `pending` test has stopped, so that it runs to the end after being resumed. */
  paused: boolean;
  timer?: NodeJS.Timeout;
}

const IGNORED_ON_WRITE = ['id', 'href'];

/**
 * In-memory TMF653 service tests: acknowledged → inProgress → completed (or the scenario's failed /
 * pending / rejected), measuring every requested metric when the test ends.
 */
export class ServiceTestStore {
  private readonly tests = new Map<string, TestRecord>();

  constructor(
    private readonly timers: StepTimers,
    private readonly notifier: EventNotifier,
    private readonly stepMs: () => number,
  ) {}

  create(body: Json, ctx: CreateContext): ServiceTest {
    const outcome = ctx.scenario.outcome ?? outcomeCharacteristic(body.characteristic) ?? 'completed';
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
    const record: TestRecord = { test, outcome: outcome as TestOutcome, scenario: ctx.scenario, faults: ctx.faults, paused: false };
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
    if (Object.keys(attributes).length > 0) this.emit(record, 'AttributeValueChange');
    if (test.state !== before) this.emit(record, 'StateChange');
    this.afterChange(record);
    return structuredClone(test);
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
    } else if (test.state === 'inProgress') {
      test.state = record.outcome === 'failed' ? 'failed' : 'completed';
      const measures = measureAll(test.testMeasure, record.scenario.measures, now);
      if (measures) test.testMeasure = measures;
    } else return;
    if (TERMINAL_TEST_STATES.has(test.state)) test.endDateTime = now;
    this.emit(record, 'StateChange');
    this.afterChange(record);
  }

  private afterChange(record: TestRecord): void {
    const state = record.test.state;
    if (state === 'acknowledged' || state === 'inProgress') this.schedule(record);
    else this.notifier.settle(record.test.id);
  }

  private emit(record: TestRecord, action: EventAction): void {
    if (!this.notifier.wants('serviceTest')) return;
    const resource = structuredClone(record.test);
    this.notifier.publish({ kind: 'serviceTest', action, resource, streamKey: record.test.id, faults: record.faults });
  }
}

function nextStateOnPatch(current: string, requested: string | undefined): string | undefined {
  if (requested === undefined) return current === 'pending' ? 'inProgress' : undefined;
  if (requested === current || requested === 'cancelled') return requested;
  if (requested === 'inProgress' && current === 'pending') return requested;
  throw invalidState(`A client cannot move service test from ${current} to ${requested}; send "cancelled", or "inProgress" to resume a pending test`);
}
