import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { OpenApiService } from './services/admin/open-api.service';
import { TokenService } from './services/auth/token.service';
import { DecisionRuleService } from './services/decision/decision-rule.service';
import { DomainOrderService } from './services/domain-order/domain-order.service';
import type { EventBus } from './services/events/event-bus';
import { FulfillmentEventPublisher } from './services/events/fulfillment-event.publisher';
import { ExternalSystemService } from './services/external-system/external-system.service';
import { ExceptionService } from './services/outbound/exception.service';
import { OutboundRequestService } from './services/outbound/outbound-request.service';
import { SecretBox } from './services/secrets/secret-box';
import { RevisionService } from './services/submission/revision.service';
import { SubmissionService } from './services/submission/submission.service';
import { TestRunService } from './services/test-run/test-run.service';
import { TestSpecificationService } from './services/test-specification/test-specification.service';

export interface Services {
  config: Pick<Config, 'allowPrivateNetworks'>;
  dataSource: DataSource;
  tokens: TokenService;
  eventBus: EventBus;
  events: FulfillmentEventPublisher;
  openApis: OpenApiService;
  externalSystems: ExternalSystemService;
  decisionRules: DecisionRuleService;
  testSpecifications: TestSpecificationService;
  domainOrders: DomainOrderService;
  testRuns: TestRunService;
  outboundRequests: OutboundRequestService;
  submissions: SubmissionService & Pick<RevisionService, 'reviseDomainOrderRequest' | 'reviseTestRunRequest'>;
  exceptions: ExceptionService;
  /** Wakes the local dispatcher right after a commit that queued work; replaced when one starts. */
  dispatcherSignal: { wake: () => void };
}

export interface ServiceDeps {
  config: Pick<Config, 'allowPrivateNetworks' | 'jwtSecret' | 'jwtMaxTtlSeconds'>;
  dataSource: DataSource;
  eventBus: EventBus;
  encryptionKey: Buffer;
}

/** The composition root: every service built with plain constructors, nothing registered by token. */
export function buildServices(deps: ServiceDeps): Services {
  const signal = { wake: () => undefined as void };
  const wake = () => signal.wake();
  const events = new FulfillmentEventPublisher(deps.eventBus);
  const openApis = new OpenApiService();
  const externalSystems = new ExternalSystemService(new SecretBox(deps.encryptionKey), {
    allowPrivateNetworks: deps.config.allowPrivateNetworks,
  });
  const testSpecifications = new TestSpecificationService();
  const domainOrders = new DomainOrderService(events);
  const testRuns = new TestRunService(testSpecifications, events);
  const submission = new SubmissionService(openApis, externalSystems, domainOrders, testRuns, events, wake);
  const revision = new RevisionService(openApis, externalSystems, domainOrders, testRuns, events, wake);
  const submissions = Object.assign(submission, {
    reviseDomainOrderRequest: revision.reviseDomainOrderRequest.bind(revision),
    reviseTestRunRequest: revision.reviseTestRunRequest.bind(revision),
  });
  return {
    config: deps.config,
    dataSource: deps.dataSource,
    tokens: new TokenService(deps.config.jwtSecret, deps.config.jwtMaxTtlSeconds),
    eventBus: deps.eventBus,
    events,
    openApis,
    externalSystems,
    decisionRules: new DecisionRuleService(externalSystems),
    testSpecifications,
    domainOrders,
    testRuns,
    outboundRequests: new OutboundRequestService(),
    submissions,
    exceptions: new ExceptionService(events, wake),
    dispatcherSignal: signal,
  };
}
