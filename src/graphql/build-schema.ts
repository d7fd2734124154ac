import type { GraphQLSchema } from 'graphql';
import { buildSchema, type ResolverData } from 'type-graphql';
import type { Services } from '../container';
import { authChecker } from './auth-checker';
import { resolveFieldsDirectly } from './direct-field-resolvers';
import { StorableInput } from './storable-input.middleware';
import { MutationTransaction } from './transaction.middleware';
import { DecisionRuleResolver } from '../resolvers/decision-rule.resolver';
import { DomainOrderFieldsResolver } from '../resolvers/domain-order-fields.resolver';
import { DomainOrderResolver } from '../resolvers/domain-order.resolver';
import { ExternalSystemResolver } from '../resolvers/external-system.resolver';
import { CancellationFieldsResolver, InboundMessageResolver, TestSpecificationSystemResolver } from '../resolvers/inbound-message.resolver';
import { OpenApiResolver } from '../resolvers/open-api.resolver';
import { FalloutFieldsResolver, OutboundRequestFieldsResolver } from '../resolvers/outbound-request-fields.resolver';
import { OutboundRequestResolver } from '../resolvers/outbound-request.resolver';
import { SubscriptionResolver } from '../resolvers/subscription.resolver';
import {
  TestMeasureResultFieldsResolver,
  TestRunFieldsResolver,
  TestSpecificationFieldsResolver,
} from '../resolvers/test-run-fields.resolver';
import { TestRunResolver } from '../resolvers/test-run.resolver';
import { DateTime } from '../schema/scalars';

export const RESOLVERS = [
  OpenApiResolver,
  ExternalSystemResolver,
  DecisionRuleResolver,
  DomainOrderResolver,
  DomainOrderFieldsResolver,
  TestRunResolver,
  TestRunFieldsResolver,
  TestSpecificationFieldsResolver,
  TestMeasureResultFieldsResolver,
  OutboundRequestResolver,
  OutboundRequestFieldsResolver,
  FalloutFieldsResolver,
  InboundMessageResolver,
  CancellationFieldsResolver,
  TestSpecificationSystemResolver,
  SubscriptionResolver,
] as const;

/** The executable schema; resolvers get the services through type-graphql's container hook. */
export async function buildGraphQLSchema(services: Services | null): Promise<GraphQLSchema> {
  const instances = new Map<unknown, unknown>();
  const container = {
    get(cls: new (services: Services | null) => unknown, _data: ResolverData) {
      if (!instances.has(cls)) instances.set(cls, new cls(services));
      return instances.get(cls);
    },
  };
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    authMode: 'error',
    globalMiddlewares: [StorableInput, MutationTransaction],
    scalarsMap: [{ type: Date, scalar: DateTime }],
    validate: false,
    // Every @Subscription subscribes through the EventBus (see subscription.resolver.ts); type-graphql
    // insists on a pubSub all the same, and this one says so if anything ever reaches it.
    pubSub: {
      publish: () => {
        throw new Error('publish through the EventBus, in the transaction that made the change');
      },
      subscribe: () => {
        throw new Error('subscriptions subscribe through the EventBus');
      },
    },
    container,
  });
  resolveFieldsDirectly(schema, RESOLVERS, (cls, data) => container.get(cls as new (services: Services | null) => unknown, data));
  return schema;
}
