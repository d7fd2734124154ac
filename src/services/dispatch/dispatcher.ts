import { randomUUID } from 'node:crypto';
import { In, type DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { OutboundRequestState } from '../../entities/enums';
import { ExternalSystemEntity } from '../../entities/external-system.entity';
import { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { RequestContext } from '../common/request-context';
import type { EventBus } from '../events/event-bus';
import type { FulfillmentEventPublisher } from '../events/fulfillment-event.publisher';
import { routingKey, TOPICS, type OutboundRequestChangedEvent } from '../events/fulfillment.events';
import type { ExternalSystemService } from '../external-system/external-system.service';
import { breakerAllows, breakerOnOutcome, CLOSED_BREAKER, type BreakerOptions, type BreakerState } from './circuit-breaker';
import type { BackoffOptions } from './delivery-recorder';
import { DeliveryRecorder, type Attempt } from './delivery-recorder';
import { OutboundSender } from './outbound-sender';

export interface DispatcherOptions {
  /** Requests in flight at once (over all systems). */
  concurrency: number;
  /** Added to the system's timeout to make the lease: a lease outliving its sender means a crash. */
  leaseMarginMs: number;
  /** Longest sleep between looks for due work (retries, other instances' queue, expired leases). */
  sweepIntervalMs: number;
  backoff: BackoffOptions;
  breaker: BreakerOptions;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  concurrency: 32,
  leaseMarginMs: 30_000,
  sweepIntervalMs: 1_000,
  backoff: { baseMs: 1_000, maxMs: 300_000 },
  breaker: { failureThreshold: 5, openMs: 30_000 },
};

/**
 * Sends the outbound request table. Claims due rows with FOR UPDATE SKIP LOCKED and a lease (so any
 * number of instances share the work and a crashed instance's rows are picked up when their lease
 * expires), sends them, and records each outcome. Wakes right after a commit that queued work (locally,
 * and through the event bus for other instances) and sweeps periodically for retries and expired leases.
 */
export class Dispatcher {
  readonly instanceId = randomUUID();
  private readonly recorder: DeliveryRecorder;
  private readonly breakers = new Map<string, BreakerState>();
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private busSubscription: AsyncIterableIterator<unknown> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deps: { externalSystems: ExternalSystemService; events: FulfillmentEventPublisher; eventBus: EventBus },
    private readonly sender: OutboundSender,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions = DEFAULT_DISPATCHER_OPTIONS,
  ) {
    this.recorder = new DeliveryRecorder(dataSource, deps.events, options.backoff);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
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
      let claimed = 0;
      const free = this.options.concurrency - this.inFlight.size;
      try {
        if (Date.now() - lastOrphanSweep >= this.options.sweepIntervalMs) {
          lastOrphanSweep = Date.now();
          await this.recorder.failOrphans();
        }
        if (free > 0) claimed = await this.claimAndSend(free);
      } catch (err) {
        this.logger.error({ err }, 'dispatcher: claiming due outbound requests failed');
        await this.sleep(this.options.sweepIntervalMs);
        continue;
      }
      if (claimed > 0 && claimed === free) continue; // there may be more due right now
      if (!this.woken) await this.sleep(this.options.sweepIntervalMs);
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

  private async claimAndSend(limit: number): Promise<number> {
    const ctx = new RequestContext(this.dataSource, null);
    const blocked = [...this.breakers.entries()]
      .filter(([, b]) => !breakerAllows(b, Date.now(), this.options.breaker).allowed)
      .map(([id]) => id);
    const { rows, systems } = await ctx.transaction(async () => {
      const claimed: { id: string }[] = await ctx.manager.query(CLAIM_SQL, [this.instanceId, this.options.leaseMarginMs, blocked, limit]);
      if (claimed.length === 0) return { rows: [], systems: [] };
      const found = await ctx.manager.find(OutboundRequestEntity, { where: { id: In(claimed.map((c) => c.id)) }, order: { seq: 'ASC' } });
      await this.deps.events.outboundRequestsChanged(ctx, found);
      const ids = [...new Set(found.map((r) => r.externalSystemId))];
      return { rows: found, systems: await ctx.manager.findBy(ExternalSystemEntity, { id: In(ids) }) };
    });
    const systemById = new Map(systems.map((s) => [s.id, s]));
    for (const row of rows) {
      const task = this.process(row, systemById.get(row.externalSystemId)!).catch((err) =>
        this.logger.error({ err, outboundRequest: row.number }, 'dispatcher: recording an outcome failed; the lease will expire and the request be retried'),
      );
      this.inFlight.add(task);
      void task.finally(() => {
        this.inFlight.delete(task);
        this.wake();
      });
    }
    return rows.length;
  }

  private async process(row: OutboundRequestEntity, system: ExternalSystemEntity): Promise<void> {
    const now = Date.now();
    const gate = breakerAllows(this.breakers.get(system.id) ?? CLOSED_BREAKER, now, this.options.breaker);
    let attempt: Attempt;
    if (!gate.allowed) {
      const b = this.breakers.get(system.id)!;
      attempt = { kind: 'RELEASED', until: new Date((b.openedAt ?? now) + this.options.breaker.openMs) };
    } else {
      this.breakers.set(system.id, gate.state);
      attempt = await this.sender.attempt(row, system);
      if (attempt.kind !== 'RELEASED') {
        const outcome = attempt.kind === 'DELIVERED' ? ({ kind: 'DELIVERED' } as const) : attempt.failure;
        const before = this.breakers.get(system.id) ?? CLOSED_BREAKER;
        const after = breakerOnOutcome(before, outcome, Date.now(), this.options.breaker);
        this.breakers.set(system.id, after);
        if (before.status !== after.status) {
          this.logger.warn({ system: system.name, from: before.status, to: after.status }, 'circuit breaker changed');
        }
      }
    }
    const state = await this.recorder.record(row.id, this.instanceId, system, attempt);
    if (state === null) this.logger.warn({ outboundRequest: row.number }, 'dispatcher: lease lost before the outcome was recorded');
    else this.logger.debug({ outboundRequest: row.number, state, operation: row.operation }, 'outbound request attempt recorded');
  }

  /** Circuit breaker of a system as this instance sees it (for tests and diagnostics). */
  breakerOf(systemId: string): BreakerState {
    return this.breakers.get(systemId) ?? CLOSED_BREAKER;
  }
}

/**
 * Claims up to $4 due requests for instance $1: queued or retry-scheduled ones whose time has come,
 * and ones whose lease expired mid-send (their outcome is unknown: the sender looks them up first).
 * A request that waits for an earlier one of the same record is due only once that one is delivered.
 * SKIP LOCKED lets instances claim side by side without waiting for or taking each other's rows.
 * (The UPDATE sits in a CTE so that the statement is a SELECT: drivers return UPDATE results differently.)
 */
const CLAIM_SQL = `
  WITH due AS (
    SELECT o.id, o.state AS previous_state, s.timeout_ms
      FROM outbound_request o
      JOIN external_system s ON s.id = o.external_system_id
      LEFT JOIN outbound_request d ON d.id = o.depends_on_id
     WHERE s.enabled
       AND NOT (o.external_system_id = ANY($3::uuid[]))
       AND (o.depends_on_id IS NULL OR (d.state = 'DELIVERED' AND o.path <> ''))
       AND ((o.state IN ('QUEUED', 'RETRY_SCHEDULED') AND o.next_attempt_at <= now())
            OR (o.state = 'SENDING' AND o.lease_expires_at < now()))
     ORDER BY o.seq
     LIMIT $4
       FOR UPDATE OF o SKIP LOCKED
  ),
  claimed AS (
  UPDATE outbound_request r
     SET state = 'SENDING',
         lease_owner = $1,
         lease_expires_at = now() + ((2 * due.timeout_ms + $2) * interval '1 millisecond'),
         attempts = r.attempts + CASE WHEN due.previous_state = 'SENDING' THEN 0 ELSE 1 END,
         outcome_unknown = r.outcome_unknown OR due.previous_state = 'SENDING',
         updated_at = now()
    FROM due
   WHERE r.id = due.id
  RETURNING r.id
  )
  SELECT id FROM claimed`;

