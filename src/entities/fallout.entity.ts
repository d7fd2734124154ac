import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './columns';
import { ErrorCategory, FalloutSource, FalloutStatus } from './enums';

/**
 * A failure that needs a person: opened when an outbound request ends in ERROR, or when an inbound message
 * reports a failure, asks for information, raises a jeopardy or refuses a cancellation (then the request is
 * the record's delivered CREATE or CANCEL).
 */
@Entity('fallout')
export class FalloutEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'bigint', insert: false, update: false, transformer: bigintNumber })
  seq: number;

  @Column({ name: 'outbound_request_id', type: 'uuid' })
  outboundRequestId: string;

  @Column({ type: 'text' })
  category: ErrorCategory;

  @Column({ type: 'text' })
  message: string;

  @Column({ type: 'text', default: FalloutStatus.OPEN })
  status: FalloutStatus;

  @Column({ type: 'text', nullable: true })
  resolution: string | null;

  @Column({ name: 'resolved_by', type: 'text', nullable: true })
  resolvedBy: string | null;

  @Column({ type: 'text', default: FalloutSource.OUTBOUND })
  source: FalloutSource;

  @Column({ name: 'inbound_message_id', type: 'uuid', nullable: true })
  inboundMessageId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;
}

/** The domain orders a fallout concerns. */
@Entity('fallout_domain_order')
export class FalloutDomainOrderEntity {
  @PrimaryColumn({ name: 'fallout_id', type: 'uuid' })
  falloutId: string;

  @PrimaryColumn({ name: 'domain_order_id', type: 'uuid' })
  domainOrderId: string;
}

/** The test runs a fallout concerns. */
@Entity('fallout_test_run')
export class FalloutTestRunEntity {
  @PrimaryColumn({ name: 'fallout_id', type: 'uuid' })
  falloutId: string;

  @PrimaryColumn({ name: 'test_run_id', type: 'uuid' })
  testRunId: string;
}
