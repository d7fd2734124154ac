import type {
  DecisionRuleValue,
  DecisionSubject,
  DomainOrderNode,
  RuleConditionValue,
  TestRunNode,
} from './decision.types';
import { TMF_ORDER_ITEM_ACTION } from '../tmf641/service-order.payload';

/** The record a subject's rules are evaluated against. */
export type SubjectRecord<S extends DecisionSubject> = S extends 'DOMAIN_ORDER' ? DomainOrderNode : TestRunNode;

/** Condition field → the record's value; a field that is absent for the record has no key. */
export type DecidingAttributes = Record<string, string>;

export interface RuleConditionProblem {
  /** Where the problem is, e.g. "conditions[1].field" or "conditions[0].values[2]". */
  field: string;
  message: string;
}

const CHARACTERISTIC_PREFIX = 'characteristic.';
const SCALAR_FIELDS = [
  'category',
  'action',
  'domain',
  'specification.id',
  'specification.name',
  'mode',
  'relatedService.id',
] as const;
const NOT_APPLICABLE: Record<DecisionSubject, readonly string[]> = {
  DOMAIN_ORDER: ['mode'],
  TEST_RUN: ['category', 'action', 'domain'],
};
const TABLE_NAME: Record<DecisionSubject, string> = {
  DOMAIN_ORDER: 'Service Order Outbound Policy',
  TEST_RUN: 'Test Run Outbound Policy',
};

// Rules are typed by people who think in either our enum (NO_CHANGE, ON_DEMAND) or TMF spelling
// (noChange, ONDEMAND); both must mean the same thing, so these two fields compare loosely.
const LOOSE_FIELDS = new Set(['action', 'mode']);
const ACTION_VALUES = new Set(['add', 'modify', 'delete', 'nochange']);
const MODE_VALUES = new Set(['ondemand', 'proactive']);

function loose(value: string): string {
  return value.toLowerCase().replace(/[_-]/g, '');
}

function put(attrs: DecidingAttributes, field: string, value: string | null | undefined): void {
  if (value !== null && value !== undefined) attrs[field] = value;
}

/** The record's values for every condition field that applies to it and is set. */
export function decidingAttributes<S extends DecisionSubject>(subject: S, record: SubjectRecord<S>): DecidingAttributes {
  const attrs: DecidingAttributes = {};
  if (subject === 'DOMAIN_ORDER') {
    const order = record as DomainOrderNode;
    put(attrs, 'category', order.category);
    put(attrs, 'action', TMF_ORDER_ITEM_ACTION[order.action]);
    put(attrs, 'domain', order.domain);
    put(attrs, 'specification.id', order.serviceSpecification.id);
    put(attrs, 'specification.name', order.serviceSpecification.name);
    put(attrs, 'relatedService.id', order.serviceId);
  } else {
    const run = record as TestRunNode;
    put(attrs, 'specification.id', run.specification.externalId);
    put(attrs, 'specification.name', run.specification.name);
    put(attrs, 'mode', run.mode);
    put(attrs, 'relatedService.id', run.relatedServiceId);
  }
  // A repeated characteristic name decides by its first value, as the record lists them.
  for (const c of record.characteristics) {
    const key = CHARACTERISTIC_PREFIX + c.name;
    if (!Object.hasOwn(attrs, key)) attrs[key] = c.value;
  }
  return attrs;
}

function conditionHolds(attrs: DecidingAttributes, condition: RuleConditionValue): boolean {
  const present = Object.hasOwn(attrs, condition.field);
  const norm = LOOSE_FIELDS.has(condition.field) ? loose : (v: string) => v;
  const actual = present ? norm(attrs[condition.field]) : undefined;
  const values = condition.values.map(norm);
  switch (condition.operator) {
    case 'EQUALS':
      return present && values.length > 0 && actual === values[0];
    case 'NOT_EQUALS':
      return !present || actual !== values[0];
    case 'IN':
      return present && values.includes(actual as string);
    case 'EXISTS':
      return present && actual !== '';
    default:
      return false;
  }
}

