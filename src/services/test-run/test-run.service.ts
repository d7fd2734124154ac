import { DecisionSubject, FulfillmentState, TestMode } from '../../entities/enums';
import { DomainOrderEntity } from '../../entities/domain-order.entity';
import { TestRunEntity } from '../../entities/test-run.entity';
import type { CharacteristicValue } from '../../entities/columns';
import { BadUserInputError, ConflictError, FulfillmentNotAllowedError, NotFoundError } from '../common/domain.errors';
import { checkCharacteristics, isUuid, optionalText, requireText } from '../common/input-checks';
import { paginate, type Page } from '../common/pagination';
import { loadSubtree, SENT_STATES, updateVersioned } from '../common/record-lifecycle';
import type { RequestContext } from '../common/request-context';
import { flattenTree, insertInChunks, type TreeAnchor } from '../common/tree-input';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
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

export const label = (r: Pick<TestRunEntity, 'number'>) => `Test run ${r.number}`;

/** Service test runs: trees created, revised and cancelled through GraphQL. */
export class TestRunService {
  constructor(
    private readonly specifications: TestSpecificationService,
    private readonly events: FulfillmentEventPublisher,
  ) {}

  async get(ctx: RequestContext, id: string): Promise<TestRunEntity | null> {
    return isUuid(id) ? ctx.loaders.testRun.load(id) : null;
  }

  async require(ctx: RequestContext, id: string, field: string): Promise<TestRunEntity> {
    const run = await this.get(ctx, id);
    if (!run) throw new NotFoundError('Test run', id, field);
    return run;
  }

  list(ctx: RequestContext, first?: number | null, after?: string | null, filter?: TestRunFilterValues | null): Promise<Page<TestRunEntity>> {
    const qb = ctx.manager.createQueryBuilder(TestRunEntity, 'r');
    if (filter?.fulfillmentState) qb.andWhere('r.fulfillment_state = :fs', { fs: filter.fulfillmentState });
    if (filter?.rootsOnly) qb.andWhere('r.parent_id IS NULL');
    if (filter?.parentId) {
      if (!isUuid(filter.parentId)) throw new NotFoundError('Test run', filter.parentId, 'filter.parentId');
      qb.andWhere('r.parent_id = :parentId', { parentId: filter.parentId });
    }
    return paginate(qb, first, after);
  }

  async create(ctx: RequestContext, input: TestRunValues): Promise<TestRunEntity> {
    const anchor = input.parentId ? await this.anchor(ctx, input.parentId) : null;
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
    await insertInChunks(rows, (chunk) => ctx.manager.insert(TestRunEntity, chunk));
    return ctx.manager.findOneByOrFail(TestRunEntity, { id: rows[0].id });
  }

  async revise(ctx: RequestContext, id: string, input: TestRunRevisionValues): Promise<TestRunEntity> {
    const run = await this.require(ctx, id, 'id');
    if (run.fulfillmentState === FulfillmentState.CANCELED) throw new ConflictError(`${label(run)} is canceled and cannot be revised`);
    const changes: Partial<TestRunEntity> = {
      updatesAvailable: run.updatesAvailable || SENT_STATES.has(run.fulfillmentState),
    };
    if (input.characteristics) changes.characteristics = checkCharacteristics(input.characteristics, 'input.characteristics');
    if (input.name !== undefined && input.name !== null) changes.name = requireText(input.name, 'input.name', 200);
    return updateVersioned(ctx, TestRunEntity, run, label(run), input.expectedVersion, changes);
  }

  /** Cancels the run and every descendant that is not canceled yet. */
  async cancel(ctx: RequestContext, id: string, reason?: string | null): Promise<TestRunEntity> {
    const run = await this.require(ctx, id, 'id');
    optionalText(reason, 'reason', 1000);
    const locked = await loadSubtree(ctx, TestRunEntity, run);
    if (locked[0].fulfillmentState === FulfillmentState.CANCELED) throw new ConflictError(`${label(run)} is already canceled`);
    const subtree = locked.filter((r) => r.fulfillmentState !== FulfillmentState.CANCELED);
    const sent = subtree.find((r) => SENT_STATES.has(r.fulfillmentState));
    if (sent) {
      // Sharing a cancellation (TMF653 PATCH state cancelled) is the in-flight change feature; until it
      // exists, a sent run is not cancelled locally behind the test system's back.
      throw new FulfillmentNotAllowedError(
        `${label(sent)} was already sent to an external system (fulfillment state ${sent.fulfillmentState}); it cannot be canceled here`,
      );
    }
    await ctx.manager
      .createQueryBuilder()
      .update(TestRunEntity)
      .set({ fulfillmentState: FulfillmentState.CANCELED, version: () => 'version + 1' })
      .whereInIds(subtree.map((r) => r.id))
      .execute();
    await this.events.fulfillmentStatesChanged(
      ctx,
      DecisionSubject.TEST_RUN,
      subtree.map((r) => ({ record: { ...r, fulfillmentState: FulfillmentState.CANCELED }, previousState: r.fulfillmentState })),
    );
    return ctx.manager.findOneByOrFail(TestRunEntity, { id: run.id });
  }

  private async anchor(ctx: RequestContext, parentId: string): Promise<TreeAnchor> {
    const parent = await this.get(ctx, parentId);
    if (!parent) {
      const other = isUuid(parentId) && (await ctx.manager.existsBy(DomainOrderEntity, { id: parentId }));
      if (other) throw new BadUserInputError(`input.parentId ${parentId} is a domain order, not a test run`, 'input.parentId');
      throw new NotFoundError('Test run', parentId, 'input.parentId');
    }
    if (parent.fulfillmentState === FulfillmentState.CANCELED) {
      throw new BadUserInputError(`input.parentId: ${label(parent)} is canceled; it cannot get new children`, 'input.parentId');
    }
    return parent;
  }
}
