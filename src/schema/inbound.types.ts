import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from './common.types';
import { CancellationState, InboundChannel, InboundOutcome } from './enums.types';
import { DateTime, JSONScalar } from './scalars';

@ObjectType({
  simpleResolvers: true,
  description: `Every message an authenticated external system sent, and every poll result, kept with what became of
it. It is stored before it is answered.`,
})
export class InboundMessage {
  @Field(() => ID)
  id: string;

  @Field(() => InboundChannel)
  channel: InboundChannel;

  @Field(() => String, {
    nullable: true,
    description: "e.g. ServiceOrderStateChangeEvent; for a status call, the call's name; for a poll, the resource type.",
  })
  eventType: string | null;

  @Field(() => String, { nullable: true })
  eventId: string | null;

  @Field(() => DateTime, { nullable: true })
  eventTime: Date | null;

  @Field(() => DateTime)
  receivedAt: Date;

  @Field(() => InboundOutcome)
  outcome: InboundOutcome;

  @Field(() => String, { nullable: true, description: 'Why it was rejected, stale or a duplicate, in words a person can act on.' })
  reason: string | null;

  @Field(() => Int, { nullable: true, description: 'HTTP status Southgate answered with; null for a poll.' })
  responseStatus: number | null;

  @Field(() => JSONScalar, {
    nullable: true,
    description: 'The body as received: parsed JSON, or the raw text as a JSON string when it was not JSON.',
  })
  body: unknown;
}

@InputType()
export class InboundMessageFilter {
  @Field(() => ID, { nullable: true })
  externalSystemId?: string | null;

  @Field(() => InboundChannel, { nullable: true })
  channel?: InboundChannel | null;

  @Field(() => InboundOutcome, { nullable: true })
  outcome?: InboundOutcome | null;

  @Field(() => ID, { nullable: true, description: 'Only messages that touched this domain order or test run.' })
  recordId?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class InboundMessageEdge {
  @Field()
  cursor: string;

  @Field(() => InboundMessage)
  node: InboundMessage;
}

@ObjectType({ simpleResolvers: true })
export class InboundMessageConnection {
  @Field(() => [InboundMessageEdge])
  edges: InboundMessageEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}

@ObjectType({ simpleResolvers: true, description: 'A TMF641 ServiceOrderMilestone reported for an order.' })
export class Milestone {
  @Field(() => String, { nullable: true, description: "The external system's milestone id." })
  id: string | null;

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => String, { nullable: true })
  message: string | null;

  @Field(() => String, { nullable: true })
  status: string | null;

  @Field(() => DateTime, { nullable: true })
  milestoneDate: string | null;

  @Field(() => DateTime)
  receivedAt: string;
}

@ObjectType({ simpleResolvers: true, description: 'A TMF641 ServiceOrderJeopardyAlert raised for an order.' })
export class JeopardyAlert {
  @Field(() => String, { nullable: true })
  id: string | null;

  @Field()
  name: string;

  @Field(() => String, { nullable: true, description: 'e.g. Normal, Hazard, Critical' })
  jeopardyType: string | null;

  @Field(() => String, { nullable: true })
  exception: string | null;

  @Field(() => String, { nullable: true })
  message: string | null;

  @Field(() => DateTime, { nullable: true })
  alertDate: string | null;

  @Field(() => DateTime)
  receivedAt: string;
}

@ObjectType({ simpleResolvers: true, description: 'What the external system asks for before it can go on.' })
export class InformationRequired {
  @Field(() => [String], { description: 'TMF641 v4 fieldPath, split on commas; or the paths of a v5 informationRequired[] list.' })
  fieldPaths: string[];

  @Field(() => String, { nullable: true })
  message: string | null;

  @Field(() => DateTime)
  receivedAt: string;
}

@ObjectType({
  simpleResolvers: true,
  description: 'An error the external system reported for a record (TMF641 errorMessage, or a failed test).',
})
export class ExternalError {
  @Field(() => String, { nullable: true })
  code: string | null;

  @Field(() => String, { nullable: true })
  reason: string | null;

  @Field(() => String, { nullable: true })
  message: string | null;

  @Field(() => String, { nullable: true })
  status: string | null;

  @Field(() => DateTime)
  receivedAt: string;
}

@ObjectType({ simpleResolvers: true, description: 'An in-flight cancellation shared with the external system.' })
export class Cancellation {
  @Field(() => CancellationState)
  state: CancellationState;

  @Field(() => String, { nullable: true })
  reason: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Id of the TMF641 cancelServiceOrder task at the external system (null for TMF653).',
  })
  externalId: string | null;

  @Field(() => DateTime)
  requestedAt: Date;

  @Field(() => DateTime, { nullable: true })
  completedAt: Date | null;
}
