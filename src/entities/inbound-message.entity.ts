import { Column, Entity, PrimaryColumn } from 'typeorm';
import { InboundMessageStatus } from './enums';

/** Every message an external system sent us, kept with what became of it. */
@Entity('inbound_message')
export class InboundMessageEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'external_system_id', type: 'uuid' })
  externalSystemId: string;

  /** EVENT (TMF listener), OUTBOUND_RESPONSE (compact status call) or POLL. */
  @Column({ type: 'text' })
  kind: string;

  @Column({ name: 'event_id', type: 'text', nullable: true })
  eventId: string | null;

  @Column({ name: 'event_type', type: 'text', nullable: true })
  eventType: string | null;

  @Column({ name: 'event_time', type: 'timestamptz', nullable: true })
  eventTime: Date | null;

  @Column({ type: 'jsonb' })
  body: unknown;

  @Column({ type: 'text' })
  status: InboundMessageStatus;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;
}
