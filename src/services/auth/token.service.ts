import jwt from 'jsonwebtoken';
import { UnauthenticatedError } from '../common/domain.errors';
import { Role, type AuthUser } from './roles';

const KNOWN_ROLES = new Set<string>(Object.values(Role));

/** Verifies and issues the HS256 JWTs that carry a `roles` claim. */
export class TokenService {
  constructor(private readonly secret: string) {}

  issue(subject: string, roles: Role[], expiresIn: jwt.SignOptions['expiresIn'] = '12h'): string {
    return jwt.sign({ roles }, this.secret, { algorithm: 'HS256', subject, expiresIn });
  }

  /** The user of an `Authorization` header value; throws UnauthenticatedError on a bad or expired token. */
  verifyHeader(header: string | undefined | null): AuthUser | null {
    if (!header) return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>"');
    return this.verify(match[1]);
  }

  verify(token: string): AuthUser {
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new UnauthenticatedError('The token has expired; get a new one');
      throw new UnauthenticatedError('The token is not valid for this server');
    }
    const roles = Array.isArray(claims.roles)
      ? (claims.roles as unknown[]).filter((r): r is Role => typeof r === 'string' && KNOWN_ROLES.has(r))
      : [];
    return { id: typeof claims.sub === 'string' ? claims.sub : 'anonymous', roles };
  }
}
