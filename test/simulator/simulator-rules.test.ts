import { compactState } from '../../src/simulator/event-notifier';
import { parseFault } from '../../src/simulator/fault-injection';
import { pathMatches } from '../../src/simulator/request-matcher';
import { characteristicScenario, mergeScenarios, parseScenario } from '../../src/simulator/scenario';
import { applyTransition, fateOf, nextTransition } from '../../src/simulator/service-order.progress';
import { optionsFromEnv } from '../../src/simulator/simulator.config';
import type { ServiceOrder } from '../../src/simulator/tmf-resources';

describe('fault header syntax', () => {
  it('parses every directive', () => {
    expect(parseFault('status=429; retryAfter=2')).toEqual({ status: 429, retryAfter: 2 });
    expect(parseFault('delayMs=5000')).toEqual({ delayMs: 5000 });
    expect(parseFault('drop')).toEqual({ drop: 'before' });
    expect(parseFault('drop=after')).toEqual({ drop: 'after' });
    expect(parseFault('duplicateEvent;outOfOrderEvents;unknownOrderEvent;badToken')).toEqual({
      duplicateEvent: true,
      outOfOrderEvents: true,
      unknownOrderEvent: true,
      badToken: true,
    });
  });

  it('refuses what it does not understand', () => {
    expect(() => parseFault('status=200')).toThrow('status must be an HTTP error status (400-599)');
    expect(() => parseFault('drop=sometimes')).toThrow('drop must be "before" or "after"');
    expect(() => parseFault('teleport')).toThrow('unknown fault directive "teleport"');
  });
});

describe('scenario syntax', () => {
  it('parses outcome, failItems, stepMs, cancel and measures, and merges layers', () => {
    const header = parseScenario('outcome=partial; failItems=2, 2.1; stepMs=5; cancel=deny; measure.latency=40; measure.site=lab');
    expect(header).toEqual({
      outcome: 'partial',
      failItems: ['2', '2.1'],
      stepMs: 5,
      cancel: 'deny',
      measures: { latency: 40, site: 'lab' },
    });
    expect(mergeScenarios({ outcome: 'failed', failItems: ['1'] }, { failItems: ['3'], stepMs: 1 })).toEqual({
      outcome: 'failed',
      failItems: ['1', '3'],
      stepMs: 1,
    });
    expect(() => parseScenario('outcome')).toThrow('scenario directive "outcome" needs a value (key=value)');
  });

  it('parses the report directives, and reads a scenario from a simulatorScenario characteristic', () => {
    expect(
      parseScenario(
        'milestone=designCompleted, pointOfNoReturn; jeopardy=Hazard; infoRequired=serviceCharacteristic.bandwidth; cancel=info',
      ),
    ).toEqual({
      milestones: ['designCompleted', 'pointOfNoReturn'],
      jeopardyTypes: ['Hazard'],
      infoRequired: 'serviceCharacteristic.bandwidth',
      cancel: 'info',
    });
    expect(mergeScenarios({ milestones: ['a'] }, { milestones: ['b', 'a'], infoRequired: 'x' })).toEqual({
      milestones: ['a', 'b'],
      infoRequired: 'x',
    });
    const lists = [
      [{ name: 'simulatorScenario', value: 'milestone=a' }],
      undefined,
      [
        { name: 'speed', value: '1G' },
        { name: 'simulatorScenario', value: 'jeopardy=Critical' },
      ],
    ];
    expect(characteristicScenario(lists)).toEqual({ milestones: ['a'], jeopardyTypes: ['Critical'] });
    expect(() => characteristicScenario([[{ name: 'simulatorScenario', value: 'teleport=1' }]])).toThrow(
      'characteristic simulatorScenario: unknown scenario directive "teleport"',
    );
  });
});

