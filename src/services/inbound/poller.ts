import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import {
  ErrorCategory,
  FalloutSource,
  FulfillmentState,
  InboundChannel,
  OutboundOperation,
  OutboundRequestState,
} from '../../entities/enums';
import { ExternalSystemEntity } from '../../entities/external-system.entity';
import { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { PollScheduleEntity } from '../../entities/poll-schedule.entity';
import type { InboundMessageEntity } from '../../entities/inbound-message.entity';
import { ConflictError, FulfillmentNotAllowedError, NotFoundError } from '../common/domain.errors';
import { RequestContext } from '../context/request-context';
import type { FalloutService } from '../fallout/fallout.service';
import { requestsOfRecord } from '../outbox/outbox';
import { assertMayActOn } from '../records/record-access';
import type { RecordKind } from '../records/record-kind';
import { recordKind } from '../records/record-kinds';
import { requireRecord } from '../records/record-loaders';
import type { Exchange, SouthboundClient } from '../southbound/southbound-client';
import { isObject } from '../tmf/resource-report';
import type { Application, ReportApplication } from './report-application';

export interface PollerOptions {
  /** Longest pause between looks for due polls. */
  sweepIntervalMs: number;
  /** Polls claimed at once. */
  batch: number;
  /** A claimed poll not finished within this long is taken over by any instance. */
  leaseMs: number;
  /** Longest wait after failed polls (the interval doubles per failure up to this). */
  maxBackoffMs: number;
}

export const POLLER_DEFAULTS: PollerOptions = { sweepIntervalMs: 1000, batch: 16, leaseMs: 60_000, maxBackoffMs: 3_600_000 };

interface Claimed {
  outbound_request_id: string;
  failures: number;
  last_fingerprint: string | null;
}

/**
 * Claims due polls as the dispatcher claims sends (FOR UPDATE SKIP LOCKED and a lease, so each resource
 * is polled by one instance at a time and a crashed instance's polls are taken over), fetches the resource
 * from its system, and applies it as an inbound message of channel POLL, stored only when something
 * changed. A resource whose records are all final is not polled again; failures back off; a resource the
 * system no longer has opens a fallout.
 */
export class Poller {
  readonly instanceId = randomUUID();
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;

  constructor(
    private readonly deps: {
      dataSource: DataSource;
      southbound: SouthboundClient;
      application: ReportApplication;
      fallouts: FalloutService;
      logger: Logger;
    },
    private readonly options: PollerOptions = POLLER_DEFAULTS,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  /** refreshExternalState(subject, subjectId), for whoever may act on the record. */
  async refreshRecord(ctx: RequestContext, subject: string, id: string): Promise<InboundMessageEntity> {
    const kind = recordKind(subject);
    assertMayActOn(ctx, kind);
    return this.refresh(ctx, kind, await requireRecord(ctx, kind, id, 'subjectId'));
  }

  /** refreshExternalState: the record's resource fetched now and applied, in the caller's transaction; the message is kept whatever it changed. */
  async refresh(
    ctx: RequestContext,
    kind: RecordKind,
    record: { id: string; number: string; externalId: string | null },
  ): Promise<InboundMessageEntity> {
    const create = (await requestsOfRecord(ctx, kind, record.id, [OutboundRequestState.DELIVERED])).find(
      (r) => r.operation === OutboundOperation.CREATE,
    );
    if (!create?.externalId) {
      throw new FulfillmentNotAllowedError(
        `${kind.label} ${record.number} has no resource at an external system to refresh from (nothing delivered with an id)`,
      );
    }
    const system = await ctx.manager.findOneByOrFail(ExternalSystemEntity, { id: create.externalSystemId });
    const answer = await this.fetch(system, kind, create);
    if (answer.kind !== 'DELIVERED') {
      if (answer.status === 404) throw new NotFoundError(`${system.name}'s ${kind.resourceKey}`, create.externalId);
      throw new ConflictError(
        `${system.name} did not give ${kind.resourceKey} ${create.externalId}: ${answer.failure.message}; try again later`,
      );
    }
    const { message } = await this.apply(ctx, system, kind, create, answer, true);
    return message!;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed: Claimed[] = [];
      try {
        claimed = await this.claim();
        for (const c of claimed) await this.pollOne(c);
      } catch (err) {
        this.deps.logger.error({ err }, 'poller: polling failed; trying again at the next sweep');
      }
      if (this.running && claimed.length < this.options.batch) await this.sleep(this.options.sweepIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async claim(): Promise<Claimed[]> {
    return this.deps.dataSource.query<Claimed[]>(
      // A SELECT over the UPDATE, so that the driver hands back the claimed rows themselves.
      `WITH due AS (
         SELECT p.outbound_request_id FROM poll_schedule p
           JOIN external_system s ON s.id = p.external_system_id AND s.enabled AND s.poll_interval_seconds IS NOT NULL
          WHERE p.active AND p.next_poll_at <= now() AND (p.lease_expires_at IS NULL OR p.lease_expires_at < now())
          ORDER BY p.next_poll_at LIMIT $2
            FOR UPDATE OF p SKIP LOCKED),
       claimed AS (
         UPDATE poll_schedule p SET lease_owner = $1, lease_expires_at = now() + $3 * interval '1 millisecond'
           FROM due WHERE p.outbound_request_id = due.outbound_request_id
         RETURNING p.outbound_request_id, p.failures, p.last_fingerprint)
       SELECT * FROM claimed`,
      [this.instanceId, this.options.batch, this.options.leaseMs],
    );
  }

  private async pollOne(c: Claimed): Promise<void> {
    const m = this.deps.dataSource.manager;
    const create = await m.findOneByOrFail(OutboundRequestEntity, { id: c.outbound_request_id });
    const system = await m.findOneByOrFail(ExternalSystemEntity, { id: create.externalSystemId });
    const interval = (system.pollIntervalSeconds ?? 60) * 1000;
    if (create.state === OutboundRequestState.ERROR || create.state === OutboundRequestState.DISCARDED)
      return this.finish(c, { active: false });
    if (create.state !== OutboundRequestState.DELIVERED || !create.externalId) return this.finish(c, { nextInMs: interval });
    const kind = recordKind(create.subject);
    const answer = await this.fetch(system, kind, create);
    if (answer.kind !== 'DELIVERED') return this.failed(c, system, kind, create, answer, interval);
    const fingerprint = createHash('sha256')
      .update(answer.bodyJson ?? '')
      .digest('hex');
    if (fingerprint === c.last_fingerprint) return this.finish(c, { nextInMs: interval, failures: 0 });
    const ctx = new RequestContext(this.deps.dataSource, null);
    const { allFinal } = await ctx.transaction(() => this.apply(ctx, system, kind, create, answer, false));
    await this.finish(c, { nextInMs: interval, failures: 0, fingerprint, active: !allFinal });
  }

  private async apply(
    ctx: RequestContext,
    system: ExternalSystemEntity,
    kind: RecordKind,
    create: OutboundRequestEntity,
    answer: Extract<Exchange, { kind: 'DELIVERED' }>,
    keep: boolean,
  ) {
    const body = isObject(answer.body) ? answer.body : {};
    const records = await this.deps.application.lockCovered(ctx, kind, create);
    const report = { ...kind.readReport(body), resourceId: create.externalId ?? undefined };
    const how: Application = {
      message: { channel: InboundChannel.POLL, eventType: kind.resourceKey, body: answer.body },
      meaning: 'resource',
      eventTime: new Date(),
      storeWhenStale: keep,
    };
    const { message } = await this.deps.application.apply(ctx, system, { kind, request: create, records }, report, how);
    const after = await this.deps.application.lockCovered(ctx, kind, create);
    const allFinal = after.every(
      (r) => r.fulfillmentState === FulfillmentState.FULFILLED || r.fulfillmentState === FulfillmentState.CANCELED,
    );
    return { message, allFinal };
  }

  private async failed(
    c: Claimed,
    system: ExternalSystemEntity,
    kind: RecordKind,
    create: OutboundRequestEntity,
    answer: Extract<Exchange, { kind: 'FAILED' }>,
    interval: number,
  ) {
    if (answer.status === 404) {
      const ctx = new RequestContext(this.deps.dataSource, null);
      await ctx.transaction(async () => {
        const records = await this.deps.application.lockCovered(ctx, kind, create);
        await this.deps.fallouts.open(ctx, {
          request: create,
          kind,
          recordIds: records.map((r) => r.id),
          category: ErrorCategory.EXTERNAL_FAILURE,
          message: `${system.name} no longer has ${kind.resourceKey} ${create.externalId} (a poll answered 404); polling it stopped`,
          source: FalloutSource.INBOUND,
        });
      });
      return this.finish(c, { active: false });
    }
    const failures = c.failures + 1;
    this.deps.logger.warn(
      { outboundRequest: create.number, system: system.name, failures, reason: answer.failure.message },
      'poll failed; backing off',
    );
    return this.finish(c, { nextInMs: Math.min(interval * 2 ** failures, this.options.maxBackoffMs), failures });
  }

  private fetch(system: ExternalSystemEntity, kind: RecordKind, create: OutboundRequestEntity): Promise<Exchange> {
    return this.deps.southbound.headers(system, create.requestId).then((auth) =>
      'failure' in auth
        ? ({ kind: 'FAILED', failure: auth.failure } as const)
        : this.deps.southbound.exchange(system, {
            method: 'GET',
            url: `${system.baseUrl}${kind.collection}/${encodeURIComponent(create.externalId!)}`,
            headers: auth.headers,
            timeoutMs: system.timeoutMs,
          }),
    );
  }

  /** Ends this instance's claim on a poll: when the next one is due, and what was learnt. */
  private async finish(c: Claimed, next: { nextInMs?: number; failures?: number; fingerprint?: string; active?: boolean }): Promise<void> {
    await this.deps.dataSource.manager
      .createQueryBuilder()
      .update(PollScheduleEntity)
      .set({
        leaseOwner: null,
        leaseExpiresAt: null,
        ...(next.nextInMs !== undefined ? { nextPollAt: new Date(Date.now() + next.nextInMs) } : {}),
        ...(next.failures !== undefined ? { failures: next.failures } : {}),
        ...(next.fingerprint !== undefined ? { lastFingerprint: next.fingerprint } : {}),
        ...(next.active !== undefined ? { active: next.active } : {}),
      })
      .where('outbound_request_id = :id AND lease_owner = :me', { id: c.outbound_request_id, me: this.instanceId })
      .execute();
  }
}
