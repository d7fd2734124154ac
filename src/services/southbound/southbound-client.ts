import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import { storableJson } from '../common/storable-json';
import { SecretMask } from '../secrets/secret-mask';
import { classifyHttpResponse, classifyTransportError, type DeliveryFailure } from './delivery-outcome';
import { ForbiddenAddressError, type HttpClient, type HttpRequest, type HttpResponse } from './http-client';
import { OutboundAuth, TokenError, type OutboundCredentials } from './outbound-auth';

/** What one exchange with an external system came to. */
export type Exchange =
  | {
      kind: 'DELIVERED';
      status: number;
      body: unknown;
      /** The body as JSON text to store. */
      bodyJson: string | null;
      headers?: Record<string, string | string[] | undefined>;
      /** Why `body` is not what the system sent: it was not JSON (kept as { text }), or longer than the client reads. */
      unreadable?: 'NOT_JSON' | 'TOO_LARGE';
    }
  | { kind: 'FAILED'; failure: DeliveryFailure; status?: number; body?: unknown; outcomeUnknown?: boolean };

/**
 * A response body, parsed, and as JSON text to store. PostgreSQL's jsonb refuses \u0000 and lone
 * surrogates, which JSON allows: they become U+FFFD, or one such answer would fail the whole batch it
 * is recorded with, again on every retry. Text that is not JSON is kept (its start) as { text }.
 */
export function responseBody(text: string): { value: unknown; json: string | null; notJson?: true } {
  if (!text) return { value: null, json: null };
  let value: unknown;
  let notJson: true | undefined;
  try {
    value = JSON.parse(text);
    if (!text.includes('\\u')) return { value, json: text };
  } catch {
    value = { text: text.slice(0, 2000) };
    notJson = true;
  }
  value = storableJson(value);
  return notJson ? { value, json: JSON.stringify(value), notJson } : { value, json: JSON.stringify(value) };
}

/** A body masked by value (already) and by name: every key named like a secret, at any depth. */
function maskedBody(mask: SecretMask, bodyText: string): { value: unknown; json: string | null } {
  const body = responseBody(bodyText);
  if (body.value === null) return body;
  const value = mask.json(body.value);
  return { value, json: JSON.stringify(value) };
}

function maskFailure(mask: SecretMask, failure: DeliveryFailure): DeliveryFailure {
  const masked = { ...failure, message: mask.text(failure.message) };
  if (failure.code !== undefined) masked.code = mask.text(failure.code);
  if (failure.reason !== undefined) masked.reason = mask.text(failure.reason);
  return masked;
}

/** Did the request possibly reach the system before it failed? Then a CREATE must be looked up before it is sent again. */
function mayHaveArrived(f: DeliveryFailure): boolean {
  return f.category === 'TIMEOUT' || /closed|reset|hang up/i.test(f.message);
}

/**
 * The one way Southgate talks to an external system: the system's auth (basic, bearer, cached OAuth2
 * token), the outbound HTTP client with its address policy checked at connect time, and every answer
 * classified the same way (delivered, transient or permanent failure, with the TMF Error it carried).
 */
export class SouthboundClient {
  readonly auth: OutboundAuth;
  /** One mask per system, rebuilt when its sealed credentials or the header it sends change. */
  private readonly masks = new Map<string, { key: string; mask: SecretMask }>();

  constructor(
    private readonly http: HttpClient,
    /** The decrypted credentials of a system. */
    private readonly credentials: (system: ExternalSystemEntity) => OutboundCredentials,
  ) {
    this.auth = new OutboundAuth(http);
  }

  /** Headers every call carries: JSON, the correlation id, and the system's Authorization; or why there is none. */
  async headers(
    system: ExternalSystemEntity,
    correlationId: string,
  ): Promise<{ headers: Record<string, string> } | { failure: DeliveryFailure }> {
    let authorization: string | null;
    try {
      authorization = await this.auth.header(system, this.credentials(system));
    } catch (err) {
      if (err instanceof TokenError) return { failure: maskFailure(this.mask(system, undefined), err.failure) };
      throw err;
    }
    return {
      headers: { accept: 'application/json', 'x-correlation-id': correlationId, ...(authorization ? { authorization } : {}) },
    };
  }

  /**
   * Sends one request and classifies the answer; a POST that may have arrived before it failed says so.
   * Everything it returns is stored or shown (response bodies, error texts readable by any VIEWER), so
   * the system's secrets and the Authorization it was sent are masked in it first: a system that
   * echoes the request in its answer must not publish its own credentials.
   */
  async exchange(system: ExternalSystemEntity, request: HttpRequest): Promise<Exchange> {
    const mask = this.mask(system, request.headers.authorization);
    let response: HttpResponse;
    try {
      response = await this.http.send(request);
    } catch (err) {
      if (err instanceof ForbiddenAddressError || (err as { cause?: unknown })?.cause instanceof ForbiddenAddressError) {
        const message = err instanceof ForbiddenAddressError ? err.message : (err as { cause: Error }).cause.message;
        return { kind: 'FAILED', failure: { kind: 'PERMANENT', category: 'CONFIGURATION', message: mask.text(message) } };
      }
      const failure = maskFailure(mask, classifyTransportError(err));
      return { kind: 'FAILED', failure, outcomeUnknown: request.method === 'POST' && mayHaveArrived(failure) };
    }
    // Masked before anything is cut from it, so that no clipped message keeps half a secret.
    const bodyText = mask.text(response.bodyText);
    const outcome = classifyHttpResponse(response.status, response.headers, bodyText, new Date());
    const parsed = responseBody(bodyText);
    const body = bodyText === response.bodyText ? parsed : maskedBody(mask, bodyText);
    if (outcome.kind === 'DELIVERED') {
      const unreadable = response.truncated ? 'TOO_LARGE' : parsed.notJson ? 'NOT_JSON' : undefined;
      const delivered = {
        kind: 'DELIVERED',
        status: response.status,
        body: body.value,
        bodyJson: body.json,
        headers: response.headers,
      } as const;
      return unreadable ? { ...delivered, unreadable } : delivered;
    }
    if (response.status === 401) this.auth.invalidate(system.id);
    return { kind: 'FAILED', failure: outcome, status: response.status, body: maskedBody(mask, bodyText).value };
  }

  /**
   * The mask of a system's secrets (and the OAuth2 access token held for it), for what the system sends
   * of its own accord: callbacks are masked with it before anything is stored or derived from them.
   */
  secretMask(system: ExternalSystemEntity): SecretMask {
    const token = this.auth.currentToken(system.id);
    return this.mask(system, token === undefined ? undefined : `Bearer ${token}`);
  }

  /** The mask of a system's secrets and of the Authorization header value it is sent (an OAuth2 access token among them). */
  private mask(system: ExternalSystemEntity, authorization: string | undefined): SecretMask {
    const key = `${system.authSecret ?? ''}\n${authorization ?? ''}`;
    const cached = this.masks.get(system.id);
    if (cached?.key === key) return cached.mask;
    const sent = authorization ? /^\s*\S+\s+(\S+)\s*$/.exec(authorization)?.[1] : undefined;
    const mask = SecretMask.of({ ...this.credentials(system), accessToken: sent });
    this.masks.set(system.id, { key, mask });
    return mask;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
