import { OpenApiEntity } from '../../entities/open-api.entity';
import { TmfApi } from '../../entities/enums';
import { ApiNotActiveError } from '../common/domain.errors';
import type { RequestContext } from '../context/request-context';
import type { SqlGuard } from '../records/record-lifecycle';

const API_NAMES: Record<TmfApi, string> = {
  SERVICE_ORDERING_TMF641: 'TMF641 Service Ordering',
  SERVICE_TEST_TMF653: 'TMF653 Service Test Management',
};

/** Open API activation: an administrator switches each TMF API on before anything is sent with it. */
export class OpenApiService {
  list(ctx: RequestContext): Promise<OpenApiEntity[]> {
    return ctx.manager.find(OpenApiEntity, { order: { api: 'ASC' } });
  }

  async setActive(ctx: RequestContext, api: TmfApi, active: boolean): Promise<OpenApiEntity> {
    const repo = ctx.manager.getRepository(OpenApiEntity);
    const row = await repo.findOneByOrFail({ api });
    if (row.active !== active) {
      row.active = active;
      row.activatedAt = active ? new Date() : null;
      await repo.save(row);
    }
    return row;
  }

  /** "The API is active" as a condition of another statement (a submission reads its records under it). */
  activeGuard(api: TmfApi): SqlGuard {
    return { sql: (bind) => `EXISTS (SELECT 1 FROM open_api WHERE api = ${bind(api)} AND active)` };
  }

  /** Throws API_NOT_ACTIVE unless the API is active. */
  async requireActive(ctx: RequestContext, api: TmfApi): Promise<void> {
    const row = await ctx.manager.findOneBy(OpenApiEntity, { api });
    if (!row?.active) {
      throw new ApiNotActiveError(`The ${API_NAMES[api]} Open API (${api}) is not active; an administrator must activate it first`);
    }
  }
}
