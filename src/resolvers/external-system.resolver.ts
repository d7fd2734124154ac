import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Services } from '../container';
import type { ExternalSystemEntity } from '../entities/external-system.entity';
import { ROLES } from '../services/auth/roles';
import type { RequestContext } from '../services/context/request-context';
import { ExternalSystem, ExternalSystemInput } from '../schema/external-system.types';

@Resolver(() => ExternalSystem)
export class ExternalSystemResolver {
  constructor(private readonly services: Services) {}

  @Authorized(ROLES.ANY)
  @Query(() => [ExternalSystem])
  externalSystems(@Ctx() ctx: RequestContext) {
    return this.services.externalSystems.list(ctx);
  }

  @Authorized(ROLES.ANY)
  @Query(() => ExternalSystem, { nullable: true })
  externalSystem(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return this.services.externalSystems.get(ctx, id);
  }

  @Authorized(ROLES.ADMIN)
  @Mutation(() => ExternalSystem)
  createExternalSystem(@Ctx() ctx: RequestContext, @Arg('input', () => ExternalSystemInput) input: ExternalSystemInput) {
    return this.services.externalSystems.create(ctx, input);
  }

  @Authorized(ROLES.ADMIN)
  @Mutation(() => ExternalSystem)
  updateExternalSystem(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => ExternalSystemInput) input: ExternalSystemInput,
  ) {
    return this.services.externalSystems.update(ctx, id, input);
  }

  @FieldResolver(() => String)
  callbackPath(@Root() system: ExternalSystemEntity): string {
    return `/callbacks/${system.id}`;
  }

  @FieldResolver(() => Boolean)
  hasInboundToken(@Root() system: ExternalSystemEntity): boolean {
    return system.inboundTokenHash !== null;
  }
}
