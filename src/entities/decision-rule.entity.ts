import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { ConditionOperator, DecisionSubject } from './enums';

export interface RuleConditionValue {
  field: string;
  operator: ConditionOperator;
  values: string[];
}

/** A row of the Service Order / Test Run Outbound Policy decision table. */
@Entity('decision_rule')
export class DecisionRuleEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  subject: DecisionSubject;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'integer' })
  priority: number;

  @Column({ type: 'boolean' })
  active: boolean;

  @Column({ type: 'jsonb' })
  conditions: RuleConditionValue[];

  @Column({ type: 'boolean' })
  hierarchical: boolean;

  @Column({ name: 'external_system_id', type: 'uuid' })
  externalSystemId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
