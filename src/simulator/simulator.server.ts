import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { FAULT_HEADER, eventFaultsOf, parseFault, type Fault, type FaultRules } from './fault-injection';
import type { RequestCounter } from './request-counter';
import type { RequestFacts } from './request-matcher';
import { SCENARIO_HEADER, mergeScenarios, parseScenario, type ScenarioRules } from './scenario';
import { ADMIN_BASE } from './simulator.config';
import { TmfHttpError, tmfError } from './simulator.errors';
import {
  errorReply,
  parseJsonBody,
  readRequestBody,
  sendReply,
  splitUrl,
  type Reply,
  type RouteContext,
  type Router,
} from './simulator.router';
import type { StepTimers } from './step-timers';

export interface ServerParts {
  /** TMF641 and TMF653 routes: counted, faultable. */
  tmf: Router;
  /** /simulator/* routes: never counted or faulted. */
  admin: Router;
  faults: FaultRules;
  scenarios: ScenarioRules;
  counter: RequestCounter;
  timers: StepTimers;
}

export function createSimulatorServer(parts: ServerParts): http.Server {
  return http.createServer((req, res) => {
    handle(parts, req, res).catch((error: unknown) => sendReply(res, errorReply(error)));
  });
}

async function handle(parts: ServerParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const { path, query } = splitUrl(req.url ?? '/');
  const raw = await readRequestBody(req);
  if (path === ADMIN_BASE || path.startsWith(`${ADMIN_BASE}/`)) return sendReply(res, dispatch(parts.admin, method, path, query, raw, req));

  const match = parts.tmf.match(method, path);
  const found = match && 'route' in match ? match : undefined;
  const { value: body, error: bodyError } = attempt(() => parseJsonBody(raw));
  const subject = found?.route.subject?.({ params: found.params, body, query }) ?? {};
  const facts: RequestFacts = { method, path, route: found?.route.template ?? path, ...subject };

  const faultHeader = header(req, FAULT_HEADER);
  const { value: fault, error: faultError } = attempt(() =>
    faultHeader !== undefined ? parseFault(faultHeader) : parts.faults.take(facts),
  );
  const requestError = faultError ? new TmfHttpError(400, 'INVALID_FAULT', `${FAULT_HEADER}: ${faultError.message}`) : bodyError;
  // Counted on arrival, so that a request still delayed (or never answered) already shows.
  const count = parts.counter.record(facts, fault !== undefined);

  if (fault?.delayMs) await parts.timers.sleep(fault.delayMs);
  if (fault?.drop === 'before') return void req.socket.destroy();
  if (fault?.status !== undefined) return sendReply(res, faultReply(fault));

  let reply: Reply;
  try {
    if (requestError) throw requestError;
    if (!match) throw new TmfHttpError(404, 'NOT_FOUND', `No resource at ${method} ${path}`);
    if (!found) throw new TmfHttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`);
    const scenarioHeader = header(req, SCENARIO_HEADER);
    const scenario = mergeScenarios(parts.scenarios.find(subject), scenarioHeader ? parseHeaderScenario(scenarioHeader) : undefined);
    const ctx: RouteContext = {
      method,
      path,
      params: found.params,
      query,
      body,
      headers: req.headers,
      baseUrl: baseUrl(req, found.route.apiBase),
      scenario,
      eventFaults: eventFaultsOf(fault),
    };
    reply = found.route.handle(ctx);
  } catch (error) {
    reply = errorReply(error);
  }
  if (reply.created) count.created++;
  if (fault?.drop === 'after') return void req.socket.destroy();
  sendReply(res, reply);
}

function attempt<T>(run: () => T): { value?: T; error?: Error } {
  try {
    return { value: run() };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** Absolute API base from the Host the client used, so hrefs work from wherever the client stands. */
function baseUrl(req: IncomingMessage, apiBase: string): string {
  return `http://${req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`}${apiBase}`;
}

function dispatch(router: Router, method: string, path: string, query: URLSearchParams, raw: Buffer, req: IncomingMessage): Reply {
  try {
    const match = router.match(method, path);
    if (!match) throw new TmfHttpError(404, 'NOT_FOUND', `No resource at ${method} ${path}`);
    if (!('route' in match)) throw new TmfHttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`);
    const body = parseJsonBody(raw);
    return match.route.handle({
      method,
      path,
      params: match.params,
      query,
      body,
      headers: req.headers,
      baseUrl: baseUrl(req, match.route.apiBase),
      scenario: {},
      eventFaults: {},
    });
  } catch (error) {
    return errorReply(error);
  }
}

function faultReply(fault: Fault): Reply {
  const status = fault.status as number;
  const headers: Record<string, string> = {};
  const retryAfter = fault.retryAfter ?? (status === 429 ? 1 : undefined);
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  return { status, headers, body: tmfError(status, 'SIMULATED_FAULT', `Fault injected by the simulator (status ${status})`) };
}

function parseHeaderScenario(text: string) {
  try {
    return parseScenario(text);
  } catch (e) {
    throw new TmfHttpError(400, 'INVALID_SCENARIO', `${SCENARIO_HEADER}: ${(e as Error).message}`);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(';') : value;
}
