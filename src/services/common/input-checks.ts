import type { CharacteristicValue } from '../../entities/columns';
import { BadUserInputError } from './domain.errors';

/** A trimmed, non-empty string, or a BAD_USER_INPUT naming the field. */
export function requireText(value: string | null | undefined, field: string, max = 500): string {
  const text = (value ?? '').trim();
  if (!text) throw new BadUserInputError(`${field} must not be empty`, field);
  if (text.includes('\u0000')) throw new BadUserInputError(`${field} must not contain a NUL character`, field); // PostgreSQL cannot store it
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

/** Characteristics with non-empty, unique names; values kept exactly as given (they may be empty). */
export function checkCharacteristics(list: readonly CharacteristicValue[] | null | undefined, field: string): CharacteristicValue[] {
  const seen = new Set<string>();
  return (list ?? []).map((c, i) => {
    const name = requireText(c.name, `${field}[${i}].name`, 200);
    if (seen.has(name)) throw new BadUserInputError(`${field}[${i}].name "${name}" appears twice`, `${field}[${i}].name`);
    seen.add(name);
    if (c.value.includes('\u0000'))
      throw new BadUserInputError(`${field}[${i}].value must not contain a NUL character`, `${field}[${i}].value`);
    if (c.value.length > 10000) {
      throw new BadUserInputError(`${field}[${i}].value must be at most 10000 characters`, `${field}[${i}].value`);
    }
    return { name, value: c.value, valueType: optionalText(c.valueType, `${field}[${i}].valueType`, 100) };
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot exist (and must not reach a uuid column as a SQL error). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
