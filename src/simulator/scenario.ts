import { randomUUID } from 'node:crypto';

export const SCENARIO_HEADER = 'x-simulator-scenario';
/** Characteristic name read on an item's `service.serviceCharacteristic[]` or a test's `characteristic[]`. */
export const OUTCOME_CHARACTERISTIC = 'simulatorOutcome';
/**
 * Characteristic whose value is a whole scenario in the header syntax. The gateway cannot add a header
 * to what it sends, and a scenario rule set after a submission may come too late, so a test that drives
 * the gateway puts the scenario on the record it submits.
 */
export const SCENARIO_CHARACTERISTIC = 'simulatorScenario';

export const ORDER_OUTCOMES = ['completed', 'failed', 'partial', 'held', 'pending', 'rejected'] as const;
export const TEST_OUTCOMES = ['completed', 'failed', 'pending', 'rejected'] as const;
export type OrderOutcome = (typeof ORDER_OUTCOMES)[number];
export type TestOutcome = (typeof TEST_OUTCOMES)[number];
export type MeasureValue = string | number | boolean;

/** How one order or test will behave. Every field is optional; an empty scenario means "completes normally". */
export interface Scenario {
  /**
   * Orders: completed | failed (every item fails) | partial (the items in failItems fail, or the last item
   * when none is named) | held / pending (stops after the first item starts until PATCHed) | rejected.
   * Tests: completed | failed | pending | rejected.
   */
  outcome?: OrderOutcome;
  /** Ids of order items (any depth) that fail; without an outcome the order ends failed or partial accordingly. */
  failItems?: string[];
  /** Step delay for this resource only. */
  stepMs?: number;
  /**
   * How a cancel request for this order ends: accept (default), deny (the order goes back) or info (the
   * task asks for information and waits until the order is PATCHed).
   */
  cancel?: 'accept' | 'deny' | 'info';
  /** Orders: milestones reported (one ServiceOrderMilestoneEvent each) once the first item has started. */
  milestones?: string[];
  /** Orders: jeopardy alerts raised (one ServiceOrderJeopardyEvent each), by jeopardyType, once the first item has started. */
  jeopardyTypes?: string[];
  /** Orders: the TMF641 fieldPath asked for once the first item has started; the order stays held until PATCHed. */
  infoRequired?: string;
  /** Tests: measured value per metricName (or testMeasureDefinitionId). */
  measures?: Record<string, MeasureValue>;
}

export interface ScenarioRuleInput {
  match: { externalId?: string; name?: string };
  /** A Scenario object or the header syntax. */
  scenario: Scenario | string;
}

export interface ScenarioRule {
  id: string;
  match: { externalId?: string; name?: string };
  scenario: Scenario;
}

/**
 * Parses the X-Simulator-Scenario header syntax, e.g. `outcome=partial; failItems=2,3; stepMs=5; cancel=deny;
 * measure.latency=40; milestone=pointOfNoReturn; jeopardy=Hazard; infoRequired=serviceCharacteristic.bandwidth`.
 */
