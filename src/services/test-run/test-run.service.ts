import { FulfillmentState, TestMode } from '../../entities/enums';
import { TestRunEntity } from '../../entities/test-run.entity';
import type { CharacteristicValue } from '../../entities/columns';
import { ConflictError, NotFoundError } from '../common/domain.errors';
import { checkCharacteristics, isUuid, requireText } from '../common/input-checks';
import { paginate, type Page, type PageRequest } from '../common/pagination';
import type { RequestContext } from '../context/request-context';
import { flattenTree, insertTreeRows } from '../common/tree-input';
import { labelOf } from '../records/record-kind';
import { SENT_STATES, treeAnchor, updateVersioned } from '../records/record-lifecycle';
import { recordLoader, requireRecord } from '../records/record-loaders';
import { TEST_RUNS } from '../records/test-run.kind';
import type { TestSpecificationService } from '../test-specification/test-specification.service';

export interface TestRunValues {
  name: string;
  mode?: TestMode | null;
  specificationId: string;
  relatedServiceId: string;
  characteristics?: CharacteristicValue[] | null;
  parentId?: string | null;
  children?: TestRunValues[] | null;
}

export interface TestRunRevisionValues {
  characteristics?: CharacteristicValue[] | null;
  name?: string | null;
  expectedVersion?: number | null;
}

export interface TestRunFilterValues {
  fulfillmentState?: FulfillmentState | null;
  rootsOnly?: boolean | null;
  parentId?: string | null;
}

const label = (r: Pick<TestRunEntity, 'number'>) => labelOf(TEST_RUNS, r);

/** Service test runs: trees created, revised and cancelled through GraphQL. */
export class TestRunService {
  constructor(private readonly specifications: TestSpecificationService) {}

  async get(ctx: RequestContext, id: string): Promise<TestRunEntity | null> {
    return isUuid(id) ? recordLoader(ctx, TEST_RUNS).load(id) : null;
  }

  list(ctx: RequestContext, page: PageRequest, filter?: TestRunFilterValues | null): Promise<Page<TestRunEntity>> {
    const qb = ctx.manager.createQueryBuilder(TestRunEntity, 'r');
    if (filter?.fulfillmentState) qb.andWhere('r.fulfillment_state = :fs', { fs: filter.fulfillmentState });
    if (filter?.rootsOnly) qb.andWhere('r.parent_id IS NULL');
    if (filter?.parentId) {
      if (!isUuid(filter.parentId)) throw new NotFoundError(TEST_RUNS.label, filter.parentId, 'filter.parentId');
      qb.andWhere('r.parent_id = :parentId', { parentId: filter.parentId });
    }
    return paginate(ctx.loaders, qb, page);
  }

  async create(ctx: RequestContext, input: TestRunValues): Promise<TestRunEntity> {
    const anchor = input.parentId ? await treeAnchor(ctx, TEST_RUNS, input.parentId) : null;
    const nodes = flattenTree(input, anchor);
    // Every distinct specification once, not once per record of a 1,000-run tree.
    const specIds = new Map<string, string>();
    for (const n of nodes) if (!specIds.has(n.input.specificationId)) specIds.set(n.input.specificationId, `${n.path}.specificationId`);
    for (const [id, field] of specIds) await this.specifications.require(ctx, id, field);
    const rows = nodes.map((n) =>
      ctx.manager.create(TestRunEntity, {
        id: n.id,
        parentId: n.parentId,
        rootId: n.rootId,
        depth: n.depth,
        name: requireText(n.input.name, `${n.path}.name`, 200),
        mode: n.input.mode ?? TestMode.ON_DEMAND,
        specificationId: n.input.specificationId,
        relatedServiceId: requireText(n.input.relatedServiceId, `${n.path}.relatedServiceId`, 200),
        characteristics: checkCharacteristics(n.input.characteristics, `${n.path}.characteristics`),
      }),
    );
    await insertTreeRows(ctx.manager, TestRunEntity, rows);
    return ctx.manager.findOneByOrFail(TestRunEntity, { id: rows[0].id });
  }

  async revise(ctx: RequestContext, id: string, input: TestRunRevisionValues): Promise<TestRunEntity> {
    const run = await requireRecord(ctx, TEST_RUNS, id, 'id');
    if (run.fulfillmentState === FulfillmentState.CANCELED) throw new ConflictError(`${label(run)} is canceled and cannot be revised`);
    const changes: Partial<TestRunEntity> = {
      updatesAvailable: run.updatesAvailable || SENT_STATES.has(run.fulfillmentState),
    };
    if (input.characteristics) changes.characteristics = checkCharacteristics(input.characteristics, 'input.characteristics');
    if (input.name !== undefined && input.name !== null) changes.name = requireText(input.name, 'input.name', 200);
    return updateVersioned(ctx, TEST_RUNS, run, input.expectedVersion, changes);
  }
}
