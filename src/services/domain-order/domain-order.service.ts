import { DecisionSubject, DomainOrderState, FulfillmentState, OrderItemAction } from '../../entities/enums';
import { DomainOrderEntity } from '../../entities/domain-order.entity';
import { TestRunEntity } from '../../entities/test-run.entity';
import type { CharacteristicValue, SpecificationRefValue } from '../../entities/columns';
import { BadUserInputError, ConflictError, FulfillmentNotAllowedError, NotFoundError, PointOfNoReturnError } from '../common/domain.errors';
import { checkCharacteristics, isUuid, optionalText, requireText } from '../common/input-checks';
import { paginate, type Page } from '../common/pagination';
import { loadSubtree, SENT_STATES, updateVersioned } from '../common/record-lifecycle';
import type { RequestContext } from '../common/request-context';
import { flattenTree, insertInChunks, type TreeAnchor } from '../common/tree-input';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';

export interface DomainOrderValues {
  name?: string | null;
  category?: string | null;
  domain?: string | null;
  action: OrderItemAction;
  serviceSpecification: SpecificationRefValue;
  serviceId?: string | null;
  characteristics?: CharacteristicValue[] | null;
  pointOfNoReturn?: boolean | null;
  parentId?: string | null;
  children?: DomainOrderValues[] | null;
}

export interface DomainOrderRevisionValues {
  characteristics?: CharacteristicValue[] | null;
  name?: string | null;
  expectedVersion?: number | null;
}

export interface DomainOrderFilterValues {
  fulfillmentState?: FulfillmentState | null;
  state?: DomainOrderState | null;
  rootsOnly?: boolean | null;
  parentId?: string | null;
}

export const label = (o: Pick<DomainOrderEntity, 'number'>) => `Domain order ${o.number}`;

/** Domain service orders: trees created, revised and cancelled through GraphQL. */
export class DomainOrderService {
  constructor(private readonly events: FulfillmentEventPublisher) {}

  async get(ctx: RequestContext, id: string): Promise<DomainOrderEntity | null> {
    return isUuid(id) ? ctx.loaders.domainOrder.load(id) : null;
  }

  async require(ctx: RequestContext, id: string, field: string): Promise<DomainOrderEntity> {
    const order = await this.get(ctx, id);
    if (!order) throw new NotFoundError('Domain order', id, field);
    return order;
  }

  list(ctx: RequestContext, first?: number | null, after?: string | null, filter?: DomainOrderFilterValues | null): Promise<Page<DomainOrderEntity>> {
    const qb = ctx.manager.createQueryBuilder(DomainOrderEntity, 'o');
    if (filter?.fulfillmentState) qb.andWhere('o.fulfillment_state = :fs', { fs: filter.fulfillmentState });
    if (filter?.state) qb.andWhere('o.state = :state', { state: filter.state });
    if (filter?.rootsOnly) qb.andWhere('o.parent_id IS NULL');
    if (filter?.parentId) {
      if (!isUuid(filter.parentId)) throw new NotFoundError('Domain order', filter.parentId, 'filter.parentId');
      qb.andWhere('o.parent_id = :parentId', { parentId: filter.parentId });
    }
    return paginate(qb, first, after);
  }

  /** Creates the order and its whole nested hierarchy in one statement per 500 records. */
  async create(ctx: RequestContext, input: DomainOrderValues): Promise<DomainOrderEntity> {
    const anchor = input.parentId ? await this.anchor(ctx, input.parentId) : null;
    const rows = flattenTree(input, anchor).map((n) => {
      const v = n.input;
      const action = v.action;
      const serviceId = optionalText(v.serviceId, `${n.path}.serviceId`, 200);
      if ((action === OrderItemAction.MODIFY || action === OrderItemAction.DELETE) && !serviceId) {
        throw new BadUserInputError(`${n.path}.serviceId is required for ${action}: it names the existing service`, `${n.path}.serviceId`);
      }
      return ctx.manager.create(DomainOrderEntity, {
        id: n.id,
        parentId: n.parentId,
        rootId: n.rootId,
        depth: n.depth,
        name: optionalText(v.name, `${n.path}.name`, 200),
        category: optionalText(v.category, `${n.path}.category`, 100),
        domain: optionalText(v.domain, `${n.path}.domain`, 100),
        action,
        serviceSpecification: checkSpecification(v.serviceSpecification, `${n.path}.serviceSpecification`),
        serviceId,
        characteristics: checkCharacteristics(v.characteristics, `${n.path}.characteristics`),
        pointOfNoReturn: v.pointOfNoReturn ?? false,
      });
    });
    await insertInChunks(rows, (chunk) => ctx.manager.insert(DomainOrderEntity, chunk));
    return ctx.manager.findOneByOrFail(DomainOrderEntity, { id: rows[0].id });
  }

