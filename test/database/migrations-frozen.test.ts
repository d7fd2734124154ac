import { createHash } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { MIGRATIONS } from '../../migrations';

/**
 * A migration is never edited after it lands: a database migrated before the edit would not run it
 * again, so two databases at the "same" migration would differ. Each landed migration's SQL (every
 * statement of up and down, in order) is pinned here by its SHA-256. A new migration adds its line;
 * an edit to an old one fails here and must become a new migration instead.
 */
const LANDED: Record<string, string> = {
  InitialSchema1763800000000: '88d942f3c836843c66406bba32cecbd895a86d03b310edf43b94d451316a4760',
  DispatchFunctions1764480000000: '25f2eafc42eed73d893f3eb816ceba00d9d79934fe30f1fa73067ace82d1158a',
  ClaimByPrimaryKey1796044800000: '6ac6dc9af30ff3669aa4aa876aea8199dc005328eea1f0cf990f7c7884884bf9',
  InboundResponses1796131200000: 'ee1b87a14be735be66e5e40b05847eb3fce29630016b1b531a4cd65d5c1dc2d8',
  SharedCircuitBreaker1796217600000: 'a08b9b462b2dccba5ae8c36a2d44f7667cf159c2bd4b1c66d6f0ccae9e57fba2',
  ListIndexes1796304000000: '56997cc19194037eb57acad60c2b7b5b7d5c392973a5a7da726bbfbf4c555a0f',
  DeliveriesByPrimaryKey1796395200000: 'b70b0593a38568e8f06515b4f4bc343fd434e726f1acc9b16f32ea256f6f1a6c',
  TargetLookupIndex1796481600000: '7c17e9cfaa68159da6bfd5e5fc0ae7984d10a2ba17fd5062fcb45ba080879df0',
};

/** The SQL a migration runs, as a digest, recorded through a query runner that only writes it down. */
async function digest(migration: MigrationInterface): Promise<string> {
  const hash = createHash('sha256');
  for (const direction of ['up', 'down'] as const) {
    const recorder = {
      query: (sql: string) => {
        hash.update(direction).update('\0').update(sql).update('\0');
        return Promise.resolve([]);
      },
    } as unknown as QueryRunner;
    await migration[direction](recorder);
  }
  return hash.digest('hex');
}

describe('landed migrations', () => {
  it('every migration is pinned, in order, and none has changed since it landed', async () => {
    const names = MIGRATIONS.map((M) => new M().name);
    expect(names.slice(0, Object.keys(LANDED).length)).toEqual(Object.keys(LANDED));
    for (const M of MIGRATIONS) {
      const migration = new M();
      const name = migration.name;
      expect({ name, sha256: await digest(migration) }).toEqual({ name, sha256: LANDED[name] ?? 'not pinned yet: add it to LANDED' });
    }
  });
});
