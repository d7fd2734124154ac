import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { OutboundAuthType, TmfApi } from './enums';

/** A southbound system. Secrets live only in authSecret (encrypted) and inboundTokenHash (hashed). */
@Entity('external_system')
export class ExternalSystemEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  api: TmfApi;

  @Column({ name: 'base_url', type: 'text' })
  baseUrl: string;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ name: 'timeout_ms', type: 'integer' })
  timeoutMs: number;

  @Column({ name: 'max_attempts', type: 'integer' })
  maxAttempts: number;

  @Column({ name: 'auth_type', type: 'text' })
  authType: OutboundAuthType;

  /** AES-256-GCM sealed JSON of the outbound credentials; never leaves the services layer. */
  @Column({ name: 'auth_secret', type: 'text', nullable: true, select: true })
  authSecret: string | null;

  /** SHA-256 of the token the system presents on callbacks. */
  @Column({ name: 'inbound_token_hash', type: 'text', nullable: true })
  inboundTokenHash: string | null;

  @Column({ name: 'poll_interval_seconds', type: 'integer', nullable: true })
  pollIntervalSeconds: number | null;

  /** A reported milestone of this name (any case) sets pointOfNoReturn on the orders it names. */
  @Column({ name: 'point_of_no_return_milestone', type: 'text', default: 'pointOfNoReturn' })
  pointOfNoReturnMilestone: string;

  /** Id of this gateway's listener registration at the system's TMF /hub. */
  @Column({ name: 'hub_subscription_id', type: 'text', nullable: true })
  hubSubscriptionId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
