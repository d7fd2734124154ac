import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import { OutboundOperation, OutboundRequestState } from '../../entities/enums';
import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { PollScheduleEntity } from '../../entities/poll-schedule.entity';
import type { RequestContext } from '../context/request-context';
import { RECORD_KINDS } from '../records/record-kinds';

/** Whose resources are polled, and when: one row per CREATE sent to a system with a poll interval. */
export class PollSchedules {
  /** Schedules the CREATEs just queued for a polled system: first poll one interval from now. */
  async schedule(
    ctx: RequestContext,
    system: Pick<ExternalSystemEntity, 'id' | 'pollIntervalSeconds'>,
    requests: OutboundRequestEntity[],
  ): Promise<void> {
    if (!system.pollIntervalSeconds) return;
    const creates = requests.filter((r) => r.operation === OutboundOperation.CREATE);
    if (creates.length === 0) return;
    const nextPollAt = new Date(Date.now() + system.pollIntervalSeconds * 1000);
    await ctx.manager
      .createQueryBuilder()
      .insert()
      .into(PollScheduleEntity)
      .values(creates.map((r) => ({ outboundRequestId: r.id, externalSystemId: system.id, nextPollAt })))
      .orIgnore()
      .execute();
  }

  /**
   * A system whose polling was switched on gets a schedule for every CREATE it has (delivered or on its
   * way) whose records are not final yet; one switched off has its schedules stopped.
   */
  async systemChanged(ctx: RequestContext, system: Pick<ExternalSystemEntity, 'id' | 'pollIntervalSeconds'>): Promise<void> {
    if (!system.pollIntervalSeconds) {
      await ctx.manager.update(PollScheduleEntity, { externalSystemId: system.id, active: true }, { active: false });
      return;
    }
    const due = new Date(Date.now() + system.pollIntervalSeconds * 1000);
    for (const kind of RECORD_KINDS) {
      await ctx.manager.query(
        `INSERT INTO poll_schedule (outbound_request_id, external_system_id, next_poll_at)
         SELECT r.id, r.external_system_id, $2 FROM outbound_request r
          WHERE r.external_system_id = $1 AND r.operation = 'CREATE' AND r.state = ANY ($3)
            AND EXISTS (SELECT 1 FROM ${kind.link.table} l JOIN ${kind.table} t ON t.id = l.${kind.link.column}
                         WHERE l.outbound_request_id = r.id AND t.fulfillment_state NOT IN ('FULFILLED', 'CANCELED'))
         ON CONFLICT (outbound_request_id) DO UPDATE SET active = true, next_poll_at = LEAST(poll_schedule.next_poll_at, EXCLUDED.next_poll_at)`,
        [
          system.id,
          due,
          [OutboundRequestState.DELIVERED, OutboundRequestState.QUEUED, OutboundRequestState.SENDING, OutboundRequestState.RETRY_SCHEDULED],
        ],
      );
    }
  }
}
