import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, findBreakingChanges, lexicographicSortSchema, printSchema } from 'graphql';
import { emittedSdl } from '../../src/graphql/emit-schema';
import { projectRoot } from '../../src/project-root';

const read = (...parts: string[]) => readFileSync(join(projectRoot(), ...parts), 'utf8');

describe('GraphQL contract', () => {
  it('the checked-in schema.graphql is what the code emits (run `npm run schema` after changing types)', async () => {
    expect(read('src', 'schema', 'schema.graphql')).toBe(await emittedSdl());
  });

  it('keeps every type, field, argument and enum value of the public contract', () => {
    const contract = buildSchema(read('test', 'contract', 'contract.graphql'));
    const emitted = buildSchema(read('src', 'schema', 'schema.graphql'));
    const breaking = findBreakingChanges(contract, emitted).map((c) => `${c.type}: ${c.description}`);
    expect(breaking).toEqual([]);
  });

  it('detects a contract break (the check above can fail)', () => {
    const contract = buildSchema(read('test', 'contract', 'contract.graphql'));
    const broken = buildSchema(
      printSchema(lexicographicSortSchema(contract)).replace('  externalState: String\n', '').replace('  CANCELED\n', ''),
    );
    expect(findBreakingChanges(contract, broken).length).toBeGreaterThanOrEqual(2);
  });
});
