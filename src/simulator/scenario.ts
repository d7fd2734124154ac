import { randomUUID } from 'node:crypto';

export const SCENARIO_HEADER = 'x-simulator-scenario';
/** Characteristic name read on an item's `service.serviceCharacteristic[]` or a test's `characteristic[]`. */
export const OUTCOME_CHARACTERISTIC = 'simulatorOutcome';

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
  /** How a cancel request for this order ends: accepted (default) or denied (the order goes back). */
  cancel?: 'accept' | 'deny';
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

/** Parses `outcome=partial; failItems=2,3; stepMs=5; cancel=deny; measure.latency=40` (the X-Simulator-Scenario header). */
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
    else if (key === 'failItems') scenario.failItems = value.split(',').map((s) => s.trim()).filter(Boolean);
    else if (key === 'stepMs') scenario.stepMs = Number(value);
    else if (key === 'cancel') scenario.cancel = value as Scenario['cancel'];
    else if (key.startsWith('measure.')) scenario.measures = { ...scenario.measures, [key.slice(8)]: measureValue(value) };
    else throw new Error(`unknown scenario directive "${key}"`);
  }
  return scenario;
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
  if (s.failItems !== undefined && (!Array.isArray(s.failItems) || s.failItems.some((i) => typeof i !== 'string'))) {
    problems.push('failItems must be a list of item ids');
  }
  if (s.stepMs !== undefined && (!Number.isInteger(s.stepMs) || s.stepMs < 0)) problems.push('stepMs must be a non-negative integer');
  if (s.cancel !== undefined && s.cancel !== 'accept' && s.cancel !== 'deny') problems.push('cancel must be "accept" or "deny"');
  if (s.measures !== undefined && (typeof s.measures !== 'object' || s.measures === null)) problems.push('measures must be an object');
  return problems;
}

/** Later layers override earlier ones field by field; failItems and measures accumulate. */
export function mergeScenarios(...layers: (Scenario | undefined)[]): Scenario {
  const out: Scenario = {};
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.outcome !== undefined) out.outcome = layer.outcome;
    if (layer.stepMs !== undefined) out.stepMs = layer.stepMs;
    if (layer.cancel !== undefined) out.cancel = layer.cancel;
    if (layer.failItems) out.failItems = [...new Set([...(out.failItems ?? []), ...layer.failItems])];
    if (layer.measures) out.measures = { ...out.measures, ...layer.measures };
  }
  return out;
}

/** The `simulatorOutcome` value in a TMF characteristic list, if any. */
export function outcomeCharacteristic(list: unknown): string | undefined {
  if (!Array.isArray(list)) return undefined;
  const found = list.find((c) => c && typeof c === 'object' && (c as { name?: unknown }).name === OUTCOME_CHARACTERISTIC);
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
