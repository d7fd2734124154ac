import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CancellationState } from './enums';

/** A cancellation shared with an external system: one per CANCEL outbound request, following its cancel task. */
@Entity('cancellation')
export class CancellationEntity {
  @PrimaryColumn({ name: 'outbound_request_id', type: 'uuid' })
  outboundRequestId: string;

  @Column({ type: 'text' })
  state: CancellationState;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** Id of the TMF641 cancelServiceOrder task at the external system (null for TMF653). */
  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId: string | null;

  /** The external id of the resource being cancelled (the order or test). */
  @Column({ name: 'resource_id', type: 'text' })
  resourceId: string;

  @Column({ name: 'requested_at', type: 'timestamptz', default: () => 'now()' })
  requestedAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
