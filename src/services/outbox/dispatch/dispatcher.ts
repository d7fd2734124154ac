import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { OutboundAuthType, OutboundOperation, OutboundRequestState } from '../../../entities/enums';
import { ExternalSystemEntity } from '../../../entities/external-system.entity';
import type { EventBus } from '../../events/event-bus';
import type { FulfillmentEventPublisher } from '../../events/fulfillment-event.publisher';
import { routingKey, TOPICS, type OutboundRequestChangedEvent } from '../../events/fulfillment.events';
import { BREAKER_VALUE, type GatewayMetrics } from '../../metrics/gateway-metrics';
import type { RequestTransitions } from '../request-transitions';
import type { BreakerOptions, BreakerState } from './circuit-breaker';
import { claimTarget, SendRate } from './claim-depth';
import { DeliveryBatch } from './delivery-batch';
import { DeliveryRecorder, type Attempt, type BackoffOptions } from './delivery-recorder';
import { CLAIM_SQL, type ClaimedRow } from './dispatch.sql';
import type { OutboundSender, SendingRequest } from './outbound-sender';
import { SharedBreakers } from './shared-breakers';

/** What a dispatcher works with; the composition root (container.ts) builds it once per instance. */
export interface DispatcherDeps {
  dataSource: DataSource;
  publisher: FulfillmentEventPublisher;
  eventBus: EventBus;
  transitions: RequestTransitions;
  sender: OutboundSender;
  logger: Logger;
  /** Send latency, retries and breaker states (the runtime's registry). */
  metrics?: GatewayMetrics;
}

export interface DispatcherOptions {
  /** Requests in flight at once (over all systems). */
  concurrency: number;
  /** Added to the system's timeout to make the lease: a lease outliving its sender means a crash. */
  leaseMarginMs: number;
  /** Longest sleep between looks for due work (retries, other instances' queue, expired leases). */
  sweepIntervalMs: number;
  backoff: BackoffOptions;
  breaker: BreakerOptions;
  /** Delivery batches written at once (1 for the embedded database, which has one connection). */
  recordingWriters: number;
}

/**
 * Sends the outbound request table. Claims due rows with FOR UPDATE SKIP LOCKED and a lease (so any
 * number of instances share the work and a crashed instance's rows are picked up when their lease
 * expires), sends them, and records each outcome. Wakes right after a commit that queued work (locally,
 * and through the event bus for other instances) and sweeps periodically for retries and expired leases.
 */
export class Dispatcher {
  readonly instanceId = randomUUID();
  private readonly recorder: DeliveryRecorder;
  private readonly deliveries: DeliveryBatch;
  private readonly breakers: SharedBreakers;
  /** Sends under way: what `concurrency` limits. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Outcomes being written: a send frees its slot as soon as the answer is in. */
  private readonly recording = new Set<Promise<void>>();
  /** Claimed rows waiting for a free slot. */
  private readonly queue: Claimed[] = [];
  private readonly sendRate = new SendRate();
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private busSubscription: AsyncIterableIterator<unknown> | null = null;

  private readonly dataSource: DataSource;
  private readonly sender: OutboundSender;
  private readonly logger: Logger;

  constructor(
    private readonly deps: DispatcherDeps,
    private readonly options: DispatcherOptions,
  ) {
    this.dataSource = deps.dataSource;
    this.sender = deps.sender;
    this.logger = deps.logger;
    this.recorder = new DeliveryRecorder(deps.dataSource, deps.publisher, deps.transitions, options.backoff, deps.logger);
    this.deliveries = new DeliveryBatch(this.recorder, this.instanceId, options.recordingWriters);
    this.breakers = new SharedBreakers(deps.dataSource, this.instanceId, options.breaker);
  }

