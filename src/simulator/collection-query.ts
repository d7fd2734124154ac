import { badRequest } from './simulator.errors';
import type { Json } from './tmf-resources';

const RESERVED = new Set(['fields', 'offset', 'limit']);

export interface CollectionPage {
  items: Json[];
  /** Matches before paging (X-Total-Count). */
  total: number;
}

/**
 * TMF list semantics: every query parameter other than fields/offset/limit is an exact attribute filter
 * (`externalId=…`, `state=…`, dotted paths such as `serviceOrder.id=…`; a repeated parameter means "any
 * of"), then offset/limit page the matches in creation order, then `fields` keeps only the named top-level
 * attributes plus id and href.
 */
export function queryCollection(resources: readonly Json[], query: URLSearchParams): CollectionPage {
  const offset = nonNegative(query, 'offset') ?? 0;
  const limit = nonNegative(query, 'limit');
  const filters = new Map<string, string[]>();
  for (const [key, value] of query) {
    if (RESERVED.has(key)) continue;
    filters.set(key, [...(filters.get(key) ?? []), value]);
  }
  const matching = filters.size === 0 ? resources : resources.filter((r) => matchesAll(r, filters));
  const page = matching.slice(offset, limit === undefined ? undefined : offset + limit);
  const fields = query.get('fields');
  return { items: fields ? page.map((r) => project(r, fields)) : [...page], total: matching.length };
}

function nonNegative(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  if (raw === '' || !Number.isInteger(n) || n < 0) throw badRequest(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

function matchesAll(resource: Json, filters: Map<string, string[]>): boolean {
  for (const [path, accepted] of filters) {
    const actual = valueAt(resource, path);
    if (actual === undefined || actual === null || typeof actual === 'object') return false;
    if (!accepted.includes(typeof actual === 'string' ? actual : JSON.stringify(actual))) return false;
  }
  return true;
}

function valueAt(resource: Json, path: string): unknown {
  let value: unknown = resource;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Json)[key];
  }
  return value;
}

function project(resource: Json, fields: string): Json {
  const out: Json = { id: resource.id, href: resource.href };
  for (const field of fields.split(',')) {
    const name = field.trim();
    if (name !== '' && resource[name] !== undefined) out[name] = resource[name];
  }
  return out;
}