  async revise(ctx: RequestContext, id: string, input: DomainOrderRevisionValues): Promise<DomainOrderEntity> {
    const order = await this.require(ctx, id, 'id');
    if (order.state === DomainOrderState.CANCELED) throw new ConflictError(`${label(order)} is canceled and cannot be revised`);
    if (order.pointOfNoReturn) {
      throw new PointOfNoReturnError(`${label(order)} is at its point of no return; it can no longer be revised`);
    }
    const changes: Partial<DomainOrderEntity> = {
      // Changed since its last successful outbound request: reviseOutboundRequest will share it.
      updatesAvailable: order.updatesAvailable || SENT_STATES.has(order.fulfillmentState),
    };
    if (input.characteristics) changes.characteristics = checkCharacteristics(input.characteristics, 'input.characteristics');
    if (input.name !== undefined && input.name !== null) changes.name = optionalText(input.name, 'input.name', 200);
    return updateVersioned(ctx, DomainOrderEntity, order, label(order), input.expectedVersion, changes);
  }

  /** Cancels the order and every descendant that is not canceled yet. */
  async cancel(ctx: RequestContext, id: string, reason?: string | null): Promise<DomainOrderEntity> {
    const order = await this.require(ctx, id, 'id');
    optionalText(reason, 'reason', 1000);
    const locked = await loadSubtree(ctx, DomainOrderEntity, order);
    if (locked[0].state === DomainOrderState.CANCELED) throw new ConflictError(`${label(order)} is already canceled`);
    const subtree = locked.filter((o) => o.state !== DomainOrderState.CANCELED);
    const atPonr = subtree.find((o) => o.pointOfNoReturn);
    if (atPonr) throw new PointOfNoReturnError(`${label(atPonr)} is at its point of no return; the hierarchy cannot be canceled`);
    const sent = subtree.find((o) => SENT_STATES.has(o.fulfillmentState));
    if (sent) {
      // Sharing a cancellation with the external system (TMF641 cancelServiceOrder) is the in-flight
      // change feature; until it exists, a sent order is not cancelled locally behind the system's back.
      throw new FulfillmentNotAllowedError(
        `${label(sent)} was already sent to an external system (fulfillment state ${sent.fulfillmentState}); it cannot be canceled here`,
      );
    }
    const ids = subtree.map((o) => o.id);
    await ctx.manager
      .createQueryBuilder()
      .update(DomainOrderEntity)
      .set({ state: DomainOrderState.CANCELED, fulfillmentState: FulfillmentState.CANCELED, version: () => 'version + 1' })
      .whereInIds(ids)
      .execute();
    await this.events.fulfillmentStatesChanged(
      ctx,
      DecisionSubject.DOMAIN_ORDER,
      subtree.map((o) => ({ record: { ...o, fulfillmentState: FulfillmentState.CANCELED }, previousState: o.fulfillmentState })),
    );
    return ctx.manager.findOneByOrFail(DomainOrderEntity, { id: order.id });
  }

  private async anchor(ctx: RequestContext, parentId: string): Promise<TreeAnchor> {
    const parent = await this.get(ctx, parentId);
    if (!parent) {
      const other = isUuid(parentId) && (await ctx.manager.existsBy(TestRunEntity, { id: parentId }));
      if (other) throw new BadUserInputError(`input.parentId ${parentId} is a test run, not a domain order`, 'input.parentId');
      throw new NotFoundError('Domain order', parentId, 'input.parentId');
    }
    if (parent.state === DomainOrderState.CANCELED) {
      throw new BadUserInputError(`input.parentId: ${label(parent)} is canceled; it cannot get new children`, 'input.parentId');
    }
    return parent;
  }
}

function checkSpecification(spec: SpecificationRefValue, field: string): SpecificationRefValue {
  return {
    id: requireText(spec.id, `${field}.id`, 200),
    name: optionalText(spec.name, `${field}.name`, 200),
    version: optionalText(spec.version, `${field}.version`, 50),
  };
}
