import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './columns';
import { InboundChannel, InboundOutcome } from './enums';

/** Every message an authenticated external system sent, and every poll result, kept with what became of it. */
@Entity('inbound_message')
export class InboundMessageEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'bigint', insert: false, update: false, transformer: bigintNumber })
  seq: number;

  @Column({ name: 'external_system_id', type: 'uuid' })
  externalSystemId: string;

  @Column({ type: 'text' })
  channel: InboundChannel;

  @Column({ name: 'event_id', type: 'text', nullable: true })
  eventId: string | null;

  @Column({ name: 'event_type', type: 'text', nullable: true })
  eventType: string | null;

  @Column({ name: 'event_time', type: 'timestamptz', nullable: true })
  eventTime: Date | null;

  /** As received: parsed JSON, or the raw text as a JSON string when it was not JSON (null: none was read). */
  @Column({ type: 'jsonb', nullable: true })
  body: unknown;

  @Column({ type: 'text' })
  outcome: InboundOutcome;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** The HTTP status Southgate answered with; null for a poll. */
  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;
}

/** The domain orders an inbound message touched. */
@Entity('inbound_message_domain_order')
export class InboundMessageDomainOrderEntity {
  @PrimaryColumn({ name: 'inbound_message_id', type: 'uuid' })
  inboundMessageId: string;

  @PrimaryColumn({ name: 'domain_order_id', type: 'uuid' })
  domainOrderId: string;
}

/** The test runs an inbound message touched. */
@Entity('inbound_message_test_run')
export class InboundMessageTestRunEntity {
  @PrimaryColumn({ name: 'inbound_message_id', type: 'uuid' })
  inboundMessageId: string;

  @PrimaryColumn({ name: 'test_run_id', type: 'uuid' })
  testRunId: string;
}