  /** Started and not stopped (readiness). */
  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.breakers.start();
    this.listenForWork();
    this.loop = this.run();
  }

  /** Stops claiming, lets in-flight sends finish and record their outcome. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.busSubscription?.return?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    await Promise.allSettled([...this.recording]);
    this.breakers.stop();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Queued work committed by any instance wakes this one without waiting for the sweep. */
  private listenForWork(): void {
    const events = this.deps.eventBus.subscribe(routingKey(TOPICS.OUTBOUND_REQUEST_CHANGED), (e) => {
      const state = (e as OutboundRequestChangedEvent).state;
      return state === OutboundRequestState.QUEUED || state === OutboundRequestState.DELIVERED;
    });
    this.busSubscription = events;
    void (async () => {
      for await (const _ of events) this.wake();
    })();
  }

  private async run(): Promise<void> {
    let lastOrphanSweep = 0;
    while (this.running) {
      this.woken = false;
      // Claim in big chunks, ahead of need, as deep as the send rate calls for (claim-depth.ts). On the
      // bench, claims of `concurrency` rows cost PGlite a quarter of its throughput, and a buffer that
      // did not cover a claim's latency left a third of PostgreSQL's send slots idle.
      const target = claimTarget(this.sendRate.perSecond(), this.options.concurrency);
      const room = target - this.inFlight.size - this.queue.length;
      // Outcomes not yet written hold back new claims, so a slow database slows sending instead of piling up answers.
      const backlog = this.recording.size >= 16 * this.options.concurrency;
      const lowOnWork = room >= target / 2;
      let claimed = 0;
      try {
        if (Date.now() - lastOrphanSweep >= this.options.sweepIntervalMs) {
          lastOrphanSweep = Date.now();
          await this.recorder.failOrphans();
        }
        if (!backlog && lowOnWork && room > 0) claimed = await this.claim(room);
      } catch (err) {
        this.logger.error({ err }, 'dispatcher: claiming due outbound requests failed');
        await this.sleep(this.options.sweepIntervalMs);
        continue;
      }
      this.pump();
      if (claimed > 0 && claimed === room) continue; // there may be more due right now
      if (!this.woken) await this.sleep(this.options.sweepIntervalMs);
    }
    while (this.queue.length) {
      this.pump();
      await Promise.race([...this.inFlight]);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  private async claim(limit: number): Promise<number> {
    const blocked = this.breakers.blockedSystems();
    // One statement, its own transaction: the rows are leased and their SENDING events published when
    // it returns, so sending starts at once and no outcome can be published before its SENDING.
    const rows: ClaimedRow[] = await this.dataSource.query(CLAIM_SQL, [
      this.deps.publisher.channel,
      this.instanceId,
      this.options.leaseMarginMs,
      blocked,
      limit,
    ]);
    if (rows.length === 0) return 0;
    const claimed = claimedRequests(rows);
    this.queue.push(...claimed);
    this.pump();
    return claimed.length;
  }

  /** Starts sends from the local queue while there are free slots. */
  private pump(): void {
    while (this.inFlight.size < this.options.concurrency && this.queue.length) {
      const claimed = this.queue.shift()!;
      const { row, system } = claimed;
      // A row that waited here so long that its lease could run out mid-send goes back unsent: past
      // the lease another instance may claim it, and both would send.
      const held = Date.now() - claimed.claimedAt;
      const send =
        held > this.options.leaseMarginMs / 2 + system.timeoutMs
          ? Promise.resolve<Attempt>({ kind: 'RELEASED', until: new Date(), claimCountedAttempt: claimed.countedAttempt })
          : this.attempt(claimed);
      const sent = send.then(
        () => undefined,
        () => undefined,
      );
      this.inFlight.add(sent);
      void sent.finally(() => {
        this.sendRate.record();
        this.inFlight.delete(sent);
        this.pump();
        this.wake();
      });
      const recorded = send
        .then((attempt) => this.record(row, system, attempt))
        .catch((err) =>
          this.logger.error(
            { err, outboundRequest: row.number },
            'dispatcher: recording an outcome failed; the lease will expire and the request be retried',
          ),
        );
      this.recording.add(recorded);
      void recorded.finally(() => {
        this.recording.delete(recorded);
        this.wake();
      });
    }
  }

  /** Sends one request (unless the system's shared breaker holds it back) and records the outcome on the breaker. */
  private async attempt({ row, system, countedAttempt }: Claimed): Promise<Attempt> {
    const gate = await this.breakers.admit(system.id);
    if (!gate.allowed) return { kind: 'RELEASED', until: gate.until, claimCountedAttempt: countedAttempt };
    if (gate.trial) this.deps.metrics?.breaker.set({ system: system.name }, BREAKER_VALUE.HALF_OPEN);
    const started = performance.now();
    const attempt = await this.sender.attempt(row, system);
    const outcome = attempt.kind === 'DELIVERED' ? ({ kind: 'DELIVERED' } as const) : attempt.failure;
    this.deps.metrics?.sendDuration.observe(
      { system: system.name, outcome: outcome.kind.toLowerCase() },
      (performance.now() - started) / 1000,
    );
    try {
      const { from, to } = await this.breakers.record(system.id, outcome, gate.trial);
      if (from !== to) this.logger.warn({ system: system.name, from, to }, 'circuit breaker changed');
      this.deps.metrics?.breaker.set({ system: system.name }, BREAKER_VALUE[to]);
    } catch (err) {
      // The outcome itself must still be recorded; the breaker misses one count.
      this.logger.error({ err, system: system.name }, 'dispatcher: recording an outcome on the circuit breaker failed');
    }
    return attempt;
  }

  private async record(row: SendingRequest, system: ExternalSystemEntity, attempt: Attempt): Promise<void> {
    // CREATEs, almost every delivery, are written in batches by a database function; a revision or a
    // cancellation delivered has effects of its own (information answered, a cancel task followed).
    const state =
      attempt.kind !== 'DELIVERED'
        ? await this.recorder.record(row.id, this.instanceId, system, attempt)
        : row.operation !== OutboundOperation.CREATE
          ? await this.recorder.recordDelivery(row.id, this.instanceId, attempt)
          : (await this.deliveries.add({
                id: row.id,
                subject: row.subject,
                status: attempt.status,
                body: attempt.body,
                bodyJson: attempt.bodyJson,
              }))
            ? 'DELIVERED'
            : null;
    if (state === OutboundRequestState.RETRY_SCHEDULED && attempt.kind === 'FAILED')
      this.deps.metrics?.retries.inc({ system: system.name });
    if (state === null) this.logger.warn({ outboundRequest: row.number }, 'dispatcher: lease lost before the outcome was recorded');
    else this.logger.debug({ outboundRequest: row.number, state, operation: row.operation }, 'outbound request attempt recorded');
  }

  /** Circuit breaker of a system as this instance sees it (for tests and diagnostics). */
  breakerOf(systemId: string): BreakerState {
    return this.breakers.stateOf(systemId);
  }
}

interface Claimed {
  row: SendingRequest;
  system: ExternalSystemEntity;
  claimedAt: number;
  countedAttempt: boolean;
}

/** The claimed requests, each from its consecutive rows (one per piece of its payload). */
function claimedRequests(rows: ClaimedRow[]): Claimed[] {
  const out: Claimed[] = [];
  for (let from = 0; from < rows.length;) {
    let to = from + 1;
    while (to < rows.length && rows[to].n === rows[from].n) to++;
    out.push(toSending(rows[from], payloadOf(rows, from, to)));
    from = to;
  }
  return out;
}

/** A payload's pieces written into one buffer of its exact size, which is sent as it is (no other copy). */
function payloadOf(rows: ClaimedRow[], from: number, to: number): Buffer {
  if (to - from === 1) return Buffer.from(rows[from].body ?? '', 'utf8');
  let size = 0;
  for (let i = from; i < to; i++) size += Buffer.byteLength(rows[i].body ?? '', 'utf8');
  const buffer = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = from; i < to; i++) at += buffer.write(rows[i].body ?? '', at, 'utf8');
  return buffer;
}

/** What sending needs from a claimed row: the request and its external system (as of the claim). */
function toSending(c: ClaimedRow, body: Buffer): Claimed {
  const row: SendingRequest = {
    id: c.id,
    number: c.number,
    requestId: c.request_id,
    subject: c.subject,
    operation: c.operation as OutboundOperation,
    httpMethod: c.http_method,
    path: c.path,
    body,
    outcomeUnknown: c.outcome_unknown,
  };
  const system = Object.assign(new ExternalSystemEntity(), {
    id: c.external_system_id,
    name: c.system_name,
    baseUrl: c.base_url,
    enabled: true,
    timeoutMs: c.timeout_ms,
    maxAttempts: c.max_attempts,
    authType: c.auth_type as OutboundAuthType,
    authSecret: c.auth_secret,
  });
  return { row, system, claimedAt: Date.now(), countedAttempt: c.previous_state !== String(OutboundRequestState.SENDING) };
}
