import { OutboundRequestState } from '../../entities/enums';
import type { PruneTarget } from '../common/pruning';
import { everyLinkedRecordFinal } from '../records/final-records';

/**
 * What retention may delete from the outbound request table: a request DELIVERED before the cutoff whose
 * records are all final, that no fallout, cancellation or later request (a REVISE or CANCEL after it)
 * refers to. Its links and poll schedule go with it.
 */
export const DELIVERED_REQUESTS: PruneTarget = {
  table: 'outbound_request',
  timeColumn: 'created_at',
  eligible: [
    `t.state = '${OutboundRequestState.DELIVERED}' AND t.delivered_at < $3`,
    'NOT EXISTS (SELECT 1 FROM fallout f WHERE f.outbound_request_id = t.id)',
    'NOT EXISTS (SELECT 1 FROM cancellation c WHERE c.outbound_request_id = t.id)',
    'NOT EXISTS (SELECT 1 FROM outbound_request d WHERE d.depends_on_id = t.id)',
    ...everyLinkedRecordFinal((k) => k.link, 'outbound_request_id'),
  ].join(' AND '),
};
