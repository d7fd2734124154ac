import { STATUS_CODES } from 'node:http';

/** Same names as the GraphQL ErrorCategory enum. */
export type ErrorCategory =
  'TIMEOUT' | 'CONNECTION' | 'REMOTE_VALIDATION' | 'REMOTE_BUSINESS' | 'REMOTE_SERVER' | 'AUTHENTICATION' | 'CONFIGURATION';

/** Why an attempt failed and whether trying again can help. */
export interface DeliveryFailure {
  kind: 'TRANSIENT' | 'PERMANENT';
  category: ErrorCategory;
  message: string;
  /** Absent when no response came (timeout, connection failure). */
  httpStatus?: number;
  /** From the TMF Error body; a numeric code is turned into its decimal string. */
  code?: string;
  reason?: string;
  /** From Retry-After, already capped; only on transient failures. */
  retryAfterMs?: number;
}

export type DeliveryOutcome = { kind: 'DELIVERED' } | DeliveryFailure;
export type HttpDeliveryOutcome = { kind: 'DELIVERED' } | (DeliveryFailure & { httpStatus: number });

/** A Retry-After longer than this is taken as this: a misconfigured header must not park work for days. */
export const RETRY_AFTER_CAP_MS = 60 * 60 * 1000;
const REMOTE_TEXT_MAX = 500;

type Headers = Record<string, string | string[] | undefined>;

interface RemoteError {
  code?: string;
  reason?: string;
  message?: string;
}

/** Collapses whitespace and truncates, so that an HTML error page or a huge body cannot flood a message. */
function clip(text: string, max = REMOTE_TEXT_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return clip(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

// Besides TMF's {code, reason, message}, accept the spellings gateways and frameworks put in front of
// a TMF API answer with (title/detail of RFC 7807, error/error_description of OAuth2, description).
function remoteError(value: unknown): RemoteError | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  const nested = o.error ?? o.errors;
  if (nested !== undefined && nested !== null && typeof nested === 'object') return remoteErrors(nested)[0] ?? null;
  const e: RemoteError = {
    code: text(o.code),
    reason: text(o.reason) ?? text(o.title) ?? text(o.error),
    message: text(o.message) ?? text(o.detail) ?? text(o.description) ?? text(o.error_description),
  };
  return e.code || e.reason || e.message ? e : null;
}

function remoteErrors(value: unknown): RemoteError[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map(remoteError).filter((e): e is RemoteError => e !== null);
}

function parseBody(bodyText: string): { errors: RemoteError[]; raw?: string } {
  const trimmed = bodyText.trim();
  if (trimmed === '') return { errors: [] };
  try {
    const errors = remoteErrors(JSON.parse(trimmed));
    return errors.length > 0 ? { errors } : { errors, raw: clip(trimmed) };
  } catch {
    return { errors: [], raw: clip(trimmed) };
  }
}

function header(headers: Headers, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After as delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, RETRY_AFTER_CAP_MS);
  // Date.parse is lenient ("-5" is a year); an HTTP-date always names a month, so insist on letters.
  if (!/[a-z]{3}/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now.getTime()), RETRY_AFTER_CAP_MS);
}

function statusClass(status: number): Pick<DeliveryFailure, 'kind' | 'category'> {
  if (status === 408 || status === 429 || (status >= 500 && status <= 599)) return { kind: 'TRANSIENT', category: 'REMOTE_SERVER' };
  if (status === 401 || status === 403) return { kind: 'PERMANENT', category: 'AUTHENTICATION' };
  // 404/405: nothing at that path, i.e. a wrong base URL or API version. A redirect means the same:
  // a TMF API root does not move, and following it could leak credentials to another host.
  if (status === 404 || status === 405 || (status >= 300 && status <= 399)) return { kind: 'PERMANENT', category: 'CONFIGURATION' };
  if (status === 400) return { kind: 'PERMANENT', category: 'REMOTE_VALIDATION' };
  if (status >= 400 && status <= 499) return { kind: 'PERMANENT', category: 'REMOTE_BUSINESS' };
  // 1xx as a final status or a number outside HTTP: something between us is broken; let retries decide.
  return { kind: 'TRANSIENT', category: 'REMOTE_SERVER' };
}

function describeRemote(e: RemoteError): string {
  return [e.reason, e.message].filter((s) => s !== undefined).join(': ') || `code ${e.code}`;
}

