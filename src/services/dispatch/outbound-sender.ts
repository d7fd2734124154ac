import { DecisionSubject, OutboundOperation } from '../../entities/enums';
import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import type { ExternalSystemService } from '../external-system/external-system.service';
import { classifyHttpResponse, classifyTransportError, type DeliveryFailure } from './delivery-outcome';
import type { Attempt } from './delivery-recorder';
import { ForbiddenAddressError, type HttpClient, type HttpResponse } from './http-client';
import { OutboundAuth, TokenError } from './outbound-auth';

/**
 * A response body, parsed, and as JSON text to store. PostgreSQL's jsonb refuses \u0000 and lone
 * surrogates, which JSON allows: they become U+FFFD, or one such answer would fail the whole batch it
 * is recorded with, again on every retry. Text that is not JSON is kept (its start) as { text }.
 */
export function responseBody(text: string): { value: unknown; json: string | null } {
  if (!text) return { value: null, json: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
    if (!text.includes('\\u')) return { value, json: text };
  } catch {
    value = { text: text.slice(0, 2000) };
  }
  value = storable(value);
  return { value, json: JSON.stringify(value) };
}

const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function storable(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(UNSTORABLE, '\uFFFD');
  if (Array.isArray(value)) return value.map(storable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k) as string, storable(v)]));
  }
  return value;
}

/** Did the request possibly reach the system before it failed? Then a CREATE must be looked up before it is sent again. */
function mayHaveArrived(f: DeliveryFailure): boolean {
  return f.category === 'TIMEOUT' || /closed|reset|hang up/i.test(f.message);
}

/** What an attempt needs of an outbound request, as the claim returned it. */
export interface SendingRequest {
  id: string;
  number: string;
  requestId: string;
  subject: DecisionSubject;
  operation: OutboundOperation;
  httpMethod: string;
  path: string;
  /** The payload as JSON text, sent as it is. */
  body: string;
  /** An earlier attempt may have reached the system: a CREATE is looked up before it is sent again. */
  outcomeUnknown: boolean;
}

/**
 * One attempt at one outbound request: authenticate, send, classify. A CREATE whose earlier attempt
 * may have reached the system (lease expired mid-send, or a timeout) is first looked up by its
 * correlation key (externalId for orders, name for tests) and only sent again if it is not there.
 */
export class OutboundSender {
  readonly auth: OutboundAuth;

  constructor(
    private readonly http: HttpClient,
    private readonly externalSystems: ExternalSystemService,
  ) {
    this.auth = new OutboundAuth(http);
  }

  async attempt(row: SendingRequest, system: ExternalSystemEntity): Promise<Attempt> {
    let authorization: string | null;
    try {
      authorization = await this.auth.header(system, this.externalSystems.credentials(system));
    } catch (err) {
      if (err instanceof TokenError) return { kind: 'FAILED', failure: err.failure };
      throw err;
    }
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-correlation-id': row.requestId,
      ...(authorization ? { authorization } : {}),
    };
    if (row.outcomeUnknown && row.operation === OutboundOperation.CREATE) {
      const found = await this.lookUp(row, system, headers);
      if (found.kind !== 'NOT_FOUND') return found.attempt;
    }
    return this.exchange(system, {
      method: row.httpMethod,
      url: system.baseUrl + row.path,
      headers: { ...headers, 'content-type': 'application/json' },
      body: row.body,
      timeoutMs: system.timeoutMs,
    });
  }

  private async lookUp(
    row: SendingRequest,
    system: ExternalSystemEntity,
    headers: Record<string, string>,
  ): Promise<{ kind: 'FOUND' | 'FAILED'; attempt: Attempt } | { kind: 'NOT_FOUND' }> {
    const query =
      row.subject === DecisionSubject.DOMAIN_ORDER
        ? `/serviceOrder?externalId=${encodeURIComponent(row.requestId)}`
        : `/serviceTest?name=${encodeURIComponent(String((JSON.parse(row.body) as { name?: unknown }).name ?? ''))}`;
    const attempt = await this.exchange(system, { method: 'GET', url: system.baseUrl + query, headers, timeoutMs: system.timeoutMs });
    if (attempt.kind !== 'DELIVERED') {
      return { kind: 'FAILED', attempt: attempt.kind === 'FAILED' ? { ...attempt, outcomeUnknown: true } : attempt };
    }
    const list = Array.isArray(attempt.body) ? attempt.body : [];
    if (list.length === 0) return { kind: 'NOT_FOUND' };
    return { kind: 'FOUND', attempt: { kind: 'DELIVERED', status: attempt.status, body: list[0], bodyJson: JSON.stringify(list[0]) } };
  }

  private async exchange(system: ExternalSystemEntity, request: Parameters<HttpClient['send']>[0]): Promise<Attempt> {
    let response: HttpResponse;
    try {
      response = await this.http.send(request);
    } catch (err) {
      if (err instanceof ForbiddenAddressError || (err as { cause?: unknown })?.cause instanceof ForbiddenAddressError) {
        const message = err instanceof ForbiddenAddressError ? err.message : ((err as { cause: Error }).cause.message);
        return { kind: 'FAILED', failure: { kind: 'PERMANENT', category: 'CONFIGURATION', message } };
      }
      const failure = classifyTransportError(err);
      return { kind: 'FAILED', failure, outcomeUnknown: request.method === 'POST' && mayHaveArrived(failure) };
    }
    const outcome = classifyHttpResponse(response.status, response.headers, response.bodyText, new Date());
    const body = responseBody(response.bodyText);
    if (outcome.kind === 'DELIVERED') return { kind: 'DELIVERED', status: response.status, body: body.value, bodyJson: body.json };
    if (response.status === 401) this.auth.invalidate(system.id);
    return { kind: 'FAILED', failure: outcome, status: response.status, body: body.value };
  }
}
