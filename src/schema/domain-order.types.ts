import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Characteristic, CharacteristicInput, PageInfo, SpecificationRef, SpecificationRefInput } from './common.types';
import { DomainOrderState, FulfillmentState, OrderItemAction } from './enums.types';
import { ExternalError, InformationRequired, JeopardyAlert, Milestone } from './inbound.types';
import { DateTime } from './scalars';

@ObjectType({ simpleResolvers: true })
export class DomainOrder {
  @Field(() => ID)
  id: string;

  @Field({ description: 'Human-readable, unique, e.g. DO0001001; used as the TMF641 order item id.' })
  number: string;

  @Field(() => String, { nullable: true })
  name: string | null;

  @Field(() => String, { nullable: true })
  category: string | null;

  @Field(() => String, { nullable: true })
  domain: string | null;

  @Field(() => OrderItemAction)
  action: OrderItemAction;

  @Field(() => SpecificationRef)
  serviceSpecification: SpecificationRef;

  @Field(() => String, { nullable: true, description: 'Existing service (inventory) id, for MODIFY and DELETE.' })
  serviceId: string | null;

  @Field(() => [Characteristic])
  characteristics: Characteristic[];

  @Field(() => DomainOrderState)
  state: DomainOrderState;

  @Field(() => Int, { description: 'Starts at 1; +1 on every revision or cancellation.' })
  version: number;

  @Field()
  pointOfNoReturn: boolean;

  @Field({ description: 'Changed since its last successful outbound request; reviseOutboundRequest shares the change.' })
  updatesAvailable: boolean;

  @Field(() => FulfillmentState)
  fulfillmentState: FulfillmentState;

  @Field(() => String, { nullable: true, description: 'Last TMF641 state the external system reported for this order, e.g. inProgress.' })
  externalState: string | null;

  @Field(() => String, { nullable: true, description: "Id of the external system's service order that carries this domain order." })
  externalId: string | null;

  @Field({
    description: "The 'Create Outbound Fulfillment Request' rule: no successful outbound request yet, or fulfillmentState is ERROR.",
  })
  canRequestFulfillment: boolean;

  @Field(() => [Milestone], { description: 'Milestones the external system reported for this order, oldest first.' })
  milestones: Milestone[];

  @Field(() => [JeopardyAlert], { description: 'Jeopardy alerts the external system raised for this order, oldest first.' })
  jeopardyAlerts: JeopardyAlert[];

  @Field(() => InformationRequired, {
    nullable: true,
    description: 'Set while the external system waits for information; cleared when a revision is delivered.',
  })
  informationRequired: InformationRequired | null;

  @Field(() => [ExternalError], { description: 'Errors the external system reported for this order (TMF641 errorMessage), oldest first.' })
  externalErrors: ExternalError[];

  @Field(() => DomainOrder, { nullable: true })
  parent: DomainOrder | null;

  @Field(() => [DomainOrder])
  children: DomainOrder[];

  @Field(() => DateTime)
  createdAt: Date;

  @Field(() => DateTime)
  updatedAt: Date;
}

// The fields of the inputs of a tree are `declare`d: no own property on a new instance, which
// type-graphql would delete again for every field the caller left out, leaving each of 10,000 nodes a
// slow, several times larger dictionary-mode object.
@InputType()
export class DomainOrderInput {
  @Field(() => String, { nullable: true })
  declare name?: string | null;

  @Field(() => String, { nullable: true })
  declare category?: string | null;

  @Field(() => String, { nullable: true })
  declare domain?: string | null;

  @Field(() => OrderItemAction)
  declare action: OrderItemAction;

  @Field(() => SpecificationRefInput)
  declare serviceSpecification: SpecificationRefInput;

  @Field(() => String, { nullable: true })
  declare serviceId?: string | null;

  @Field(() => [CharacteristicInput], { nullable: true })
  declare characteristics?: CharacteristicInput[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Set when order management has passed the point of no return: the order can then no longer be revised or canceled.',
  })
  declare pointOfNoReturn?: boolean | null;

  @Field(() => ID, { nullable: true })
  declare parentId?: string | null;

  @Field(() => [DomainOrderInput], { nullable: true, description: 'Creates a whole hierarchy in one call.' })
  declare children?: DomainOrderInput[] | null;
}

@InputType()
export class DomainOrderRevisionInput {
  @Field(() => [CharacteristicInput], { nullable: true })
  characteristics?: CharacteristicInput[] | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Int, { nullable: true, description: 'Optimistic lock: the version the caller last read.' })
  expectedVersion?: number | null;
}

@InputType()
export class DomainOrderFilter {
  @Field(() => FulfillmentState, { nullable: true })
  fulfillmentState?: FulfillmentState | null;

  @Field(() => DomainOrderState, { nullable: true })
  state?: DomainOrderState | null;

  @Field(() => Boolean, { nullable: true, description: 'Only orders without a parent.' })
  rootsOnly?: boolean | null;

  @Field(() => ID, { nullable: true })
  parentId?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class DomainOrderEdge {
  @Field()
  cursor: string;

  @Field(() => DomainOrder)
  node: DomainOrder;
}

@ObjectType({ simpleResolvers: true })
export class DomainOrderConnection {
  @Field(() => [DomainOrderEdge])
  edges: DomainOrderEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}