function byPriority(a: DecisionRuleValue, b: DecisionRuleValue): number {
  // Plain code-unit comparison rather than localeCompare: the order must not depend on the server's locale.
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/**
 * The first active rule of the subject, by ascending priority (then name, then id), whose conditions
 * all hold for the record; null when none does.
 */
export function evaluateRules<S extends DecisionSubject>(
  subject: S,
  record: SubjectRecord<S>,
  rules: readonly DecisionRuleValue[],
): DecisionRuleValue | null {
  const attrs = decidingAttributes(subject, record);
  const candidates = rules.filter((r) => r.active && r.subject === subject).sort(byPriority);
  return candidates.find((r) => r.conditions.every((c) => conditionHolds(attrs, c))) ?? null;
}

/** The NO_MATCHING_RULE message: names the record, the table, and what the record looked like. */
export function noMatchMessage<S extends DecisionSubject>(subject: S, record: SubjectRecord<S>): string {
  const attrs = decidingAttributes(subject, record);
  const shown = SCALAR_FIELDS.filter((f) => Object.hasOwn(attrs, f)).map((f) => `${f}=${attrs[f]}`);
  const what = subject === 'DOMAIN_ORDER' ? 'Domain order' : 'Test run';
  const detail = shown.length > 0 ? ` (${shown.join(', ')})` : '';
  return `${what} ${record.number} has no matching ${TABLE_NAME[subject]} rule${detail}`;
}

function fieldProblem(subject: DecisionSubject, field: string): string | null {
  if (field.includes('\u0000')) return 'Condition fields must not contain a NUL character';
  const isCharacteristic = field.startsWith(CHARACTERISTIC_PREFIX);
  if (isCharacteristic) {
    return field.slice(CHARACTERISTIC_PREFIX.length).trim() === ''
      ? `"${field}" needs a characteristic name after "characteristic."`
      : null;
  }
  if (!(SCALAR_FIELDS as readonly string[]).includes(field)) {
    return `Unknown condition field "${field}"; use one of ${SCALAR_FIELDS.join(', ')} or characteristic.<name>`;
  }
  if (NOT_APPLICABLE[subject].includes(field)) {
    const what = subject === 'DOMAIN_ORDER' ? 'domain orders' : 'test runs';
    return `Condition field "${field}" does not apply to ${what}`;
  }
  return null;
}

function operatorProblem(at: string, operator: string, n: number): RuleConditionProblem | null {
  const values = (ok: boolean, message: string) => (ok ? null : { field: `${at}.values`, message });
  switch (operator) {
    case 'EQUALS':
    case 'NOT_EQUALS':
      return values(n === 1, `${operator} takes exactly one value, got ${n}`);
    case 'IN':
      return values(n >= 1, 'IN takes at least one value');
    case 'EXISTS':
      return values(n === 0, `EXISTS takes no values, got ${n}`);
    default:
      return { field: `${at}.operator`, message: `Unknown operator "${operator}"; use EQUALS, NOT_EQUALS, IN or EXISTS` };
  }
}

function valueProblem(field: string, value: string): string | null {
  if (value === '') return 'Values must not be empty';
  if (value.includes('\u0000')) return 'Values must not contain a NUL character';
  if (field === 'action' && !ACTION_VALUES.has(loose(value))) {
    return `"${value}" is not an action; use add, modify, delete or noChange`;
  }
  if (field === 'mode' && !MODE_VALUES.has(loose(value))) {
    return `"${value}" is not a test mode; use ON_DEMAND or PROACTIVE`;
  }
  return null;
}

/** Everything wrong with a rule's conditions for the subject; empty when they are fine. */
export function validateRuleConditions(
  subject: DecisionSubject,
  conditions: readonly RuleConditionValue[],
): RuleConditionProblem[] {
  const problems: RuleConditionProblem[] = [];
  conditions.forEach((condition, i) => {
    const at = `conditions[${i}]`;
    const values = condition.values ?? [];
    const badField = fieldProblem(subject, condition.field);
    if (badField) problems.push({ field: `${at}.field`, message: badField });
    const badOperator = operatorProblem(at, String(condition.operator), values.length);
    if (badOperator) problems.push(badOperator);
    // Only check values against a field we understand; an unknown field is already reported.
    const checkedField = badField ? '' : condition.field;
    values.forEach((value, j) => {
      const badValue = valueProblem(checkedField, value);
      if (badValue) problems.push({ field: `${at}.values[${j}]`, message: badValue });
    });
  });
  return problems;
}
