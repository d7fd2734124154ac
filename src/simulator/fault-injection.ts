import { randomUUID } from 'node:crypto';
import { checkRequestMatch, requestMatches, type RequestFacts, type RequestMatch } from './request-matcher';

export const FAULT_HEADER = 'x-simulator-fault';

/** Misbehaviour of the events sent about a resource created by a faulted request. */
export interface EventFaults {
  /** Every event about the resource is delivered twice, with the same eventId. */
  duplicateEvent?: boolean;
  /** Consecutive events about the resource are delivered swapped in pairs (2,1,4,3,...). */
  outOfOrderEvents?: boolean;
  /** After the create event, one extra state-change event about an order/test that does not exist. */
  unknownOrderEvent?: boolean;
  /** Events about the resource carry `Authorization: Bearer invalid-token`. */
  badToken?: boolean;
}

/** What to do to one request. Request-level effects apply in the order delay → drop/status. */
export interface Fault extends EventFaults {
  /** Answer with this 4xx/5xx status and a TMF Error body instead of handling the request. */
  status?: number;
  /** Seconds for the Retry-After header (429 always has one, default 1). */
  retryAfter?: number;
  /** Wait this long before answering (the request is still handled afterwards, even if the client gave up). */
  delayMs?: number;
  /** Destroy the socket without an answer: `before` handling (nothing created) or `after` it (the response is lost). */
  drop?: 'before' | 'after';
}

export interface FaultRuleInput {
  match?: RequestMatch;
  /** A Fault object, or the header syntax, e.g. "status=503;retryAfter=2". */
  fault: Fault | string;
  /** How many matching requests get the fault; unlimited when absent. */
  count?: number;
}

export interface FaultRule {
  id: string;
  match: RequestMatch;
  fault: Fault;
  /** Matching requests still to be faulted; null = unlimited. */
  remaining: number | null;
}

const FLAGS = ['duplicateEvent', 'outOfOrderEvents', 'unknownOrderEvent', 'badToken'] as const;

/**
 * Parses the X-Simulator-Fault syntax: `;`-separated directives, e.g.
 * `status=503`, `status=429;retryAfter=2`, `delayMs=5000`, `drop`, `drop=after`, `duplicateEvent`,
 * `outOfOrderEvents`, `unknownOrderEvent`, `badToken`. Throws with a readable message on anything else.
 */
export function parseFault(text: string): Fault {
  const fault: Fault = {};
  for (const part of text.split(';')) {
    const directive = part.trim();
    if (directive === '') continue;
    const eq = directive.indexOf('=');
    const key = (eq < 0 ? directive : directive.slice(0, eq)).trim();
    const value = eq < 0 ? undefined : directive.slice(eq + 1).trim();
    applyDirective(fault, key, value);
  }
  const problems = checkFault(fault);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return fault;
}

function applyDirective(fault: Fault, key: string, value: string | undefined): void {
  const flag = FLAGS.find((f) => f.toLowerCase() === key.toLowerCase());
  if (flag) {
    fault[flag] = value === undefined || value === 'true';
    return;
  }
  switch (key.toLowerCase()) {
    case 'status':
      fault.status = Number(value);
      return;
    case 'retryafter':
      fault.retryAfter = Number(value);
      return;
    case 'delayms':
      fault.delayMs = Number(value);
      return;
    case 'drop':
      fault.drop = (value ?? 'before') as Fault['drop'];
      return;
    default:
      throw new Error(`unknown fault directive "${key}"`);
  }
}

export function checkFault(fault: Fault): string[] {
  const problems: string[] = [];
  const { status, retryAfter, delayMs, drop } = fault;
  if (status !== undefined && (!Number.isInteger(status) || status < 400 || status > 599)) {
    problems.push('status must be an HTTP error status (400-599)');
  }
  if (retryAfter !== undefined && (!Number.isInteger(retryAfter) || retryAfter < 0)) problems.push('retryAfter must be whole seconds');
  if (delayMs !== undefined && (!Number.isInteger(delayMs) || delayMs < 0)) problems.push('delayMs must be a non-negative integer');
  if (drop !== undefined && drop !== 'before' && drop !== 'after') problems.push('drop must be "before" or "after"');
  for (const key of Object.keys(fault)) {
    if (!['status', 'retryAfter', 'delayMs', 'drop', ...FLAGS].includes(key)) problems.push(`unknown fault field "${key}"`);
  }
  return problems;
}

export function eventFaultsOf(fault: Fault | undefined): EventFaults {
  const out: EventFaults = {};
  if (fault) for (const flag of FLAGS) if (fault[flag]) out[flag] = true;
  return out;
}

/** Fault rules set by config or the admin endpoint; each match uses up one of a rule's count. */
export class FaultRules {
  private rules: FaultRule[] = [];

  add(input: FaultRuleInput): FaultRule {
    const fault = typeof input.fault === 'string' ? parseFault(input.fault) : input.fault;
    const problems = [...checkRequestMatch(input.match, 'match'), ...checkFault(fault ?? {})];
    if (!fault || typeof fault !== 'object') problems.push('fault is required');
    if (input.count !== undefined && (!Number.isInteger(input.count) || input.count < 1)) problems.push('count must be an integer >= 1');
    if (problems.length > 0) throw new Error(problems.join('; '));
    const rule: FaultRule = { id: randomUUID(), match: { ...input.match }, fault: { ...fault }, remaining: input.count ?? null };
    this.rules.push(rule);
    return rule;
  }

  /** The first rule matching the request, consumed by one; undefined when none applies. */
  take(facts: RequestFacts): Fault | undefined {
    if (this.rules.length === 0) return undefined;
    const index = this.rules.findIndex((r) => requestMatches(r.match, facts));
    if (index < 0) return undefined;
    const rule = this.rules[index];
    if (rule.remaining !== null && --rule.remaining === 0) this.rules.splice(index, 1);
    return rule.fault;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r, match: { ...r.match }, fault: { ...r.fault } }));
  }

  clear(): void {
    this.rules = [];
  }
}
