import type { DataSource } from 'typeorm';
import { SecretBox } from './secret-box';

/** Every column SecretBox seals, with the key of its table: a rotation re-seals each of them. */
const SEALED_COLUMNS = [{ table: 'external_system', column: 'auth_secret', id: 'id' }] as const;

/** The old key does not open every stored secret: nothing was changed. */
export class WrongKeyError extends Error {}

/**
 * Re-seals every stored secret from oldKey to newKey in one transaction, the rows locked meanwhile.
 * Every secret is opened before anything is written, so when oldKey fails on any of them (a wrong key,
 * or secrets sealed with different keys), WrongKeyError says how many and the database is as it was.
 * Returns how many secrets it re-sealed.
 */
export async function rotateSecrets(dataSource: DataSource, oldKey: Buffer, newKey: Buffer): Promise<number> {
  const from = new SecretBox(oldKey);
  const to = new SecretBox(newKey);
  return dataSource.transaction(async (manager) => {
    const resealed: { table: string; column: string; idColumn: string; id: string; sealed: string }[] = [];
    let unopened = 0;
    let total = 0;
    for (const { table, column, id } of SEALED_COLUMNS) {
      const rows = await manager.query<{ id: string; sealed: string }[]>(
        `SELECT "${id}" AS id, "${column}" AS sealed FROM "${table}" WHERE "${column}" IS NOT NULL ORDER BY "${id}" FOR UPDATE`,
      );
      for (const row of rows) {
        total++;
        let plain: string;
        try {
          plain = from.open(row.sealed);
        } catch {
          unopened++;
          continue;
        }
        resealed.push({ table, column, idColumn: id, id: row.id, sealed: to.seal(plain) });
      }
    }
    if (unopened > 0) {
      throw new WrongKeyError(
        unopened === total
          ? `The old key opens none of the ${total} stored secret(s): it is not the key they were sealed with. Nothing was changed.`
          : `The old key opens ${total - unopened} of the ${total} stored secret(s); the other ${unopened} were sealed with another key. Nothing was changed.`,
      );
    }
    for (const r of resealed) {
      await manager.query(`UPDATE "${r.table}" SET "${r.column}" = $1 WHERE "${r.idColumn}" = $2`, [r.sealed, r.id]);
    }
    return resealed.length;
  });
}