export function parseScenario(text: string): Scenario {
  const scenario: Scenario = {};
  for (const part of text.split(';')) {
    const directive = part.trim();
    if (directive === '') continue;
    const eq = directive.indexOf('=');
    if (eq < 0) throw new Error(`scenario directive "${directive}" needs a value (key=value)`);
    const key = directive.slice(0, eq).trim();
    const value = directive.slice(eq + 1).trim();
    if (key === 'outcome') scenario.outcome = value as OrderOutcome;
    else if (key === 'failItems') scenario.failItems = list(value);
    else if (key === 'stepMs') scenario.stepMs = Number(value);
    else if (key === 'cancel') scenario.cancel = value as Scenario['cancel'];
    else if (key === 'milestone') scenario.milestones = list(value);
    else if (key === 'jeopardy') scenario.jeopardyTypes = list(value);
    else if (key === 'infoRequired') scenario.infoRequired = value;
    else if (key.startsWith('measure.')) scenario.measures = { ...scenario.measures, [key.slice(8)]: measureValue(value) };
    else throw new Error(`unknown scenario directive "${key}"`);
  }
  return scenario;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function measureValue(text: string): MeasureValue {
  if (text === 'true' || text === 'false') return text === 'true';
  const n = Number(text);
  return text !== '' && Number.isFinite(n) ? n : text;
}

export function checkScenario(s: Scenario, kind: 'order' | 'test'): string[] {
  const problems: string[] = [];
  const outcomes: readonly string[] = kind === 'order' ? ORDER_OUTCOMES : TEST_OUTCOMES;
  if (s.outcome !== undefined && !outcomes.includes(s.outcome)) {
    problems.push(`outcome "${s.outcome}" is not one of ${outcomes.join('|')} for a service ${kind}`);
  }
  if (!isTextList(s.failItems)) problems.push('failItems must be a list of item ids');
  if (!isTextList(s.milestones)) problems.push('milestones must be a list of milestone names');
  if (!isTextList(s.jeopardyTypes)) problems.push('jeopardyTypes must be a list of jeopardy types');
  if (s.infoRequired !== undefined && (typeof s.infoRequired !== 'string' || s.infoRequired.trim() === '')) {
    problems.push('infoRequired must name the field path the system asks for');
  }
  if (s.stepMs !== undefined && (!Number.isInteger(s.stepMs) || s.stepMs < 0)) problems.push('stepMs must be a non-negative integer');
  if (s.cancel !== undefined && !['accept', 'deny', 'info'].includes(s.cancel)) problems.push('cancel must be "accept", "deny" or "info"');
  if (s.measures !== undefined && (typeof s.measures !== 'object' || s.measures === null)) problems.push('measures must be an object');
  return problems;
}

function isTextList(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
}

/** Later layers override earlier ones field by field; the lists and measures accumulate. */
export function mergeScenarios(...layers: (Scenario | undefined)[]): Scenario {
  const out: Scenario = {};
  const union = (a: string[] | undefined, b: string[]) => [...new Set([...(a ?? []), ...b])];
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.outcome !== undefined) out.outcome = layer.outcome;
    if (layer.stepMs !== undefined) out.stepMs = layer.stepMs;
    if (layer.cancel !== undefined) out.cancel = layer.cancel;
    if (layer.infoRequired !== undefined) out.infoRequired = layer.infoRequired;
    if (layer.failItems) out.failItems = union(out.failItems, layer.failItems);
    if (layer.milestones) out.milestones = union(out.milestones, layer.milestones);
    if (layer.jeopardyTypes) out.jeopardyTypes = union(out.jeopardyTypes, layer.jeopardyTypes);
    if (layer.measures) out.measures = { ...out.measures, ...layer.measures };
  }
  return out;
}

/** The `simulatorOutcome` value in a TMF characteristic list, if any. */
export function outcomeCharacteristic(list: unknown): string | undefined {
  return characteristicValue(list, OUTCOME_CHARACTERISTIC);
}

/**
 * The scenarios written in `simulatorScenario` characteristics of the given lists, merged in list order;
 * throws naming the characteristic when one does not parse.
 */
export function characteristicScenario(lists: unknown[]): Scenario {
  const layers = lists.map((list) => characteristicValue(list, SCENARIO_CHARACTERISTIC)).filter((v) => v !== undefined);
  return mergeScenarios(
    ...layers.map((text) => {
      try {
        return parseScenario(text);
      } catch (e) {
        throw new Error(`characteristic ${SCENARIO_CHARACTERISTIC}: ${(e as Error).message}`, { cause: e });
      }
    }),
  );
}

function characteristicValue(list: unknown, name: string): string | undefined {
  if (!Array.isArray(list)) return undefined;
  const found = (list as unknown[]).find((c) => c && typeof c === 'object' && (c as { name?: unknown }).name === name);
  const value = found ? (found as { value?: unknown }).value : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Scenario rules matched on an order's externalId or a test's name; the most recently added match wins. */
export class ScenarioRules {
  private rules: ScenarioRule[] = [];

  add(input: ScenarioRuleInput): ScenarioRule {
    const match = input.match ?? {};
    const scenario = typeof input.scenario === 'string' ? parseScenario(input.scenario) : input.scenario;
    const problems: string[] = [];
    if (typeof match.externalId !== 'string' && typeof match.name !== 'string') {
      problems.push('match needs an externalId (orders) or a name (tests)');
    }
    if (!scenario || typeof scenario !== 'object') problems.push('scenario is required');
    else problems.push(...checkScenario(scenario, match.externalId !== undefined ? 'order' : 'test'));
    if (problems.length > 0) throw new Error(problems.join('; '));
    const rule: ScenarioRule = { id: randomUUID(), match: { ...match }, scenario: { ...scenario } };
    this.rules.push(rule);
    return rule;
  }

  find(subject: { externalId?: string; name?: string }): Scenario | undefined {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const { match, scenario } = this.rules[i];
      if (match.externalId !== undefined && match.externalId !== subject.externalId) continue;
      if (match.name !== undefined && match.name !== subject.name) continue;
      return scenario;
    }
    return undefined;
  }

  list(): ScenarioRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
  }
}
