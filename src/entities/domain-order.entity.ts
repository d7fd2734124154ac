import { Column, Entity } from 'typeorm';
import type { InformationRequiredValue, JeopardyAlertValue, MilestoneValue, SpecificationRefValue } from './columns';
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

  /** Milestones the external system reported, oldest first. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  milestones: MilestoneValue[];

  @Column({ name: 'jeopardy_alerts', type: 'jsonb', default: () => "'[]'" })
  jeopardyAlerts: JeopardyAlertValue[];

  /** Set while the external system waits for information; a delivered revision clears it. */
  @Column({ name: 'information_required', type: 'jsonb', nullable: true })
  informationRequired: InformationRequiredValue | null;

  /** The state to return to when a cancellation is refused (set while CANCELLATION_IN_PROGRESS). */
  @Column({ name: 'state_before_cancellation', type: 'text', nullable: true })
  stateBeforeCancellation: DomainOrderState | null;
}
