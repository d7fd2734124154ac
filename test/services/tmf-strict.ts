import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/project-root';
import { TMF_SPEC_FILES, type TmfSpec } from '../../src/services/tmf/tmf-schema';

// The official swaggers never say additionalProperties:false, so checkTmf accepts any misspelt or
// invented property. This walks a payload alongside the schema and lists every property the schema
// does not declare, as JSON pointers (e.g. "/serviceOrderItem/0/service/serviceCharacteristics").

type Schema = {
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  type?: string;
};

const definitionsBySpec = new Map<TmfSpec, Record<string, Schema>>();

function definitions(spec: TmfSpec): Record<string, Schema> {
  let defs = definitionsBySpec.get(spec);
  if (!defs) {
    const swagger = JSON.parse(readFileSync(join(projectRoot(), 'tmf', TMF_SPEC_FILES[spec]), 'utf8'));
    defs = swagger.definitions as Record<string, Schema>;
    definitionsBySpec.set(spec, defs);
  }
  return defs;
}

function resolve(spec: TmfSpec, schema: Schema): Schema {
  let s = schema;
  for (let hops = 0; s.$ref !== undefined; hops++) {
    const name = s.$ref.replace(/^#\/definitions\//, '');
    const next = definitions(spec)[name];
    if (!next || hops > 50) throw new Error(`${spec}: cannot resolve ${s.$ref}`);
    s = next;
  }
  // Flatten allOf so that properties from every part count as declared (not used by the v4 files).
  if (s.allOf) {
    const parts = s.allOf.map((p) => resolve(spec, p));
    return { ...s, properties: Object.assign({}, s.properties, ...parts.map((p) => p.properties ?? {})) };
  }
  return s;
}

function walk(spec: TmfSpec, schema: Schema, value: unknown, path: string, out: string[]): void {
  const s = resolve(spec, schema);
  if (Array.isArray(value)) {
    if (s.items) value.forEach((v, i) => walk(spec, s.items as Schema, v, `${path}/${i}`, out));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  // A schema without declared properties ("Any" = {}) accepts anything beneath it.
  if (!s.properties) return;
  for (const [key, child] of Object.entries(value)) {
    const declared = s.properties[key];
    if (!declared) out.push(`${path}/${key}`);
    else walk(spec, declared, child, `${path}/${key}`, out);
  }
}

/** Every property in `value` that the definition (followed through $refs) does not declare. */
export function undeclaredProperties(spec: TmfSpec, definition: string, value: unknown): string[] {
  if (!definitions(spec)[definition]) throw new Error(`${spec} has no definition ${definition}`);
  const out: string[] = [];
  walk(spec, { $ref: `#/definitions/${definition}` }, value, '', out);
  return out;
}
