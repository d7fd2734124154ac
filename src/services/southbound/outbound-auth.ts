import { OutboundAuthType } from '../../entities/enums';
import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import { SecretMask } from '../secrets/secret-mask';
import type { DeliveryFailure } from './delivery-outcome';
import { classifyHttpResponse, classifyTransportError } from './delivery-outcome';
import { ForbiddenAddressError, type HttpClient } from './http-client';

/** An external system's outbound credentials, decrypted: only what its auth type uses is set. */
export interface OutboundCredentials {
  username?: string | null;
  password?: string | null;
  token?: string | null;
  tokenUrl?: string | null;
  clientId?: string | null;
  clientSecret?: string | null;
  scope?: string | null;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** A token endpoint failure, already classified like a delivery failure. */
export class TokenError extends Error {
  constructor(readonly failure: DeliveryFailure) {
    super(failure.message);
  }
}

/** Refresh this long before the token endpoint's expiry, so a token never expires in flight. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * The Authorization header for a system: basic, bearer, or an OAuth2 client-credentials token that is
 * cached until shortly before it expires (one token request per system and expiry, not per send).
 */
export class OutboundAuth {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly http: HttpClient) {}

  async header(system: ExternalSystemEntity, credentials: OutboundCredentials, now = Date.now()): Promise<string | null> {
    switch (system.authType) {
      case OutboundAuthType.NONE:
        return null;
      case OutboundAuthType.BASIC:
        return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
      case OutboundAuthType.BEARER:
        return `Bearer ${credentials.token}`;
      case OutboundAuthType.OAUTH2_CLIENT_CREDENTIALS:
        return `Bearer ${await this.oauthToken(system, credentials, now)}`;
    }
  }

  /** The OAuth2 access token this gateway holds for a system now, if any (to mask it wherever it is echoed). */
  currentToken(systemId: string): string | undefined {
    return this.tokens.get(systemId)?.token;
  }

  /** Forget a system's token (its API answered 401: the token may have been revoked). */
  invalidate(systemId: string): void {
    this.tokens.delete(systemId);
  }

  private oauthToken(system: ExternalSystemEntity, credentials: OutboundCredentials, now: number): Promise<string> {
    const cached = this.tokens.get(system.id);
    if (cached && cached.expiresAt > now) return Promise.resolve(cached.token);
    let request = this.pending.get(system.id);
    if (!request) {
      request = this.fetchToken(system, credentials).finally(() => this.pending.delete(system.id));
      this.pending.set(system.id, request);
    }
    return request;
  }

  private async fetchToken(system: ExternalSystemEntity, c: OutboundCredentials): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (c.scope) form.set('scope', c.scope);
    let response;
    try {
      response = await this.http.send({
        method: 'POST',
        url: c.tokenUrl!,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(c.clientId!)}:${encodeURIComponent(c.clientSecret!)}`).toString('base64')}`,
        },
        body: form.toString(),
        timeoutMs: system.timeoutMs,
      });
    } catch (err) {
      const forbidden = [err, (err as { cause?: unknown })?.cause].find((e) => e instanceof ForbiddenAddressError);
      if (forbidden) {
        throw new TokenError({
          kind: 'PERMANENT',
          category: 'CONFIGURATION',
          message: `OAuth2 token endpoint: ${(forbidden as Error).message}`,
        });
      }
      const f = classifyTransportError(err);
      throw new TokenError({ ...f, message: `OAuth2 token endpoint: ${f.message}` });
    }
    // A token endpoint that echoes the request (client_secret, the basic header) must not put it in the
    // failure's message, which is stored; masked before the message is cut to length.
    const bodyText = response.status >= 300 ? SecretMask.of(c).text(response.bodyText) : response.bodyText;
    const outcome = classifyHttpResponse(response.status, response.headers, bodyText, new Date());
    if (outcome.kind !== 'DELIVERED') {
      const category = outcome.kind === 'PERMANENT' ? 'AUTHENTICATION' : outcome.category;
      throw new TokenError({ ...outcome, category, message: `OAuth2 token endpoint refused the client credentials: ${outcome.message}` });
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(response.bodyText) as typeof body;
    } catch {
      body = {};
    }
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new TokenError({
        kind: 'PERMANENT',
        category: 'AUTHENTICATION',
        message: 'OAuth2 token endpoint answered without an access_token',
      });
    }
    const lifetimeMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300) * 1000;
    this.tokens.set(system.id, {
      token: body.access_token,
      expiresAt: Date.now() + Math.max(lifetimeMs - EXPIRY_MARGIN_MS, lifetimeMs / 2),
    });
    return body.access_token;
  }
}
