import pino, { type Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { OpenApiService } from './services/admin/open-api.service';
import { CancellationService } from './services/cancellation/cancellation.service';
import { CallbackHandler } from './services/inbound/callback-handler';
import { HubRegistration } from './services/inbound/hub-registration';
import { InboundMessages } from './services/inbound/inbound-messages';
import { ListenerEvents } from './services/inbound/listener-events';
import { PollSchedules } from './services/inbound/poll-schedules';
import { Poller, type PollerOptions } from './services/inbound/poller';
import { ReportApplication } from './services/inbound/report-application';
import { StatusCalls } from './services/inbound/status-calls';
import { SpecificationImport } from './services/test-specification/specification-import';
import { Cancellations } from './services/records/cancellations';
import { TokenService } from './services/auth/token.service';
import { DecisionRuleService } from './services/decision/decision-rule.service';
import { DomainOrderService } from './services/domain-order/domain-order.service';
import type { EventBus } from './services/events/event-bus';
import { FulfillmentEventPublisher } from './services/events/fulfillment-event.publisher';
import { ExternalSystemService } from './services/external-system/external-system.service';
import { FalloutService } from './services/fallout/fallout.service';
import { quietTelemetry, type Telemetry } from './services/metrics/telemetry';
import { Dispatcher, type DispatcherOptions } from './services/outbox/dispatch/dispatcher';
import { OutboundSender } from './services/outbox/dispatch/outbound-sender';
import { OutboundRequestService } from './services/outbox/outbound-request.service';
import { Outbox } from './services/outbox/outbox';
import { RequestTransitions } from './services/outbox/request-transitions';
import { SecretBox } from './services/secrets/secret-box';
import { HttpClient } from './services/southbound/http-client';
import { SouthboundClient } from './services/southbound/southbound-client';
import { RevisionService } from './services/submission/revision.service';
import { SubmissionService } from './services/submission/submission.service';
import { TestRunService } from './services/test-run/test-run.service';
import { TestSpecificationService } from './services/test-specification/test-specification.service';

export interface Services {
  dataSource: DataSource;
  tokens: TokenService;
  eventBus: EventBus;
  /** Publishes state changes on the event bus, in the transaction that made them. */
  publisher: FulfillmentEventPublisher;
  openApis: OpenApiService;
  externalSystems: ExternalSystemService;
  decisionRules: DecisionRuleService;
  testSpecifications: TestSpecificationService;
  domainOrders: DomainOrderService;
  testRuns: TestRunService;
  submissions: SubmissionService;
  revisions: RevisionService;
  outboundRequests: OutboundRequestService;
  fallouts: FalloutService;
  cancellations: CancellationService;
  specificationImport: SpecificationImport;
  inboundMessages: InboundMessages;
  /** Everything under /callbacks/{externalSystemId}. */
  callbacks: CallbackHandler;
  /** Polls the systems that send no events (started by the runtime), and refreshExternalState. */
  poller: Poller;
  /** Every state change of an outbound request after it was queued (the dispatcher's too). */
  transitions: RequestTransitions;
  /** The one outbound HTTP client (address policy checked at connect time) and the authenticated client on it. */
  http: HttpClient;
  southbound: SouthboundClient;
  /** Metrics (the registry /metrics serves) and the logger the services warn on. */
  telemetry: Telemetry;
  /** Wakes the local dispatcher right after a commit that queued work; set by buildDispatcher. */
  dispatcherSignal: { wake: () => void };
  /** Releases what the services hold open (the HTTP connections). */
  close(): Promise<void>;
}

export interface ServiceDeps {
  config: Pick<Config, 'allowPrivateNetworks' | 'jwtSecret' | 'jwtMaxTtlSeconds' | 'publicUrl'> & { poll?: PollerOptions };
  dataSource: DataSource;
  eventBus: EventBus;
  encryptionKey: Buffer;
  /** Keep-alive connections per origin of the outbound HTTP client. */
  httpConnections?: number;
  logger?: Logger;
  /** Where metrics and warnings go; left out: a registry of its own and the logger (or silence). */
  telemetry?: Telemetry;
}

/** The composition root: every service built once, with plain constructors, nothing registered by token. */
export function buildServices(deps: ServiceDeps): Services {
  const signal = { wake: () => undefined as void };
  const wake = () => signal.wake();
  const publisher = new FulfillmentEventPublisher(deps.eventBus);
  const openApis = new OpenApiService();
  const http = new HttpClient({ allowPrivateNetworks: deps.config.allowPrivateNetworks }, { connections: deps.httpConnections });
  // The client reads a system's credentials when it sends; the systems' service (built next) needs the client for its hub.
  const southbound: SouthboundClient = new SouthboundClient(http, (system) => externalSystems.credentials(system));
  const polls = new PollSchedules();
  const externalSystems: ExternalSystemService = new ExternalSystemService(
    new SecretBox(deps.encryptionKey),
    { allowPrivateNetworks: deps.config.allowPrivateNetworks },
    { hub: new HubRegistration(southbound, deps.config.publicUrl), polls },
  );
  const testSpecifications = new TestSpecificationService();
  const telemetry = deps.telemetry ?? (deps.logger ? { ...quietTelemetry(), logger: deps.logger } : quietTelemetry());
  const outbox = new Outbox(publisher, wake);
  const fallouts = new FalloutService(publisher, telemetry);
  const cancellations = new Cancellations(publisher, fallouts);
  const transitions = new RequestTransitions(publisher, fallouts, cancellations, telemetry);
  const inboundMessages = new InboundMessages(publisher, telemetry);
  const application = new ReportApplication(publisher, inboundMessages, fallouts, cancellations);
  const listener = new ListenerEvents(deps.dataSource, inboundMessages, application, cancellations, testSpecifications);
  const logger = deps.logger ?? pino({ level: 'silent' });
  return {
    dataSource: deps.dataSource,
    tokens: new TokenService(deps.config.jwtSecret, deps.config.jwtMaxTtlSeconds),
    eventBus: deps.eventBus,
    publisher,
    openApis,
    externalSystems,
    decisionRules: new DecisionRuleService(externalSystems),
    testSpecifications,
    domainOrders: new DomainOrderService(),
    testRuns: new TestRunService(testSpecifications),
    submissions: new SubmissionService(openApis, outbox, publisher, polls),
    revisions: new RevisionService(openApis, externalSystems, outbox),
    outboundRequests: new OutboundRequestService(transitions, wake),
    fallouts,
    cancellations: new CancellationService(openApis, externalSystems, outbox, transitions, cancellations, publisher),
    specificationImport: new SpecificationImport(externalSystems, testSpecifications, southbound),
    inboundMessages,
    callbacks: new CallbackHandler(deps.dataSource, inboundMessages, listener, new StatusCalls(deps.dataSource, application), (system) =>
      southbound.secretMask(system),
    ),
    poller: new Poller(
      { dataSource: deps.dataSource, southbound, application, fallouts, logger: logger.child({ component: 'poller' }) },
      deps.config.poll,
    ),
    transitions,
    http,
    southbound,
    telemetry,
    dispatcherSignal: signal,
    close: () => http.close(),
  };
}

/**
 * The one way a dispatcher is made (the runtime, the bench and the tests all start theirs here): on the
 * services' database, event bus, transitions and southbound client. Local commits that queue work wake it.
 */
export function buildDispatcher(services: Services, options: DispatcherOptions, logger: Logger): Dispatcher {
  const dispatcher = new Dispatcher(
    {
      dataSource: services.dataSource,
      publisher: services.publisher,
      eventBus: services.eventBus,
      transitions: services.transitions,
      sender: new OutboundSender(services.southbound),
      logger,
      metrics: services.telemetry.metrics,
    },
    options,
  );
  services.dispatcherSignal.wake = () => dispatcher.wake();
  return dispatcher;
}
