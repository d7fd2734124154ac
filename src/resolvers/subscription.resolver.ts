import { Arg, Ctx, FieldResolver, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { DecisionSubject, FalloutStatus, InboundOutcome } from '../entities/enums';
import type { FalloutEntity } from '../entities/fallout.entity';
import type { InboundMessageEntity } from '../entities/inbound-message.entity';
import type { OutboundRequestEntity } from '../entities/outbound-request.entity';
import { ROLES } from '../services/auth/roles';
import { ForbiddenError, UnauthenticatedError } from '../services/common/domain.errors';
import type { RequestContext } from '../services/context/request-context';
import {
  routingKey,
  TOPICS,
  type FalloutChangedEvent,
  type FulfillmentStateChangedEvent,
  type InboundMessageReceivedEvent,
  type OutboundRequestChangedEvent,
} from '../services/events/fulfillment.events';
import { FulfillmentStateChange } from '../schema/events.types';
import { InboundMessage } from '../schema/inbound.types';
import { Fallout, OutboundRequest } from '../schema/outbound-request.types';

interface FulfillmentArgs {
  domainOrderId?: string | null;
  testRunId?: string | null;
  requestId?: string | null;
}

interface OutboundArgs {
  externalSystemId?: string | null;
  requestId?: string | null;
}

function authorize(ctx: RequestContext): void {
  if (ctx.authError) throw ctx.authError;
  if (!ctx.user) throw new UnauthenticatedError('Sign in: send { "authorization": "Bearer <token>" } in connection_init');
  if (!ctx.user.roles.some((r) => (ROLES.ANY as readonly string[]).includes(r))) {
    throw new ForbiddenError('Subscriptions need one of the roles ' + ROLES.ANY.join(', '));
  }
}

/**
 * Subscribes to the most specific routing key the arguments allow (so the bus hands over only
 * matching events) and checks the remaining arguments on what arrives.
 */
function subscribeFulfillment({ args, context }: SubscribeResolverData<unknown, FulfillmentArgs, RequestContext>) {
  authorize(context);
  const topic = TOPICS.FULFILLMENT_STATE_CHANGED;
  const key = args.domainOrderId
    ? routingKey(topic, DecisionSubject.DOMAIN_ORDER, args.domainOrderId)
    : args.testRunId
      ? routingKey(topic, DecisionSubject.TEST_RUN, args.testRunId)
      : args.requestId
        ? routingKey(topic, 'request', args.requestId)
        : routingKey(topic);
  return context.bus!.subscribe(key, (e) => {
    const event = e as FulfillmentStateChangedEvent;
    if (args.domainOrderId && (event.subject !== DecisionSubject.DOMAIN_ORDER || event.subjectId !== args.domainOrderId)) return false;
    if (args.testRunId && (event.subject !== DecisionSubject.TEST_RUN || event.subjectId !== args.testRunId)) return false;
    return !args.requestId || event.requestId === args.requestId;
  });
}

function subscribeOutbound({ args, context }: SubscribeResolverData<unknown, OutboundArgs, RequestContext>) {
  authorize(context);
  const topic = TOPICS.OUTBOUND_REQUEST_CHANGED;
  const key = args.requestId
    ? routingKey(topic, 'request', args.requestId)
    : args.externalSystemId
      ? routingKey(topic, 'externalSystem', args.externalSystemId)
      : routingKey(topic);
  return context.bus!.subscribe(key, (e) => {
    const event = e as OutboundRequestChangedEvent;
    if (args.externalSystemId && event.externalSystemId !== args.externalSystemId) return false;
    return !args.requestId || event.requestId === args.requestId;
  });
}

function subscribeFallouts({ args, context }: SubscribeResolverData<unknown, { status?: FalloutStatus | null }, RequestContext>) {
  authorize(context);
  const topic = TOPICS.FALLOUT_CHANGED;
  return context.bus!.subscribe(args.status ? routingKey(topic, 'status', args.status) : routingKey(topic));
}

function subscribeInbound({
  args,
  context,
}: SubscribeResolverData<unknown, { externalSystemId?: string | null; outcome?: InboundOutcome | null }, RequestContext>) {
  authorize(context);
  const topic = TOPICS.INBOUND_MESSAGE_RECEIVED;
  const key = args.externalSystemId ? routingKey(topic, 'externalSystem', args.externalSystemId) : routingKey(topic);
  return context.bus!.subscribe(key, (e) => !args.outcome || (e as InboundMessageReceivedEvent).outcome === args.outcome);
}

@Resolver(() => FulfillmentStateChange)
export class SubscriptionResolver {
  @Subscription(() => FulfillmentStateChange, {
    subscribe: subscribeFulfillment,
    description: "Every change of a domain order's or test run's fulfillmentState or externalState; all arguments optional filters.",
  })
  fulfillmentStateChanged(
    @Root() event: FulfillmentStateChangedEvent,
    @Arg('domainOrderId', () => ID, { nullable: true }) _domainOrderId?: string,
    @Arg('testRunId', () => ID, { nullable: true }) _testRunId?: string,
    @Arg('requestId', () => String, { nullable: true }) _requestId?: string,
    @Ctx() ctx?: RequestContext,
  ): FulfillmentStateChange {
    ctx?.loaders.clearAll(); // one context serves the whole subscription: read fresh rows per event
    return {
      ...event,
      occurredAt: new Date(event.occurredAt),
      outboundRequest: null,
      inboundMessageId: event.inboundMessageId ?? null,
    } as never;
  }

  @Subscription(() => OutboundRequest, { subscribe: subscribeOutbound, description: 'Every state change of an outbound request.' })
  async outboundRequestChanged(
    @Ctx() ctx: RequestContext,
    @Root() event: OutboundRequestChangedEvent,
    @Arg('externalSystemId', () => ID, { nullable: true }) _externalSystemId?: string,
    @Arg('requestId', () => String, { nullable: true }) _requestId?: string,
  ): Promise<OutboundRequestEntity> {
    ctx.loaders.clearAll(); // one context serves the whole subscription: read fresh rows per event
    // The row may have moved on since this event: show the state the event is about.
    const row = await ctx.loaders.outboundRequest.load(event.id);
    return {
      ...row!,
      state: event.state,
      attempts: event.attempts,
      nextAttemptAt: event.nextAttemptAt ? new Date(event.nextAttemptAt) : null,
    };
  }

  @Subscription(() => Fallout, { subscribe: subscribeFallouts, description: 'Every fallout opened or resolved.' })
  async falloutChanged(
    @Ctx() ctx: RequestContext,
    @Root() event: FalloutChangedEvent,
    @Arg('status', () => FalloutStatus, { nullable: true }) _status?: FalloutStatus,
  ): Promise<FalloutEntity> {
    ctx.loaders.clearAll();
    // As the event saw it: a fallout resolved a moment after it opened is first shown OPEN.
    const row = await ctx.loaders.fallout.load(event.id);
    return { ...row!, status: event.status };
  }

  @Subscription(() => InboundMessage, { subscribe: subscribeInbound, description: 'Every inbound message as it is recorded.' })
  async inboundMessageReceived(
    @Ctx() ctx: RequestContext,
    @Root() event: InboundMessageReceivedEvent,
    @Arg('externalSystemId', () => ID, { nullable: true }) _externalSystemId?: string,
    @Arg('outcome', () => InboundOutcome, { nullable: true }) _outcome?: InboundOutcome,
  ): Promise<InboundMessageEntity> {
    ctx.loaders.clearAll();
    return (await ctx.loaders.inboundMessage.load(event.id))!;
  }

  @FieldResolver(() => OutboundRequest, { nullable: true })
  outboundRequest(@Ctx() ctx: RequestContext, @Root() change: { outboundRequestId?: string | null }) {
    return change.outboundRequestId ? ctx.loaders.outboundRequest.load(change.outboundRequestId) : null;
  }

  @FieldResolver(() => InboundMessage, { nullable: true, description: 'The inbound message that caused the change, when one did.' })
  inboundMessage(@Ctx() ctx: RequestContext, @Root() change: { inboundMessageId?: string | null }) {
    return change.inboundMessageId ? ctx.loaders.inboundMessage.load(change.inboundMessageId) : null;
  }
}
