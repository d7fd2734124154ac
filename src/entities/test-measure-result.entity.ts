import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A measured value reported by the test system for a test run. */
@Entity('test_measure_result')
export class TestMeasureResultEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'test_run_id', type: 'uuid' })
  testRunId: string;

  /** The matching TestMeasureDefinitionEntity, when one matched. */
  @Column({ name: 'definition_id', type: 'uuid', nullable: true })
  definitionId: string | null;

  @Column({ name: 'metric_name', type: 'text' })
  metricName: string;

  @Column({ type: 'text', nullable: true })
  value: string | null;

  @Column({ name: 'unit_of_measure', type: 'text', nullable: true })
  unitOfMeasure: string | null;

  @Column({ name: 'capture_date_time', type: 'timestamptz', nullable: true })
  captureDateTime: Date | null;

  @Column({ name: 'rule_violations', type: 'jsonb', nullable: true })
  ruleViolations: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
