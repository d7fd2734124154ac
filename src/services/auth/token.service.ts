import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UnauthenticatedError } from '../common/domain.errors';
import { Role, type AuthUser } from './roles';

const KNOWN_ROLES = new Set<string>(Object.values(Role));

/** Tokens issued by the gateway itself (the admin token `npm start` prints) live this long at most. */
const ISSUED_TTL_SECONDS = 12 * 3600;

/** "24h", "90 min", "30d": a lifetime as a person would say it. */
export function formatDuration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * Verifies and issues the HS256 JWTs that carry a `roles` claim. A token must expire (`exp`), and live
 * at most maxTtlSeconds from its `iat` (or from now, when it has none), so a stolen token is not good forever.
 */
export class TokenService {
  /**
   * The secret as a key object: given a string, jsonwebtoken first tries to parse it as a PEM key on every
   * sign and verify (createPublicKey, then createPrivateKey, throwing), about 1 ms of CPU per request.
   */
  private readonly key: KeyObject;

  constructor(
    secret: string,
    private readonly maxTtlSeconds: number = 86400,
  ) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  issue(
    subject: string,
    roles: Role[],
    expiresIn: jwt.SignOptions['expiresIn'] = Math.min(ISSUED_TTL_SECONDS, this.maxTtlSeconds),
  ): string {
    return jwt.sign({ roles }, this.key, { algorithm: 'HS256', subject, expiresIn });
  }

  /** The user of an `Authorization` header value; throws UnauthenticatedError on a bad or expired token. */
  verifyHeader(header: string | undefined | null): AuthUser | null {
    if (!header) return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>"');
    return this.verify(match[1]);
  }

  verify(token: string, now = Date.now()): AuthUser {
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.key, { algorithms: ['HS256'], clockTimestamp: Math.floor(now / 1000) }) as jwt.JwtPayload;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new UnauthenticatedError('The token has expired; get a new one');
      throw new UnauthenticatedError('The token is not valid for this server');
    }
    const max = formatDuration(this.maxTtlSeconds);
    if (typeof claims.exp !== 'number') {
      throw new UnauthenticatedError(`The token has no expiry (exp claim); tokens must expire within ${max}`);
    }
    const lifetime = claims.exp - (typeof claims.iat === 'number' ? claims.iat : Math.floor(now / 1000));
    if (lifetime > this.maxTtlSeconds) {
      throw new UnauthenticatedError(
        `The token lives ${formatDuration(lifetime)} (exp - iat); tokens may live at most ${max}: get one that expires sooner`,
      );
    }
    const roles = Array.isArray(claims.roles)
      ? (claims.roles as unknown[]).filter((r): r is Role => typeof r === 'string' && KNOWN_ROLES.has(r))
      : [];
    return { id: typeof claims.sub === 'string' ? claims.sub : 'anonymous', roles, expiresAt: claims.exp * 1000 };
  }
}
