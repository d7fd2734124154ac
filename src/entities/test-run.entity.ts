import { Column, Entity } from 'typeorm';
import { TestMode } from './enums';
import { FulfillmentRecord } from './fulfillment-record';

/** A service test run, fulfilled through TMF653. */
@Entity('test_run')
export class TestRunEntity extends FulfillmentRecord {
  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  mode: TestMode;

  @Column({ name: 'specification_id', type: 'uuid' })
  specificationId: string;

  @Column({ name: 'related_service_id', type: 'text' })
  relatedServiceId: string;
}
