import { Column, CreateDateColumn, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintNumber, type CharacteristicValue, type ExternalErrorValue } from './columns';
import { FulfillmentState } from './enums';

/**
 * Columns shared by the two things Southgate fulfils: domain orders and test runs. Both are trees
 * (parentId, rootId) with a sequence-backed number, characteristics and the external fulfillment fields.
 */
export abstract class FulfillmentRecord {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** Sequence value behind `number`; also the stable order of lists and cursors. */
  @Column({ type: 'bigint', insert: false, update: false, transformer: bigintNumber })
  seq: number;

  @Column({ type: 'text', insert: false, update: false })
  number: string;

  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId: string | null;

  /** The top of the tree (itself for a root): one indexed lookup loads a whole hierarchy. */
  @Column({ name: 'root_id', type: 'uuid' })
  rootId: string;

  @Column({ type: 'integer' })
  depth: number;

  @Column({ type: 'jsonb' })
  characteristics: CharacteristicValue[];

  /** Starts at 1, +1 on every revision or cancellation; the optimistic lock of revisions. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'updates_available', type: 'boolean', default: false })
  updatesAvailable: boolean;

  @Column({ name: 'fulfillment_state', type: 'text', default: FulfillmentState.NOT_REQUESTED })
  fulfillmentState: FulfillmentState;

  @Column({ name: 'external_state', type: 'text', nullable: true })
  externalState: string | null;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId: string | null;

  /** Errors the external system reported for the record, oldest first. */
  @Column({ name: 'external_errors', type: 'jsonb', default: () => "'[]'" })
  externalErrors: ExternalErrorValue[];

  /** eventTime of the last inbound event applied; older events must not move the record backwards. */
  @Column({ name: 'last_event_at', type: 'timestamptz', nullable: true })
  lastEventAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
