import type { CharacteristicValue, SpecificationRefValue } from '../../entities/columns';
import type { DecisionSubject } from '../../entities/enums';

/**
 * The plain record model: the shapes the decision table, the payload builders and the submission
 * planner work on. The services map entities to these, so everything downstream stays free of TypeORM
 * and GraphQL classes, and tests build them by hand.
 */

/** A record kind's name as plain data (the values of DecisionSubject). */
export type SubjectName = `${DecisionSubject}`;
export type ConditionOperator = 'EQUALS' | 'NOT_EQUALS' | 'IN' | 'EXISTS';
export type OrderItemAction = 'ADD' | 'MODIFY' | 'DELETE' | 'NO_CHANGE';
export type TestMode = 'ON_DEMAND' | 'PROACTIVE';

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

/** One row of an outbound policy decision table, as plain data. */
export interface DecisionRuleRow {
  id: string;
  subject: SubjectName;
  name: string;
  priority: number;
  active: boolean;
  conditions: RuleConditionValue[];
  hierarchical: boolean;
  externalSystemId: string;
}

/** One outbound request a submission will queue; `coveredIds` are the record ids it carries. */
export interface PlannedRequest {
  operation: 'CREATE';
  httpMethod: 'POST';
  path: string;
  payload: object;
  coveredIds: string[];
}

/** Parents before children, siblings in their given order. Iterative, so a deep tree cannot overflow the stack. */
export function preOrder<T extends { children: T[] }>(root: T): T[] {
  const out: T[] = [];
  const stack: T[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as T;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  return out;
}
