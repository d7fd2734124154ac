import { FINAL_FULFILLMENT_STATES } from '../../entities/enums';
import type { LinkTable, RecordKind } from './record-kind';
import { RECORD_KINDS } from './record-kinds';

const FINAL = FINAL_FULFILLMENT_STATES.map((s) => `'${s}'`).join(', ');

/**
 * SQL conditions (one per kind) over alias `t`: every record a row of `t` is linked to (through the kind's
 * `link` table, whose `ownColumn` holds t.id) is in a final fulfillment state.
 */
export function everyLinkedRecordFinal(link: (kind: RecordKind) => LinkTable, ownColumn: string): string[] {
  return RECORD_KINDS.map(
    (k) =>
      `NOT EXISTS (SELECT 1 FROM ${link(k).table} l JOIN ${k.table} r ON r.id = l.${link(k).column}
        WHERE l.${ownColumn} = t.id AND r.fulfillment_state NOT IN (${FINAL}))`,
  );
}
