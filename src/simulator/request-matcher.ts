/** What a fault rule or a request-count query selects; every given field must match. */
export interface RequestMatch {
  /** HTTP method, any case. */
  method?: string;
  /**
   * Path suffix, compared with both the request path and its route template, so `/serviceOrder`,
   * `/serviceOrder/{id}`, `/serviceOrder/*` and a full `/tmf-api/serviceOrdering/v4/serviceOrder` all work.
   */
  path?: string;
  /** The order's externalId: from the request body, or of the stored order the request addresses. */
  externalId?: string;
  /** The test's name: from the request body, or of the stored test the request addresses. */
  name?: string;
}

/** What the simulator knows about one received request. */
export interface RequestFacts {
  method: string;
  path: string;
  /** e.g. /tmf-api/serviceOrdering/v4/serviceOrder/{id}; the raw path when no route matched. */
  route: string;
  externalId?: string;
  name?: string;
}

const patternCache = new Map<string, RegExp>();

function pathPattern(path: string): RegExp {
  let re = patternCache.get(path);
  if (!re) {
    const escaped = path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+');
    // A suffix that starts at a segment boundary: "/serviceOrder" must not match "/cancelServiceOrder".
    re = new RegExp(`${escaped.startsWith('/') ? '' : '(?:^|/)'}${escaped}$`);
    patternCache.set(path, re);
  }
  return re;
}

export function pathMatches(pattern: string, facts: Pick<RequestFacts, 'path' | 'route'>): boolean {
  const re = pathPattern(pattern);
  return re.test(facts.path) || re.test(facts.route);
}

export function requestMatches(match: RequestMatch, facts: RequestFacts): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== facts.method) return false;
  if (match.externalId !== undefined && match.externalId !== facts.externalId) return false;
  if (match.name !== undefined && match.name !== facts.name) return false;
  if (match.path !== undefined && !pathMatches(match.path, facts)) return false;
  return true;
}

/** Checks a matcher that arrived over HTTP; returns the problems found. */
export function checkRequestMatch(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${where} must be an object`];
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (!['method', 'path', 'externalId', 'name'].includes(key)) problems.push(`${where}/${key} is not a known matcher field`);
    else if (typeof v !== 'string') problems.push(`${where}/${key} must be a string`);
  }
  return problems;
}
