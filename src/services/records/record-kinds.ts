import { DOMAIN_ORDERS } from './domain-order.kind';
import type { RecordKind } from './record-kind';
import { TEST_RUNS } from './test-run.kind';

export { DOMAIN_ORDERS } from './domain-order.kind';
export { TEST_RUNS } from './test-run.kind';

/** Every kind of record, in the order lists show them. */
export const RECORD_KINDS: readonly RecordKind[] = [DOMAIN_ORDERS, TEST_RUNS];

const BY_SUBJECT = new Map<string, RecordKind>(RECORD_KINDS.map((k) => [k.subject, k]));

/** The kind of record a decision subject (as stored in a row, or as GraphQL gives it) names. */
export function recordKind(subject: string): RecordKind {
  const kind = BY_SUBJECT.get(subject);
  if (!kind) throw new Error(`Unknown record kind ${JSON.stringify(subject)}`);
  return kind;
}
