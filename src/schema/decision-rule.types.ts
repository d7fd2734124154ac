import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConditionOperator, DecisionSubject } from './enums.types';
import { ExternalSystem } from './external-system.types';
import { JSONScalar } from './scalars';

@ObjectType({
  simpleResolvers: true,
  description: `One condition of a decision rule. field is one of: category, action, domain,
specification.id, specification.name, mode, relatedService.id, or characteristic.<name>.`,
})
export class RuleCondition {
  @Field()
  field: string;

  @Field(() => ConditionOperator)
  operator: ConditionOperator;

  @Field(() => [String])
  values: string[];
}

@InputType()
export class RuleConditionInput {
  @Field()
  field: string;

  @Field(() => ConditionOperator)
  operator: ConditionOperator;

  @Field(() => [String], { nullable: true })
  values?: string[] | null;
}

@ObjectType({
  simpleResolvers: true,
  description: `A row of the outbound policy decision table (Service Order Outbound Policy for
DOMAIN_ORDER, Test Run Outbound Policy for TEST_RUN). Active rules of a subject are
tried by ascending priority; the first whose conditions all hold decides.`,
})
export class DecisionRule {
  @Field(() => ID)
  id: string;

  @Field(() => DecisionSubject)
  subject: DecisionSubject;

  @Field()
  name: string;

  @Field(() => Int)
  priority: number;

  @Field()
  active: boolean;

  @Field(() => [RuleCondition])
  conditions: RuleCondition[];

  @Field({ description: 'true: the whole hierarchy under the submitted record is sent; false: only the record.' })
  hierarchical: boolean;

  @Field(() => ExternalSystem)
  externalSystem: ExternalSystem;
}

@InputType()
export class DecisionRuleInput {
  @Field(() => DecisionSubject)
  subject: DecisionSubject;

  @Field()
  name: string;

  @Field(() => Int)
  priority: number;

  @Field(() => Boolean, { nullable: true })
  active?: boolean | null;

  @Field(() => [RuleConditionInput], { nullable: true })
  conditions?: RuleConditionInput[] | null;

  @Field()
  hierarchical: boolean;

  @Field(() => ID)
  externalSystemId: string;
}

@ObjectType({ simpleResolvers: true, description: 'What the decision table would do for a record, without sending anything.' })
export class DecisionOutcome {
  @Field(() => DecisionRule)
  rule: DecisionRule;

  @Field()
  hierarchical: boolean;

  @Field(() => ExternalSystem)
  externalSystem: ExternalSystem;

  @Field(() => [JSONScalar], { description: 'The payloads that would be sent, in sending order.' })
  payloads: unknown[];
}