/** What an HTTP response means for the outbound request: delivered, retry later, or give up. */
export function classifyHttpResponse(status: number, headers: Headers, bodyText: string, now: Date): HttpDeliveryOutcome {
  if (status >= 200 && status <= 299) return { kind: 'DELIVERED' };
  const { kind, category } = statusClass(status);
  const { errors, raw } = parseBody(bodyText);
  const first = errors[0];
  const statusLine = `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;
  const detail = errors.length > 0 ? clip(errors.map(describeRemote).join('; ')) : raw;
  const failure: DeliveryFailure & { httpStatus: number } = {
    kind,
    category,
    message: detail ? `${statusLine}: ${detail}` : statusLine,
    httpStatus: status,
  };
  if (first?.code !== undefined) failure.code = first.code;
  if (first?.reason !== undefined) failure.reason = first.reason;
  if (kind === 'TRANSIENT') {
    const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), now);
    if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
  }
  return failure;
}

const TIMEOUT_CODES: Record<string, string> = {
  UND_ERR_HEADERS_TIMEOUT: 'Timed out waiting for the response headers',
  UND_ERR_BODY_TIMEOUT: 'Timed out waiting for the response body',
  UND_ERR_CONNECT_TIMEOUT: 'Timed out connecting',
  ETIMEDOUT: 'Timed out connecting',
  ESOCKETTIMEDOUT: 'Timed out on the socket',
};
const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by the external system',
  ECONNABORTED: 'Connection aborted',
  EPIPE: 'Connection closed while sending the request',
  ENOTFOUND: 'Host name not found',
  EAI_AGAIN: 'Host name lookup failed temporarily',
  EHOSTUNREACH: 'Host unreachable',
  ENETUNREACH: 'Network unreachable',
  UND_ERR_SOCKET: 'Connection failed',
  UND_ERR_CLOSED: 'Connection closed',
};

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The error and everything it wraps (`cause` chains, AggregateError.errors), outermost first. */
function errorChain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [err];
  const seen = new Set<unknown>();
  while (queue.length > 0 && out.length < 20) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const like = e as ErrorLike;
    out.push(like);
    if (like.cause !== undefined) queue.push(like.cause);
    if (Array.isArray(like.errors)) queue.push(...(like.errors as unknown[]));
  }
  return out;
}

/** Error text may quote the URL: drop user:password@ and secret-looking query parameters. */
export function redactCredentials(message: string): string {
  return message
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1')
    .replace(/([?&](?:access_token|token|api_?key|key|password|secret|client_secret|sig)=)[^&\s#]*/gi, '$1***');
}

function detailOf(e: ErrorLike): string {
  return typeof e.message === 'string' && e.message !== '' ? `: ${clip(redactCredentials(e.message), 300)}` : '';
}

/** A failure without any HTTP response: transient, TIMEOUT or CONNECTION. */
export function classifyTransportError(err: unknown): DeliveryFailure {
  const chain = errorChain(err);
  const codeOf = (e: ErrorLike) => (typeof e.code === 'string' ? e.code : '');
  // A timeout anywhere in the chain wins: it says more than the "fetch failed" or reset around it.
  const timedOut = chain.find((e) => TIMEOUT_CODES[codeOf(e)] !== undefined);
  if (timedOut) {
    const code = codeOf(timedOut);
    return { kind: 'TRANSIENT', category: 'TIMEOUT', message: `${TIMEOUT_CODES[code]} (${code})${detailOf(timedOut)}` };
  }
  const aborted = chain.find((e) => e.name === 'AbortError' || e.name === 'TimeoutError');
  if (aborted) {
    return { kind: 'TRANSIENT', category: 'TIMEOUT', message: `Request timed out (${String(aborted.name)})${detailOf(aborted)}` };
  }
  const refused = chain.find((e) => CONNECTION_CODES[codeOf(e)] !== undefined);
  if (refused) {
    const code = codeOf(refused);
    return { kind: 'TRANSIENT', category: 'CONNECTION', message: `${CONNECTION_CODES[code]} (${code})${detailOf(refused)}` };
  }
  const closed = chain.find((e) => typeof e.message === 'string' && /other side closed|socket hang up/i.test(e.message));
  if (closed) return { kind: 'TRANSIENT', category: 'CONNECTION', message: `Connection closed by the external system${detailOf(closed)}` };
  // Anything else ("fetch failed" with an unknown cause, TLS errors, ...) is still no answer from the
  // system: report the innermost error, which is the one that says what went wrong.
  const innermost = chain[chain.length - 1];
  const label = innermost && codeOf(innermost) ? ` (${codeOf(innermost)})` : '';
  const detail = innermost ? detailOf(innermost) : typeof err === 'string' ? `: ${clip(redactCredentials(err), 300)}` : '';
  return { kind: 'TRANSIENT', category: 'CONNECTION', message: `Network error${label}${detail}` };
}

/**
 * How long to wait before the next attempt. Exponential backoff (base · 2^(attempt−1), capped by maxMs)
 * with "equal" jitter: half fixed, half random, so that retries spread out yet never collapse to an
 * immediate retry. A Retry-After is a floor and wins over maxMs (up to RETRY_AFTER_CAP_MS), since the
 * system said when it will be ready.
 */
export function retryDelayMs(
  attempt: number,
  opts: { baseMs: number; maxMs: number; retryAfterMs?: number; random?: () => number },
): number {
  const n = Math.max(1, Math.floor(attempt));
  const exponential = Math.min(opts.maxMs, opts.baseMs * 2 ** (n - 1));
  const r = Math.min(1, Math.max(0, (opts.random ?? Math.random)()));
  const jittered = Math.round(exponential / 2 + (exponential / 2) * r);
  const floor = opts.retryAfterMs === undefined ? 0 : Math.min(Math.max(0, opts.retryAfterMs), RETRY_AFTER_CAP_MS);
  return Math.max(jittered, floor);
}
