import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { EventFaults } from './fault-injection';
import type { Scenario } from './scenario';
import { TmfHttpError } from './simulator.errors';

/** One parsed request as a handler sees it. */
export interface RouteContext {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body; undefined when there was none. */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** Absolute base of the API the route belongs to, from the request's Host, e.g. http://127.0.0.1:4010/tmf-api/serviceOrdering/v4. */
  baseUrl: string;
  /** The X-Simulator-Scenario header merged over any matching scenario rule. */
  scenario: Scenario;
  /** Event faults (duplicate, out of order, ...) for a resource this request creates. */
  eventFaults: EventFaults;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The request created a resource (counted as such). */
  created?: boolean;
}

/** Who a request is about, for counting, fault rules and scenario rules. */
export interface RequestSubject {
  externalId?: string;
  name?: string;
}

export interface Route {
  method: string;
  /** e.g. /tmf-api/serviceOrdering/v4/serviceOrder/{id} */
  template: string;
  /** The absolute-path prefix the route's hrefs are built on. */
  apiBase: string;
  handle: (ctx: RouteContext) => Reply;
  subject?: (ctx: Pick<RouteContext, 'params' | 'body' | 'query'>) => RequestSubject;
}

export type RouteMatch = { route: Route; params: Record<string, string> } | { methodNotAllowed: true } | undefined;

/** A tiny segment router: a dozen routes, matched by splitting the path once. */
export class Router {
  private readonly routes: Array<Route & { segments: string[] }> = [];

  add(route: Route): void {
    this.routes.push({ ...route, segments: route.template.split('/') });
  }

  match(method: string, path: string): RouteMatch {
    const segments = path.split('/');
    let pathKnown = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === method) return { route, params };
      pathKnown = true;
    }
    return pathKnown ? { methodNotAllowed: true } : undefined;
  }
}

function matchSegments(template: string[], actual: string[]): Record<string, string> | undefined {
  if (template.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i];
    if (t.startsWith('{') && t.endsWith('}')) {
      const value = decodeSegment(actual[i]);
      if (!value) return undefined;
      params[t.slice(1, -1)] = value;
    } else if (t !== actual[i]) return undefined;
  }
  return params;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // malformed escape: no route matches, so the client gets a 404
  }
}

const MAX_BODY_BYTES = 1024 * 1024;

/** The raw body, or a 413 error past 1 MiB (the rest is drained so that the error can still be answered). */
export function readRequestBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new TmfHttpError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${MAX_BODY_BYTES} bytes`));
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new TmfHttpError(400, 'INVALID_JSON', `Request body is not valid JSON: ${(e as Error).message}`);
  }
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = { ...reply.headers };
  if (reply.body === undefined || reply.status === 204) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const json = JSON.stringify(reply.body);
  headers['content-type'] = 'application/json;charset=utf-8';
  headers['content-length'] = Buffer.byteLength(json);
  res.writeHead(reply.status, headers);
  res.end(json);
}

export function errorReply(error: unknown): Reply {
  if (error instanceof TmfHttpError) return { status: error.status, body: error.body(), headers: error.headers };
  const internal = new TmfHttpError(500, 'INTERNAL_ERROR', 'The simulator failed to handle the request');
  return { status: 500, body: internal.body() };
}

/** Splits "/a/b?x=1" without the cost of a full URL parse. */
export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: new URLSearchParams() } : { path: url.slice(0, q), query: new URLSearchParams(url.slice(q + 1)) };
}
