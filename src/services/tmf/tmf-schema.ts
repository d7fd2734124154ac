import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../project-root';

/** The official specifications shipped with the project (copied verbatim into tmf/). */
export const TMF_SPEC_FILES = {
  TMF641: 'TMF641-ServiceOrdering-v4.1.0.swagger.json',
  TMF653: 'TMF653_Service_Test_Management_API_v4.2.0_swagger.json',
} as const;

export type TmfSpec = keyof typeof TMF_SPEC_FILES;

export interface SchemaViolation {
  /** JSON pointer of the offending value, e.g. /serviceOrderItem/0/action ("" for the root). */
  path: string;
  message: string;
}

export interface SchemaCheck {
  valid: boolean;
  violations: SchemaViolation[];
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
// Swagger 2.0 number formats: informative only, not constraints JSON Schema knows.
for (const f of ['float', 'double', 'int32', 'int64', 'base64']) ajv.addFormat(f, true);

const loaded = new Set<TmfSpec>();
const compiled = new Map<string, ValidateFunction>();

function load(spec: TmfSpec): void {
  if (loaded.has(spec)) return;
  const swagger = JSON.parse(readFileSync(join(projectRoot(), 'tmf', TMF_SPEC_FILES[spec]), 'utf8')) as { definitions: object };
  ajv.addSchema({ $id: spec, definitions: swagger.definitions });
  loaded.add(spec);
}

function validatorFor(spec: TmfSpec, definition: string): ValidateFunction {
  const key = `${spec}#/definitions/${definition}`;
  let fn = compiled.get(key);
  if (!fn) {
    load(spec);
    fn = ajv.getSchema(key);
    if (!fn) throw new Error(`${spec} has no definition ${definition}`);
    compiled.set(key, fn);
  }
  return fn;
}

function describe(e: ErrorObject): SchemaViolation {
  const missing = e.keyword === 'required' ? `/${(e.params as { missingProperty: string }).missingProperty}` : '';
  return { path: e.instancePath + missing, message: e.message ?? e.keyword };
}

/**
 * Validates a JSON value against a definition of an official TMF spec, e.g.
 * `checkTmf('TMF641', 'ServiceOrder_Create', body)`.
 */
export function checkTmf(spec: TmfSpec, definition: string, value: unknown): SchemaCheck {
  const fn = validatorFor(spec, definition);
  const valid = fn(value);
  return { valid, violations: valid ? [] : (fn.errors ?? []).map(describe) };
}

/** One line naming every violation, for error messages: "/serviceOrderItem/0/action: must be equal to one of ...". */
export function formatViolations(violations: SchemaViolation[]): string {
  return violations.map((v) => `${v.path || '/'}: ${v.message}`).join('; ');
}

/**
 * Throws when the payload does not validate against the official schema. A payload we built that fails
 * is a bug in the builder, and must be caught before anything is queued, never at the external system.
 */
export function assertValidPayload(spec: TmfSpec, definition: string, payload: unknown): void {
  const check = checkTmf(spec, definition, payload);
  if (!check.valid) {
    throw new Error(`Invalid ${spec} ${definition} payload: ${formatViolations(check.violations)}`);
  }
}
