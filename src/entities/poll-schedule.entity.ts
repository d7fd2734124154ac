import { Column, Entity, PrimaryColumn } from 'typeorm';

/** When a sent resource of a polled system is next fetched, and which instance is fetching it. */
@Entity('poll_schedule')
export class PollScheduleEntity {
  /** The CREATE whose external resource is polled. */
  @PrimaryColumn({ name: 'outbound_request_id', type: 'uuid' })
  outboundRequestId: string;

  @Column({ name: 'external_system_id', type: 'uuid' })
  externalSystemId: string;

  @Column({ name: 'next_poll_at', type: 'timestamptz' })
  nextPollAt: Date;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null;

  /** Consecutive failed polls: the next one waits longer. */
  @Column({ type: 'integer', default: 0 })
  failures: number;

  /** Digest of the resource as last fetched: a poll that sees it unchanged stores nothing. */
  @Column({ name: 'last_fingerprint', type: 'text', nullable: true })
  lastFingerprint: string | null;

  /** False once every record it covers is final, or its CREATE ended without being delivered. */
  @Column({ type: 'boolean', default: true })
  active: boolean;
}