describe('order progression', () => {
  const order = (): ServiceOrder => ({
    id: 'o1',
    href: 'http://h/o1',
    state: 'acknowledged',
    orderDate: '2024-01-01T00:00:00Z',
    serviceOrderItem: [
      {
        id: 'a',
        action: 'add',
        state: 'acknowledged',
        service: {},
        serviceOrderItem: [{ id: 'a1', action: 'add', state: 'acknowledged', service: {} }],
      },
      { id: 'b', action: 'add', state: 'acknowledged', service: {} },
    ],
  });

  /** Runs the order to the end and lists every transition. */
  function run(o: ServiceOrder, scenario = {}): string[] {
    const fate = fateOf(scenario, o);
    const steps: string[] = [];
    for (let t = nextTransition(o, fate); t; t = nextTransition(o, fate)) {
      applyTransition(o, t, 'now');
      steps.push(t.kind === 'item' || t.kind === 'order' ? `${t.kind === 'item' ? t.itemId : 'order'}:${t.state}` : t.kind);
    }
    return steps;
  }

  it('works depth first: an item starts, its children run, then it ends', () => {
    expect(run(order())).toEqual([
      'order:inProgress',
      'a:inProgress',
      'a1:inProgress',
      'a1:completed',
      'a:completed',
      'b:inProgress',
      'b:completed',
      'order:completed',
    ]);
  });

  it('rolls a failed child up into a failed parent and a partial order', () => {
    const o = order();
    expect(run(o, { failItems: ['a1'] }).slice(-5)).toEqual(['a1:failed', 'a:failed', 'b:inProgress', 'b:completed', 'order:partial']);
  });

  it('fails the last item for outcome=partial without failItems, and everything for outcome=failed', () => {
    expect(run(order(), { outcome: 'partial' }).slice(-3)).toEqual(['b:inProgress', 'b:failed', 'order:partial']);
    expect(run(order(), { outcome: 'failed' }).filter((s) => s.endsWith('failed'))).toEqual([
      'a1:failed',
      'a:failed',
      'b:failed',
      'order:failed',
    ]);
  });

  it('reports milestones, then jeopardy, then asks for information, right after the first item started', () => {
    const o = order();
    const steps = run(o, { milestones: ['m1', 'm2'], jeopardyTypes: ['Hazard'], infoRequired: 'note' });
    expect(steps).toEqual(['order:inProgress', 'a:inProgress', 'milestone', 'milestone', 'jeopardy', 'informationRequired']);
    expect(o.state).toBe('held');
    expect(o.milestone!.map((m) => [m.id, m.name])).toEqual([
      ['1', 'm1'],
      ['2', 'm2'],
    ]);
  });

  it('rejects in one step', () => {
    const o = order();
    expect(run(o, { outcome: 'rejected' })).toEqual(['reject']);
    expect(o.serviceOrderItem.map((i) => i.state)).toEqual(['rejected', 'rejected']);
  });
});

describe('compact outbound response states', () => {
  it.each([
    ['acknowledged', 'pending'],
    ['inProgress', 'pending'],
    ['held', 'pending'],
    ['completed', 'fulfilled'],
    ['failed', 'error'],
    ['rejected', 'error'],
    ['partial', 'error'],
    ['cancelled', 'error'],
  ])('%s → %s', (state, compact) => expect(compactState(state)).toBe(compact));
});

describe('path matching', () => {
  it('matches a suffix at a segment boundary, templates and wildcards', () => {
    const facts = { path: '/tmf-api/serviceOrdering/v4/serviceOrder', route: '/tmf-api/serviceOrdering/v4/serviceOrder' };
    expect(pathMatches('/serviceOrder', facts)).toBe(true);
    expect(pathMatches('/serviceOrder', { path: '/tmf-api/serviceOrdering/v4/cancelServiceOrder', route: '/x' })).toBe(false);
    const byId = { path: '/tmf-api/serviceOrdering/v4/serviceOrder/42', route: '/tmf-api/serviceOrdering/v4/serviceOrder/{id}' };
    expect(pathMatches('/serviceOrder/{id}', byId)).toBe(true);
    expect(pathMatches('/serviceOrder/*', byId)).toBe(true);
    expect(pathMatches('/serviceOrder', byId)).toBe(false);
  });
});

describe('environment', () => {
  it('defaults the port to 4010 and reads every SIMULATOR_* variable', () => {
    expect(optionsFromEnv({})).toEqual({ port: 4010, host: '127.0.0.1' });
    expect(
      optionsFromEnv({
        SIMULATOR_PORT: '5000',
        SIMULATOR_CALLBACK_URL: 'http://localhost:3000/callbacks',
        SIMULATOR_CALLBACK_TOKEN: 't',
        SIMULATOR_NOTIFY: 'outboundresponse',
        SIMULATOR_STEP_MS: '100',
      }),
    ).toEqual({
      port: 5000,
      host: '127.0.0.1',
      callbackUrl: 'http://localhost:3000/callbacks',
      callbackToken: 't',
      notify: 'outboundresponse',
      stepMs: 100,
    });
  });

  it('reports every problem at once', () => {
    expect(() => optionsFromEnv({ SIMULATOR_PORT: 'x', SIMULATOR_NOTIFY: 'mail', SIMULATOR_CALLBACK_URL: 'nowhere' })).toThrow(
      'Invalid simulator environment: SIMULATOR_PORT must be a non-negative integer, got "x"; ' +
        'SIMULATOR_NOTIFY must be one of events|outboundresponse|none, got "mail"; ' +
        'SIMULATOR_CALLBACK_URL must be an absolute http(s) URL, got "nowhere"',
    );
  });
});
