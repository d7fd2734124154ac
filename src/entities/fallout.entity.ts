import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './columns';
import { ErrorCategory, FalloutStatus } from './enums';

/** A failure that needs a person: opened when an outbound request ends in ERROR. */
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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;
}
