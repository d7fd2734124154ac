import { Field, ID, ObjectType } from 'type-graphql';
import { DecisionSubject, FulfillmentState } from './enums.types';
import { OutboundRequest } from './outbound-request.types';
import { DateTime } from './scalars';

@ObjectType({ simpleResolvers: true })
export class FulfillmentStateChange {
  @Field(() => DecisionSubject)
  subject: DecisionSubject;

  @Field(() => ID, { description: 'Id of the DomainOrder or TestRun.' })
  subjectId: string;

  @Field()
  number: string;

  @Field(() => String, { nullable: true })
  requestId: string | null;

  @Field(() => FulfillmentState, { nullable: true })
  previousState: FulfillmentState | null;

  @Field(() => FulfillmentState)
  state: FulfillmentState;

  @Field(() => String, { nullable: true })
  externalState: string | null;

  @Field(() => OutboundRequest, { nullable: true })
  outboundRequest: OutboundRequest | null;

  @Field(() => DateTime)
  occurredAt: Date;
}
