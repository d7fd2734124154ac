/**
 * The signed-in token. It arrives pasted or in the link the gateway prints (`/console/#token=…`): a URL
 * fragment never reaches the server, and it is moved into session storage and out of the address bar at
 * once, so it is neither bookmarked nor left in the history. Session storage ends with the tab.
 */
const STORAGE_KEY = 'southgate.token';

export type Role = 'ADMIN' | 'ORDER_FULFILLMENT_MANAGER' | 'SERVICE_ORDER_MANAGER' | 'TEST_MANAGER' | 'VIEWER';

export interface Session {
  token: string;
  subject: string;
  roles: Role[];
  /** ms since the epoch; null when the token carries no exp (the gateway refuses those anyway). */
  expiresAt: number | null;
}

/** Takes a token out of the URL fragment (if there is one) into session storage; returns the session, if any. */
export function restoreSession(): Session | null {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const fromLink = fragment.get('token');
  if (fromLink !== null) {
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    const session = readToken(fromLink);
    if (session) sessionStorage.setItem(STORAGE_KEY, session.token);
    return session;
  }
  const stored = sessionStorage.getItem(STORAGE_KEY);
  return stored ? readToken(stored) : null;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, session.token);
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/**
 * Reads the claims the console shows (who, which roles, until when). This is no check: the gateway
 * verifies the signature on every request and the console only hides what the roles could not do.
 */
export function readToken(raw: string): Session | null {
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const bytes = Uint8Array.from(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const json = new TextDecoder().decode(bytes);
    const claims = JSON.parse(json) as { sub?: unknown; roles?: unknown; exp?: unknown };
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is Role => typeof r === 'string') : [];
    return {
      token,
      subject: typeof claims.sub === 'string' ? claims.sub : '(no subject)',
      roles,
      expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null,
    };
  } catch {
    return null;
  }
}

const ORDER_ROLES: Role[] = ['ADMIN', 'ORDER_FULFILLMENT_MANAGER', 'SERVICE_ORDER_MANAGER'];
const TEST_ROLES: Role[] = ['ADMIN', 'TEST_MANAGER'];

/** What the roles allow (mirrors the gateway's @Authorized rules; the gateway still decides). */
export interface Permissions {
  orders: boolean;
  tests: boolean;
  admin: boolean;
}

export function permissions(session: Session): Permissions {
  const has = (allowed: Role[]) => session.roles.some((r) => allowed.includes(r));
  return { orders: has(ORDER_ROLES), tests: has(TEST_ROLES), admin: session.roles.includes('ADMIN') };
}
