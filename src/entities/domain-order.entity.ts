import { Column, Entity } from 'typeorm';
import type { SpecificationRefValue } from './columns';
import { DomainOrderState, OrderItemAction } from './enums';
import { FulfillmentRecord } from './fulfillment-record';

/** A domain service order, fulfilled through TMF641. */
@Entity('domain_order')
export class DomainOrderEntity extends FulfillmentRecord {
  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Column({ type: 'text', nullable: true })
  category: string | null;

  @Column({ type: 'text', nullable: true })
  domain: string | null;

  @Column({ type: 'text' })
  action: OrderItemAction;

  @Column({ name: 'service_specification', type: 'jsonb' })
  serviceSpecification: SpecificationRefValue;

  @Column({ name: 'service_id', type: 'text', nullable: true })
  serviceId: string | null;

  @Column({ type: 'text', default: DomainOrderState.DRAFT })
  state: DomainOrderState;

  @Column({ name: 'point_of_no_return', type: 'boolean', default: false })
  pointOfNoReturn: boolean;
}
