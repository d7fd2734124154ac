/**
 * Plain-data shapes the decision table, the payload builders and the submission planner work on.
 * The services map entities to these, so everything downstream stays free of TypeORM and GraphQL classes.
 */

export type DecisionSubject = 'DOMAIN_ORDER' | 'TEST_RUN';
export type ConditionOperator = 'EQUALS' | 'NOT_EQUALS' | 'IN' | 'EXISTS';
export type OrderItemAction = 'ADD' | 'MODIFY' | 'DELETE' | 'NO_CHANGE';
export type TestMode = 'ON_DEMAND' | 'PROACTIVE';

// The same plain shapes the entities store in their jsonb columns.
import type { CharacteristicValue, SpecificationRefValue } from '../../entities/columns';

export type { CharacteristicValue, SpecificationRefValue };

/** A domain service order and, through `children`, its whole hierarchy. */
export interface DomainOrderNode {
  id: string;
  number: string;
  name?: string | null;
  category?: string | null;
  domain?: string | null;
  action: OrderItemAction;
  serviceSpecification: SpecificationRefValue;
  serviceId?: string | null;
  characteristics: CharacteristicValue[];
  children: DomainOrderNode[];
}

export interface MeasureDefinitionValue {
  id: string;
  /** The external system's id of the test measure definition; required before a run may be sent. */
  definitionId?: string | null;
  metricName: string;
  unitOfMeasure?: string | null;
  valueType?: string | null;
}

/** Local copy of the external system's ServiceTestSpecification. */
export interface TestSpecificationValue {
  id: string;
  externalId: string;
  name: string;
  version?: string | null;
  measureDefinitions: MeasureDefinitionValue[];
}

/** A service test run and, through `children`, its whole hierarchy. */
export interface TestRunNode {
  id: string;
  number: string;
  name: string;
  mode: TestMode;
  relatedServiceId: string;
  characteristics: CharacteristicValue[];
  specification: TestSpecificationValue;
  children: TestRunNode[];
}

export interface RuleConditionValue {
  field: string;
  operator: ConditionOperator;
  values: string[];
}

/** One row of an outbound policy decision table. */
export interface DecisionRuleValue {
  id: string;
  subject: DecisionSubject;
  name: string;
  priority: number;
  active: boolean;
  conditions: RuleConditionValue[];
  hierarchical: boolean;
  externalSystemId: string;
}
