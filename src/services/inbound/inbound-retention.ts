import type { PruneTarget } from '../common/pruning';
import { everyLinkedRecordFinal } from '../records/final-records';

/**
 * What retention may delete from the inbound messages: one received before the cutoff whose records (if
 * it touched any) are all final and that no fallout refers to. Its links go with it.
 */
export const OLD_INBOUND_MESSAGES: PruneTarget = {
  table: 'inbound_message',
  timeColumn: 'received_at',
  eligible: [
    't.received_at < $3',
    'NOT EXISTS (SELECT 1 FROM fallout f WHERE f.inbound_message_id = t.id)',
    ...everyLinkedRecordFinal((k) => k.inboundLink, 'inbound_message_id'),
  ].join(' AND '),
};
