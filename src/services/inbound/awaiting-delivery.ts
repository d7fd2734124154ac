import type { DataSource } from 'typeorm';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { retryingConflicts } from '../common/transient-conflict';
import { RequestContext } from '../context/request-context';
import { Rejection, tmfError, type CallbackAnswer } from './callback-answers';

/** How long a message waits for the delivery of the request it answers to be recorded (systems answer fast). */
const DELIVERY_WAIT_MS = 3000;
const DELIVERY_POLL_MS = 25;

/** What one try came to: the answer, or the request whose delivery is not recorded yet (try again). */
export type Try = { answer: CallbackAnswer } | { notDelivered: OutboundRequestEntity };

/**
 * Runs `work` in a transaction, again while the request it is about is not recorded as delivered yet: a
 * system's answer can overtake our record of its acceptance (the POST's answer and the first event leave
 * the system together). Nothing is written by a try that waits. After DELIVERY_WAIT_MS the message is
 * refused with 503 and Retry-After (systems send events again).
 */
export async function untilDelivered(
  dataSource: DataSource,
  refusal: { eventId?: string | null; eventType?: string | null },
  work: (ctx: RequestContext) => Promise<Try>,
): Promise<CallbackAnswer> {
  const deadline = Date.now() + DELIVERY_WAIT_MS;
  for (;;) {
    const ctx = new RequestContext(dataSource, null);
    // A try PostgreSQL aborted for a deadlock wrote nothing: it is made again at once, not answered 500.
    const outcome = await retryingConflicts(() => ctx.transaction(() => work(ctx)));
    if ('answer' in outcome) return outcome.answer;
    if (Date.now() >= deadline) {
      const r = outcome.notDelivered;
      throw new Rejection(
        tmfError(503, 'SERVICE_UNAVAILABLE', 'Not ready', `Outbound request ${r.number} is ${r.state}; send this again in a moment`, {
          'retry-after': '1',
        }),
        refusal.eventId,
        refusal.eventType,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, DELIVERY_POLL_MS));
  }
}
