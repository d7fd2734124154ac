import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from './common.types';
import { DecisionRule } from './decision-rule.types';
import { ErrorCategory, FalloutSource, FalloutStatus, OutboundOperation, OutboundRequestState, TmfApi } from './enums.types';
import { ExternalSystem } from './external-system.types';
import { DateTime, JSONScalar } from './scalars';

@ObjectType({ simpleResolvers: true })
export class OutboundError {
  @Field(() => ErrorCategory)
  category: ErrorCategory;

  @Field()
  message: string;

  @Field(() => Int, { nullable: true })
  httpStatus?: number | null;

  @Field(() => String, { nullable: true, description: 'From the TMF Error body when the external system sent one.' })
  code?: string | null;

  @Field(() => String, { nullable: true })
  reason?: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'One row of the outbound request table: one message to one external system.' })
export class OutboundRequest {
  @Field(() => ID)
  id: string;

  @Field({ description: 'Human-readable, unique, e.g. FO0001001.' })
  number: string;

  @Field({ description: 'Shared by every outbound request of one submission (a whole hierarchy).' })
  requestId: string;

  @Field(() => OutboundOperation)
  operation: OutboundOperation;

  @Field(() => TmfApi)
  api: TmfApi;

  @Field(() => ExternalSystem)
  externalSystem: ExternalSystem;

  @Field(() => OutboundRequestState)
  state: OutboundRequestState;

  @Field(() => Int)
  attempts: number;

  @Field(() => DateTime, { nullable: true })
  nextAttemptAt: Date | null;

  @Field()
  httpMethod: string;

  @Field({ description: "Path relative to the external system's baseUrl, e.g. /serviceOrder" })
  path: string;

  @Field(() => JSONScalar, { description: 'Exactly the JSON body that is (or will be) sent.' })
  payload: unknown;

  @Field(() => Int, { nullable: true })
  responseStatus: number | null;

  @Field(() => JSONScalar, { nullable: true })
  responseBody: unknown;

  @Field(() => String, { nullable: true, description: 'Id of the resource at the external system, once known.' })
  externalId: string | null;

  @Field(() => OutboundError, { nullable: true })
  error: OutboundError | null;

  @Field(() => DateTime)
  createdAt: Date;

  @Field(() => DateTime)
  updatedAt: Date;

  @Field(() => DateTime, { nullable: true })
  deliveredAt: Date | null;
}

@InputType()
export class OutboundRequestFilter {
  @Field(() => OutboundRequestState, { nullable: true })
  state?: OutboundRequestState | null;

  @Field(() => String, { nullable: true })
  requestId?: string | null;

  @Field(() => ID, { nullable: true })
  externalSystemId?: string | null;

  @Field(() => OutboundOperation, { nullable: true })
  operation?: OutboundOperation | null;
}

@ObjectType({ simpleResolvers: true })
export class OutboundRequestEdge {
  @Field()
  cursor: string;

  @Field(() => OutboundRequest)
  node: OutboundRequest;
}

@ObjectType({ simpleResolvers: true })
export class OutboundRequestConnection {
  @Field(() => [OutboundRequestEdge])
  edges: OutboundRequestEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}

@ObjectType({ simpleResolvers: true, description: 'The result of a submission: every outbound request it queued, all sharing requestId.' })
export class FulfillmentRequest {
  @Field()
  requestId: string;

  @Field()
  hierarchical: boolean;

  @Field(() => DecisionRule)
  rule: DecisionRule;

  @Field(() => [OutboundRequest])
  outboundRequests: OutboundRequest[];
}

@ObjectType({
  simpleResolvers: true,
  description: `A failure that needs a person: created when an outbound request ends in ERROR, and when an
inbound message reports a failure, asks for information, raises a jeopardy or refuses a cancellation.
For an inbound fallout, outboundRequest is the record's delivered CREATE request.`,
})
export class Fallout {
  @Field(() => ID)
  id: string;

  @Field(() => OutboundRequest)
  outboundRequest: OutboundRequest;

  @Field(() => ErrorCategory)
  category: ErrorCategory;

  @Field()
  message: string;

  @Field(() => FalloutStatus)
  status: FalloutStatus;

  @Field(() => String, { nullable: true })
  resolution: string | null;

  @Field(() => DateTime)
  createdAt: Date;

  @Field(() => DateTime, { nullable: true })
  resolvedAt: Date | null;

  @Field(() => FalloutSource, { description: 'OUTBOUND: a request ended in ERROR. INBOUND: an inbound message needs a person.' })
  source: FalloutSource;
}

@ObjectType({ simpleResolvers: true })
export class FalloutEdge {
  @Field()
  cursor: string;

  @Field(() => Fallout)
  node: Fallout;
}

@ObjectType({ simpleResolvers: true })
export class FalloutConnection {
  @Field(() => [FalloutEdge])
  edges: FalloutEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}
