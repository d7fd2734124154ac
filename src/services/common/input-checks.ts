import type { CharacteristicValue } from '../../entities/columns';
import { BadUserInputError } from './domain.errors';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why PostgreSQL cannot store a text, or null when it can: a NUL character (text and jsonb refuse it) or
 * a lone UTF-16 surrogate (not Unicode at all: jsonb refuses its escape, a text column would silently get
 * U+FFFD). The message never quotes the text, which may be a secret.
 */
export function unstorableText(text: string): string | null {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return `must not contain a NUL character (found at position ${nul})`;
  const lone = LONE_SURROGATE.exec(text);
  if (lone) return `must be valid Unicode text: a lone surrogate \\u${lone[0].charCodeAt(0).toString(16)} is at position ${lone.index}`;
  return null;
}

/** Throws BAD_USER_INPUT naming `field` when PostgreSQL cannot store the text. */
export function checkStorableText(text: string, field: string): string {
  const why = unstorableText(text);
  if (why) throw new BadUserInputError(`${field} ${why}`, field);
  return text;
}

/**
 * Checks every string of an input value, nested objects and lists included (keys too), naming each by
 * its path (`input.characteristics[0].value`). Every GraphQL argument passes through it before its
 * resolver runs (src/graphql/storable-input.middleware.ts); JSON from elsewhere can use it too.
 */
export function checkStorableInput(value: unknown, field: string): void {
  if (typeof value === 'string') {
    checkStorableText(value, field);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkStorableInput(item, `${field}[${i}]`));
  } else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) {
      checkStorableText(key, `${field} (a key)`);
      checkStorableInput(item, `${field}.${key}`);
    }
  }
}

/** A trimmed, non-empty string, or a BAD_USER_INPUT naming the field. */
export function requireText(value: string | null | undefined, field: string, max = 500): string {
  const text = (value ?? '').trim();
  if (!text) throw new BadUserInputError(`${field} must not be empty`, field);
  checkStorableText(text, field);
  if (text.length > max) throw new BadUserInputError(`${field} must be at most ${max} characters`, field);
  return text;
}

/** Optional text: null when absent or blank, else trimmed and bounded. */
export function optionalText(value: string | null | undefined, field: string, max = 500): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  return requireText(value, field, max);
}

export function requireIntInRange(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadUserInputError(`${field} must be a whole number from ${min} to ${max} (got ${value})`, field);
  }
  return value;
}

/** The most a record's characteristics may hold together (names, values and value types, UTF-8 bytes). */
export const MAX_CHARACTERISTICS_BYTES = 64 * 1024;

/** Characteristics with non-empty, unique names; values kept exactly as given (they may be empty). */
export function checkCharacteristics(list: readonly CharacteristicValue[] | null | undefined, field: string): CharacteristicValue[] {
  const seen = new Set<string>();
  const checked = (list ?? []).map((c, i) => {
    const name = requireText(c.name, `${field}[${i}].name`, 200);
    if (seen.has(name)) throw new BadUserInputError(`${field}[${i}].name "${name}" appears twice`, `${field}[${i}].name`);
    seen.add(name);
    checkStorableText(c.value, `${field}[${i}].value`);
    if (c.value.length > 10000) {
      throw new BadUserInputError(`${field}[${i}].value must be at most 10000 characters`, `${field}[${i}].value`);
    }
    return { name, value: c.value, valueType: optionalText(c.valueType, `${field}[${i}].valueType`, 100) };
  });
  const bytes = checked.reduce(
    (sum, c) => sum + Buffer.byteLength(c.name) + Buffer.byteLength(c.value) + Buffer.byteLength(c.valueType ?? ''),
    0,
  );
  if (bytes > MAX_CHARACTERISTICS_BYTES) {
    throw new BadUserInputError(
      `${field} hold ${bytes} bytes together; a record's characteristics may hold at most ${MAX_CHARACTERISTICS_BYTES} (names, values and value types)`,
      field,
    );
  }
  return checked;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot exist (and must not reach a uuid column as a SQL error). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
