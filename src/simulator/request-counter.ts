import { requestMatches, type RequestFacts, type RequestMatch } from './request-matcher';

/**
 * How many requests matched: `received` counts every request (faulted ones included), `created` those
 * that created a resource (a 201 was produced, even if the response was then dropped), `faulted` those a
 * fault was applied to (header or rule).
 */
export interface RequestCount {
  received: number;
  created: number;
  faulted: number;
}

export interface RouteCount extends RequestCount {
  method: string;
  route: string;
}

/** The admin view (`GET /simulator/requests`). */
export interface RequestCountReport {
  total: RequestCount;
  byRoute: RouteCount[];
  byExternalId: Record<string, RequestCount>;
  byName: Record<string, RequestCount>;
}

interface Entry extends RequestCount {
  method: string;
  route: string;
  externalId?: string;
  name?: string;
}

/** Counters per (method, route template, externalId, name): small however many requests arrive. */
export class RequestCounter {
  private readonly entries = new Map<string, Entry>();

  /** Counts a received request; the returned entry is marked later if the request created a resource. */
  record(facts: RequestFacts, faulted: boolean): RequestCount {
    const key = `${facts.method} ${facts.route}\u0000${facts.externalId ?? '\u0001'}\u0000${facts.name ?? '\u0001'}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {
        method: facts.method,
        route: facts.route,
        externalId: facts.externalId,
        name: facts.name,
        received: 0,
        created: 0,
        faulted: 0,
      };
      this.entries.set(key, entry);
    }
    entry.received++;
    if (faulted) entry.faulted++;
    return entry;
  }

  countFor(filter: RequestMatch): RequestCount {
    const sum = zero();
    for (const e of this.entries.values()) {
      if (requestMatches(filter, { method: e.method, path: e.route, route: e.route, externalId: e.externalId, name: e.name })) add(sum, e);
    }
    return sum;
  }

  report(): RequestCountReport {
    const report: RequestCountReport = { total: zero(), byRoute: [], byExternalId: {}, byName: {} };
    const routes = new Map<string, RouteCount>();
    for (const e of this.entries.values()) {
      add(report.total, e);
      const key = `${e.method} ${e.route}`;
      let route = routes.get(key);
      if (!route) routes.set(key, (route = { method: e.method, route: e.route, ...zero() }));
      add(route, e);
      if (e.externalId !== undefined) add((report.byExternalId[e.externalId] ??= zero()), e);
      if (e.name !== undefined) add((report.byName[e.name] ??= zero()), e);
    }
    report.byRoute = [...routes.values()];
    return report;
  }

  reset(): void {
    this.entries.clear();
  }
}

function zero(): RequestCount {
  return { received: 0, created: 0, faulted: 0 };
}

function add(sum: RequestCount, e: RequestCount): void {
  sum.received += e.received;
  sum.created += e.created;
  sum.faulted += e.faulted;
}
