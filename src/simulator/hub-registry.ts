import { randomUUID } from 'node:crypto';

export type TmfApi = 'TMF641' | 'TMF653';

/** The TMF v4 `EventSubscription` answer: `{id, callback, query}` (query only when one was given). */
export interface EventSubscription {
  id: string;
  callback: string;
  query?: string;
}

interface Hub extends EventSubscription {
  api: TmfApi;
  /** Event types the query asks for; null = all. */
  eventTypes: ReadonlySet<string> | null;
}

/**
 * Listener registrations per API. The `query` is opaque in TMF v4; the TMF630 convention
 * `eventType=A,B` (or repeated `eventType=`) is honoured as a filter, anything else means "all events".
 */
export class HubRegistry {
  private readonly hubs = new Map<string, Hub>();

  add(api: TmfApi, callback: string, query?: string): EventSubscription {
    const id = randomUUID();
    const hub: Hub = { id, callback, api, eventTypes: eventTypesOf(query) };
    if (query !== undefined) hub.query = query;
    this.hubs.set(id, hub);
    return view(hub);
  }

  remove(api: TmfApi, id: string): boolean {
    const hub = this.hubs.get(id);
    if (!hub || hub.api !== api) return false;
    return this.hubs.delete(id);
  }

  /** Callbacks (base URLs) that want this event type from this API. */
  callbacksFor(api: TmfApi, eventType: string): string[] {
    const out: string[] = [];
    for (const hub of this.hubs.values()) {
      if (hub.api === api && (hub.eventTypes === null || hub.eventTypes.has(eventType))) out.push(hub.callback);
    }
    return out;
  }

  has(api: TmfApi): boolean {
    for (const hub of this.hubs.values()) if (hub.api === api) return true;
    return false;
  }

  list(api?: TmfApi): EventSubscription[] {
    return [...this.hubs.values()].filter((h) => api === undefined || h.api === api).map(view);
  }

  clear(): void {
    this.hubs.clear();
  }
}

function view(hub: Hub): EventSubscription {
  return hub.query === undefined ? { id: hub.id, callback: hub.callback } : { id: hub.id, callback: hub.callback, query: hub.query };
}

function eventTypesOf(query: string | undefined): ReadonlySet<string> | null {
  if (!query) return null;
  const types = new URLSearchParams(query.replace(/^\?/, ''))
    .getAll('eventType')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return types.length > 0 ? new Set(types) : null;
}
