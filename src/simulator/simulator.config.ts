import type { FaultRuleInput } from './fault-injection';
import type { ScenarioRuleInput } from './scenario';

/** How the simulator reports progress to the callback base URL given at start (hub subscribers always get TMF events). */
export type NotifyMode = 'events' | 'outboundresponse' | 'none';

export const NOTIFY_MODES: readonly NotifyMode[] = ['events', 'outboundresponse', 'none'];

/** Everything a simulator can be started with; `startSimulator` takes any subset. */
export interface SimulatorOptions {
  /** TCP port; 0 picks a free one (the default, for tests). */
  port: number;
  host: string;
  /** Delay between two state transitions of an order, item, test or cancel task. */
  stepMs: number;
  /** Base URL that receives notifications besides hub subscribers, e.g. http://127.0.0.1:3000/callbacks. */
  callbackUrl?: string;
  /** Sent as `Authorization: Bearer <token>` on every notification (hub deliveries too). */
  callbackToken?: string;
  notify: NotifyMode;
  /** Attempts per notification, the first one included. */
  deliveryAttempts: number;
  /** Wait before the first retry; doubled for each later retry. */
  retryDelayMs: number;
  /** A delivery that takes longer counts as failed. */
  deliveryTimeoutMs: number;
  /** Scenario rules installed at start (and again after reset). */
  scenarios: ScenarioRuleInput[];
  /** Fault rules installed at start (and again after reset). */
  faults: FaultRuleInput[];
}

/** The options that can be changed while the simulator runs. */
export type AdjustableOptions = Pick<SimulatorOptions, 'stepMs' | 'callbackUrl' | 'callbackToken' | 'notify'>;

export const DEFAULT_OPTIONS: SimulatorOptions = {
  port: 0,
  host: '127.0.0.1',
  stepMs: 25,
  notify: 'events',
  deliveryAttempts: 4,
  retryDelayMs: 25,
  deliveryTimeoutMs: 2000,
  scenarios: [],
  faults: [],
};

export const SERVICE_ORDERING_BASE = '/tmf-api/serviceOrdering/v4';
export const SERVICE_TEST_BASE = '/tmf-api/serviceTestManagement/v4';
export const ADMIN_BASE = '/simulator';

export function resolveOptions(partial: Partial<SimulatorOptions> = {}): SimulatorOptions {
  const options: SimulatorOptions = { ...DEFAULT_OPTIONS, ...stripUndefined(partial) };
  const problems = checkOptions(options);
  if (problems.length > 0) throw new Error(`Invalid simulator options: ${problems.join('; ')}`);
  return options;
}

export function checkOptions(o: Partial<SimulatorOptions>): string[] {
  const problems: string[] = [];
  const nonNegative = (name: keyof SimulatorOptions, v: unknown) => {
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0))
      problems.push(`${name} must be a non-negative integer`);
  };
  nonNegative('port', o.port);
  nonNegative('stepMs', o.stepMs);
  nonNegative('retryDelayMs', o.retryDelayMs);
  nonNegative('deliveryTimeoutMs', o.deliveryTimeoutMs);
  if (o.deliveryAttempts !== undefined && (!Number.isInteger(o.deliveryAttempts) || o.deliveryAttempts < 1)) {
    problems.push('deliveryAttempts must be an integer >= 1');
  }
  if (o.notify !== undefined && !NOTIFY_MODES.includes(o.notify)) problems.push(`notify must be one of ${NOTIFY_MODES.join('|')}`);
  if (o.callbackUrl !== undefined && !isHttpUrl(o.callbackUrl)) problems.push('callbackUrl must be an absolute http(s) URL');
  return problems;
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Reads the standalone simulator's settings from the environment, reporting every problem at once:
 * SIMULATOR_PORT (default 4010), SIMULATOR_HOST (default 127.0.0.1), SIMULATOR_CALLBACK_URL,
 * SIMULATOR_CALLBACK_TOKEN, SIMULATOR_NOTIFY (events|outboundresponse|none), SIMULATOR_STEP_MS.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): Partial<SimulatorOptions> {
  const problems: string[] = [];
  const int = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) problems.push(`${name} must be a non-negative integer, got "${raw}"`);
    return n;
  };
  const options: Partial<SimulatorOptions> = {
    port: int('SIMULATOR_PORT') ?? 4010,
    host: env.SIMULATOR_HOST || '127.0.0.1',
    stepMs: int('SIMULATOR_STEP_MS'),
    callbackUrl: env.SIMULATOR_CALLBACK_URL || undefined,
    callbackToken: env.SIMULATOR_CALLBACK_TOKEN || undefined,
    notify: (env.SIMULATOR_NOTIFY || undefined) as NotifyMode | undefined,
  };
  if (options.notify !== undefined && !NOTIFY_MODES.includes(options.notify)) {
    problems.push(`SIMULATOR_NOTIFY must be one of ${NOTIFY_MODES.join('|')}, got "${options.notify}"`);
  }
  if (options.callbackUrl !== undefined && !isHttpUrl(options.callbackUrl)) {
    problems.push(`SIMULATOR_CALLBACK_URL must be an absolute http(s) URL, got "${options.callbackUrl}"`);
  }
  if (problems.length > 0) throw new Error(`Invalid simulator environment: ${problems.join('; ')}`);
  return stripUndefined(options);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
