import { DecisionSubject, OutboundOperation } from '../../entities/enums';
import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import type { ExternalSystemService } from '../external-system/external-system.service';
import { classifyHttpResponse, classifyTransportError, type DeliveryFailure } from './delivery-outcome';
import type { Attempt } from './delivery-recorder';
import { ForbiddenAddressError, type HttpClient, type HttpResponse } from './http-client';
import { OutboundAuth, TokenError } from './outbound-auth';

function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { text: text.slice(0, 2000) };
  }
}

/** Did the request possibly reach the system before it failed? Then a CREATE must be looked up before it is sent again. */
function mayHaveArrived(f: DeliveryFailure): boolean {
  return f.category === 'TIMEOUT' || /closed|reset|hang up/i.test(f.message);
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

  async attempt(row: OutboundRequestEntity, system: ExternalSystemEntity): Promise<Attempt> {
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
      body: JSON.stringify(row.payload),
      timeoutMs: system.timeoutMs,
    });
  }

  private async lookUp(
    row: OutboundRequestEntity,
    system: ExternalSystemEntity,
    headers: Record<string, string>,
  ): Promise<{ kind: 'FOUND' | 'FAILED'; attempt: Attempt } | { kind: 'NOT_FOUND' }> {
    const query =
      row.subject === DecisionSubject.DOMAIN_ORDER
        ? `/serviceOrder?externalId=${encodeURIComponent(row.requestId)}`
        : `/serviceTest?name=${encodeURIComponent(String((row.payload as { name?: unknown }).name ?? ''))}`;
    const attempt = await this.exchange(system, { method: 'GET', url: system.baseUrl + query, headers, timeoutMs: system.timeoutMs });
    if (attempt.kind !== 'DELIVERED') {
      return { kind: 'FAILED', attempt: attempt.kind === 'FAILED' ? { ...attempt, outcomeUnknown: true } : attempt };
    }
    const list = Array.isArray(attempt.body) ? attempt.body : [];
    return list.length > 0 ? { kind: 'FOUND', attempt: { kind: 'DELIVERED', status: attempt.status, body: list[0] } } : { kind: 'NOT_FOUND' };
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
    const body = parseBody(response.bodyText);
    if (outcome.kind === 'DELIVERED') return { kind: 'DELIVERED', status: response.status, body };
    if (response.status === 401) this.auth.invalidate(system.id);
    return { kind: 'FAILED', failure: outcome, status: response.status, body };
  }
}
