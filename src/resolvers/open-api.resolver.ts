import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Services } from '../container';
import { ROLES } from '../services/auth/roles';
import type { RequestContext } from '../services/context/request-context';
import { TmfApi } from '../schema/enums.types';
import { OpenApi } from '../schema/open-api.types';

@Resolver(() => OpenApi)
export class OpenApiResolver {
  constructor(private readonly services: Services) {}

  @Authorized(ROLES.ANY)
  @Query(() => [OpenApi])
  openApis(@Ctx() ctx: RequestContext) {
    return this.services.openApis.list(ctx);
  }

  @Authorized(ROLES.ADMIN)
  @Mutation(() => OpenApi)
  activateOpenApi(@Ctx() ctx: RequestContext, @Arg('api', () => TmfApi) api: TmfApi) {
    return this.services.openApis.setActive(ctx, api, true);
  }

  @Authorized(ROLES.ADMIN)
  @Mutation(() => OpenApi)
  deactivateOpenApi(@Ctx() ctx: RequestContext, @Arg('api', () => TmfApi) api: TmfApi) {
    return this.services.openApis.setActive(ctx, api, false);
  }
}
