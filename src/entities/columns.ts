import type { ValueTransformer } from 'typeorm';

/** PostgreSQL bigint comes back as a string; our sequences stay far below 2^53. */
export const bigintNumber: ValueTransformer = {
  to: (v: number | undefined) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};

export interface CharacteristicValue {
  name: string;
  value: string;
  valueType?: string | null;
}

export interface SpecificationRefValue {
  id: string;
  name?: string | null;
  version?: string | null;
}
