import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintNumber } from './columns';
import { DecisionSubject, ErrorCategory, OutboundOperation, OutboundRequestState, TmfApi } from './enums';

export interface OutboundErrorValue {
  category: ErrorCategory;
  message: string;
  httpStatus?: number | null;
  code?: string | null;
  reason?: string | null;
}

/** One row of the outbound request table, which is also the outbox the dispatcher sends from. */
@Entity('outbound_request')
export class OutboundRequestEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'bigint', insert: false, update: false, transformer: bigintNumber })
  seq: number;

  @Column({ type: 'text', insert: false, update: false })
  number: string;

  @Column({ name: 'request_id', type: 'text' })
  requestId: string;

  @Column({ type: 'text' })
  subject: DecisionSubject;

  @Column({ type: 'text' })
  operation: OutboundOperation;

  @Column({ type: 'text' })
  api: TmfApi;

  @Column({ name: 'external_system_id', type: 'uuid' })
  externalSystemId: string;

  @Column({ name: 'rule_id', type: 'uuid', nullable: true })
  ruleId: string | null;

  @Column({ type: 'boolean', default: false })
  hierarchical: boolean;

  @Column({ type: 'text' })
  state: OutboundRequestState;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  /** Instance that claimed the row for sending, and until when the claim holds. */
  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null;

  @Column({ name: 'http_method', type: 'text' })
  httpMethod: string;

  @Column({ type: 'text' })
  path: string;

  @Column({ type: 'jsonb' })
  payload: unknown;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ name: 'response_body', type: 'jsonb', nullable: true })
  responseBody: unknown;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId: string | null;

  /** Once delivered: the path of the external resource it created or changed (what a REVISE behind it sends to). */
  @Column({ name: 'resource_path', type: 'text', nullable: true })
  resourcePath: string | null;

  @Column({ type: 'jsonb', nullable: true })
  error: OutboundErrorValue | null;

  /** The earlier request of the same record that must be DELIVERED first (a REVISE waits for its CREATE). */
  @Column({ name: 'depends_on_id', type: 'uuid', nullable: true })
  dependsOnId: string | null;

  /** A send was cut off (lease expired): look the resource up at the external system before re-sending. */
  @Column({ name: 'outcome_unknown', type: 'boolean', default: false })
  outcomeUnknown: boolean;

  @Column({ name: 'discard_reason', type: 'text', nullable: true })
  discardReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;
}

/** The domain orders one outbound request carries (a whole tree for a hierarchical TMF641 order). */
@Entity('outbound_request_domain_order')
export class OutboundRequestDomainOrderEntity {
  @PrimaryColumn({ name: 'outbound_request_id', type: 'uuid' })
  outboundRequestId: string;

  @PrimaryColumn({ name: 'domain_order_id', type: 'uuid' })
  domainOrderId: string;

  @Column({ type: 'integer' })
  position: number;

  /** The record's version this request carries: a delivered REVISE clears updatesAvailable only if it is still current. */
  @Column({ name: 'record_version', type: 'integer' })
  recordVersion: number;
}

/** The test run one outbound request carries. */
@Entity('outbound_request_test_run')
export class OutboundRequestTestRunEntity {
  @PrimaryColumn({ name: 'outbound_request_id', type: 'uuid' })
  outboundRequestId: string;

  @PrimaryColumn({ name: 'test_run_id', type: 'uuid' })
  testRunId: string;

  @Column({ type: 'integer' })
  position: number;

  /** The record's version this request carries: a delivered REVISE clears updatesAvailable only if it is still current. */
  @Column({ name: 'record_version', type: 'integer' })
  recordVersion: number;
}
