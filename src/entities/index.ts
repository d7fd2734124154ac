import { DecisionRuleEntity } from './decision-rule.entity';
import { DomainOrderEntity } from './domain-order.entity';
import { ExternalSystemEntity } from './external-system.entity';
import { CancellationEntity } from './cancellation.entity';
import { FalloutDomainOrderEntity, FalloutEntity, FalloutTestRunEntity } from './fallout.entity';
import { InboundMessageDomainOrderEntity, InboundMessageEntity, InboundMessageTestRunEntity } from './inbound-message.entity';
import { PollScheduleEntity } from './poll-schedule.entity';
import { OpenApiEntity } from './open-api.entity';
import { OutboundRequestDomainOrderEntity, OutboundRequestEntity, OutboundRequestTestRunEntity } from './outbound-request.entity';
import { TestMeasureResultEntity } from './test-measure-result.entity';
import { TestMeasureDefinitionEntity, TestSpecificationEntity } from './test-specification.entity';
import { TestRunEntity } from './test-run.entity';

export const ENTITIES = [
  OpenApiEntity,
  ExternalSystemEntity,
  DecisionRuleEntity,
  DomainOrderEntity,
  TestSpecificationEntity,
  TestMeasureDefinitionEntity,
  TestRunEntity,
  TestMeasureResultEntity,
  OutboundRequestEntity,
  OutboundRequestDomainOrderEntity,
  OutboundRequestTestRunEntity,
  FalloutEntity,
  FalloutDomainOrderEntity,
  FalloutTestRunEntity,
  InboundMessageEntity,
  InboundMessageDomainOrderEntity,
  InboundMessageTestRunEntity,
  CancellationEntity,
  PollScheduleEntity,
];
