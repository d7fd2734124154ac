import type { DecisionRuleRow, RuleConditionValue, SubjectName } from '../model/record-model';
import type { RecordNode } from '../records/record-kind';
import { recordKind } from '../records/record-kinds';

/** Condition field → the record's value; a field that is absent for the record has no key. */
export type DecidingAttributes = Record<string, string>;

export interface RuleConditionProblem {
  /** Where the problem is, e.g. "conditions[1].field" or "conditions[0].values[2]". */
  field: string;
  message: string;
}

const CHARACTERISTIC_PREFIX = 'characteristic.';
const SCALAR_FIELDS = ['category', 'action', 'domain', 'specification.id', 'specification.name', 'mode', 'relatedService.id'] as const;

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
export function decidingAttributes(subject: SubjectName, record: RecordNode): DecidingAttributes {
  const attrs: DecidingAttributes = {};
  for (const [field, value] of Object.entries(recordKind(subject).decidingValues(record))) put(attrs, field, value);
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

function byPriority(a: DecisionRuleRow, b: DecisionRuleRow): number {
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
export function evaluateRules(subject: SubjectName, record: RecordNode, rules: readonly DecisionRuleRow[]): DecisionRuleRow | null {
  const attrs = decidingAttributes(subject, record);
  const candidates = rules.filter((r) => r.active && r.subject === subject).sort(byPriority);
  return candidates.find((r) => r.conditions.every((c) => conditionHolds(attrs, c))) ?? null;
}

/** The NO_MATCHING_RULE message: names the record, the table, and what the record looked like. */
export function noMatchMessage(subject: SubjectName, record: RecordNode): string {
  const attrs = decidingAttributes(subject, record);
  const shown = SCALAR_FIELDS.filter((f) => Object.hasOwn(attrs, f)).map((f) => `${f}=${attrs[f]}`);
  const kind = recordKind(subject);
  const detail = shown.length > 0 ? ` (${shown.join(', ')})` : '';
  return `${kind.label} ${record.number} has no matching ${kind.policy} rule${detail}`;
}

function fieldProblem(subject: SubjectName, field: string): string | null {
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
  const kind = recordKind(subject);
  if (kind.notApplicableFields.includes(field)) return `Condition field "${field}" does not apply to ${kind.plural}`;
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
export function validateRuleConditions(subject: SubjectName, conditions: readonly RuleConditionValue[]): RuleConditionProblem[] {
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
