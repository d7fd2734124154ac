import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Local copy of an external system's ServiceTestSpecification. */
@Entity('test_specification')
export class TestSpecificationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'external_id', type: 'text' })
  externalId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  version: string | null;

  /** As the test system reports it (e.g. Active); "deleted" once the system deleted it. */
  @Column({ name: 'lifecycle_status', type: 'text', nullable: true })
  lifecycleStatus: string | null;

  /** The TMF653 system it was imported from; null when created by hand. */
  @Column({ name: 'external_system_id', type: 'uuid', nullable: true })
  externalSystemId: string | null;

  @Column({ name: 'synced_at', type: 'timestamptz', nullable: true })
  syncedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** One TestMeasureDefinition of a specification; `definitionId` is the id the test system knows it by. */
@Entity('test_measure_definition')
export class TestMeasureDefinitionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'specification_id', type: 'uuid' })
  specificationId: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ name: 'definition_id', type: 'text', nullable: true })
  definitionId: string | null;

  @Column({ name: 'metric_name', type: 'text' })
  metricName: string;

  @Column({ name: 'unit_of_measure', type: 'text', nullable: true })
  unitOfMeasure: string | null;

  @Column({ name: 'value_type', type: 'text', nullable: true })
  valueType: string | null;
}
