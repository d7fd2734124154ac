import { DomainOrderState, FulfillmentState, OrderItemAction } from '../../entities/enums';
import { DomainOrderEntity } from '../../entities/domain-order.entity';
import type { CharacteristicValue, SpecificationRefValue } from '../../entities/columns';
import { BadUserInputError, ConflictError, NotFoundError, PointOfNoReturnError } from '../common/domain.errors';
import { checkCharacteristics, isUuid, optionalText, requireText } from '../common/input-checks';
import { paginate, type Page, type PageRequest } from '../common/pagination';
import type { RequestContext } from '../context/request-context';
import { flattenTree, insertTreeRows } from '../common/tree-input';
import { DOMAIN_ORDERS } from '../records/domain-order.kind';
import { labelOf } from '../records/record-kind';
import { SENT_STATES, treeAnchor, updateVersioned } from '../records/record-lifecycle';
import { recordLoader, requireRecord } from '../records/record-loaders';

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

const label = (o: Pick<DomainOrderEntity, 'number'>) => labelOf(DOMAIN_ORDERS, o);

/** Domain service orders: trees created, revised and cancelled through GraphQL. */
export class DomainOrderService {
  async get(ctx: RequestContext, id: string): Promise<DomainOrderEntity | null> {
    return isUuid(id) ? recordLoader(ctx, DOMAIN_ORDERS).load(id) : null;
  }

  list(ctx: RequestContext, page: PageRequest, filter?: DomainOrderFilterValues | null): Promise<Page<DomainOrderEntity>> {
    const qb = ctx.manager.createQueryBuilder(DomainOrderEntity, 'o');
    if (filter?.fulfillmentState) qb.andWhere('o.fulfillment_state = :fs', { fs: filter.fulfillmentState });
    if (filter?.state) qb.andWhere('o.state = :state', { state: filter.state });
    if (filter?.rootsOnly) qb.andWhere('o.parent_id IS NULL');
    if (filter?.parentId) {
      if (!isUuid(filter.parentId)) throw new NotFoundError(DOMAIN_ORDERS.label, filter.parentId, 'filter.parentId');
      qb.andWhere('o.parent_id = :parentId', { parentId: filter.parentId });
    }
    return paginate(ctx.loaders, qb, page);
  }

  /** Creates the order and its whole nested hierarchy in one statement. */
  async create(ctx: RequestContext, input: DomainOrderValues): Promise<DomainOrderEntity> {
    const anchor = input.parentId ? await treeAnchor(ctx, DOMAIN_ORDERS, input.parentId) : null;
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
    await insertTreeRows(ctx.manager, DomainOrderEntity, rows);
    return ctx.manager.findOneByOrFail(DomainOrderEntity, { id: rows[0].id });
  }

  async revise(ctx: RequestContext, id: string, input: DomainOrderRevisionValues): Promise<DomainOrderEntity> {
    const order = await requireRecord(ctx, DOMAIN_ORDERS, id, 'id');
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
    return updateVersioned(ctx, DOMAIN_ORDERS, order, input.expectedVersion, changes);
  }

  /** The workflow's "Set PONR" action: no revision or cancellation is accepted for the order afterwards. */
  async markPointOfNoReturn(ctx: RequestContext, id: string): Promise<DomainOrderEntity> {
    const order = await requireRecord(ctx, DOMAIN_ORDERS, id, 'domainOrderId');
    if (order.fulfillmentState === FulfillmentState.CANCELED) throw new ConflictError(`${label(order)} is canceled`);
    if (!order.pointOfNoReturn) await ctx.manager.update(DomainOrderEntity, { id: order.id }, { pointOfNoReturn: true });
    return ctx.manager.findOneByOrFail(DomainOrderEntity, { id: order.id });
  }
}

function checkSpecification(spec: SpecificationRefValue, field: string): SpecificationRefValue {
  return {
    id: requireText(spec.id, `${field}.id`, 200),
    name: optionalText(spec.name, `${field}.name`, 200),
    version: optionalText(spec.version, `${field}.version`, 50),
  };
}
