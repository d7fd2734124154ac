import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Characteristic, CharacteristicInput, PageInfo } from './common.types';
import { FulfillmentState, TestMode } from './enums.types';
import { ExternalError } from './inbound.types';
import { DateTime, JSONScalar } from './scalars';

@ObjectType({ simpleResolvers: true })
export class TestMeasureDefinition {
  @Field(() => ID)
  id: string;

  @Field(() => String, {
    nullable: true,
    description: 'The id the external test system knows this definition by. Required before a run can be sent.',
  })
  definitionId: string | null;

  @Field()
  metricName: string;

  @Field(() => String, { nullable: true })
  unitOfMeasure: string | null;

  @Field(() => String, { nullable: true })
  valueType: string | null;
}

@InputType()
export class TestMeasureDefinitionInput {
  @Field(() => String, { nullable: true })
  definitionId?: string | null;

  @Field()
  metricName: string;

  @Field(() => String, { nullable: true })
  unitOfMeasure?: string | null;

  @Field(() => String, { nullable: true })
  valueType?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class TestSpecification {
  @Field(() => ID)
  id: string;

  @Field({ description: "The external system's ServiceTestSpecification id." })
  externalId: string;

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  version: string | null;

  @Field(() => [TestMeasureDefinition])
  measureDefinitions: TestMeasureDefinition[];

  @Field(() => String, { nullable: true, description: 'lifecycleStatus as the test system reports it, e.g. Active.' })
  lifecycleStatus: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When it was last imported or updated from its external system.' })
  syncedAt: Date | null;
}

@InputType()
export class TestSpecificationInput {
  @Field()
  externalId: string;

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  version?: string | null;

  @Field(() => [TestMeasureDefinitionInput], { nullable: true })
  measureDefinitions?: TestMeasureDefinitionInput[] | null;
}

@ObjectType({ simpleResolvers: true, description: 'A measured result reported by the test system.' })
export class TestMeasureResult {
  @Field(() => TestMeasureDefinition, { nullable: true })
  definition: TestMeasureDefinition | null;

  @Field()
  metricName: string;

  @Field(() => String, { nullable: true })
  value: string | null;

  @Field(() => String, { nullable: true })
  unitOfMeasure: string | null;

  @Field(() => DateTime, { nullable: true })
  captureDateTime: Date | null;

  @Field(() => JSONScalar, { nullable: true })
  ruleViolations: unknown;
}

@ObjectType({ simpleResolvers: true })
export class TestRun {
  @Field(() => ID)
  id: string;

  @Field({ description: 'Human-readable, unique, e.g. TR0001001.' })
  number: string;

  @Field()
  name: string;

  @Field(() => TestMode)
  mode: TestMode;

  @Field(() => TestSpecification)
  specification: TestSpecification;

  @Field()
  relatedServiceId: string;

  @Field(() => [Characteristic])
  characteristics: Characteristic[];

  @Field(() => Int)
  version: number;

  @Field()
  updatesAvailable: boolean;

  @Field(() => FulfillmentState)
  fulfillmentState: FulfillmentState;

  @Field(() => String, { nullable: true, description: 'Last TMF653 state the test system reported, e.g. completed.' })
  externalState: string | null;

  @Field(() => String, { nullable: true, description: "The test system's ServiceTest id." })
  externalId: string | null;

  @Field()
  canRequestFulfillment: boolean;

  @Field(() => [TestMeasureResult])
  measures: TestMeasureResult[];

  @Field(() => [ExternalError], { description: 'Errors the external system reported for this run, oldest first.' })
  externalErrors: ExternalError[];

  @Field(() => TestRun, { nullable: true })
  parent: TestRun | null;

  @Field(() => [TestRun])
  children: TestRun[];

  @Field(() => DateTime)
  createdAt: Date;

  @Field(() => DateTime)
  updatedAt: Date;
}

// Fields `declare`d, as DomainOrderInput's (one per node of a tree).
@InputType()
export class TestRunInput {
  @Field()
  declare name: string;

  @Field(() => TestMode, { nullable: true })
  declare mode?: TestMode | null;

  @Field(() => ID)
  declare specificationId: string;

  @Field()
  declare relatedServiceId: string;

  @Field(() => [CharacteristicInput], { nullable: true })
  declare characteristics?: CharacteristicInput[] | null;

  @Field(() => ID, { nullable: true })
  declare parentId?: string | null;

  @Field(() => [TestRunInput], { nullable: true })
  declare children?: TestRunInput[] | null;
}

@InputType()
export class TestRunRevisionInput {
  @Field(() => [CharacteristicInput], { nullable: true })
  characteristics?: CharacteristicInput[] | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Int, { nullable: true })
  expectedVersion?: number | null;
}

@InputType()
export class TestRunFilter {
  @Field(() => FulfillmentState, { nullable: true })
  fulfillmentState?: FulfillmentState | null;

  @Field(() => Boolean, { nullable: true })
  rootsOnly?: boolean | null;

  @Field(() => ID, { nullable: true })
  parentId?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class TestRunEdge {
  @Field()
  cursor: string;

  @Field(() => TestRun)
  node: TestRun;
}

@ObjectType({ simpleResolvers: true })
export class TestRunConnection {
  @Field(() => [TestRunEdge])
  edges: TestRunEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}
