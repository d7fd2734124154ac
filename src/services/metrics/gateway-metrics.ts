import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

/** Breaker states as gauge values: 0 closed (sending), 1 half-open (one trial out), 2 open (paused). */
export const BREAKER_VALUE = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 } as const;

/** Operation names are the client's to choose: past this many distinct ones, the rest count as "other". */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A pg Pool's counters (PostgreSQL); the embedded database has one connection and none of them. */
interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The gateway's Prometheus metrics, in a registry of their own (several gateways run in one test
 * process). Counters and histograms are fed where things happen; gauges about the tables are computed
 * when /metrics is scraped, with one cheap query each (partial or status indexes), so they are right
 * whichever instance did the work.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly sendDuration = new Histogram({
    name: 'southgate_outbound_send_duration_seconds',
    help: 'Time of one attempt at an outbound request (auth, look-up and send), by system and outcome (delivered, transient, permanent)',
    labelNames: ['system', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'southgate_outbound_retries_total',
    help: 'Attempts that failed transiently and were scheduled again, by system',
    labelNames: ['system'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'southgate_outbound_errors_total',
    help: 'Outbound requests that ended in ERROR (each opened a fallout), by system and error category',
    labelNames: ['system', 'category'] as const,
    registers: [this.registry],
  });
  readonly breaker = new Gauge({
    name: 'southgate_breaker_state',
    help: 'Circuit breaker of a system in this instance: 0 closed, 1 half-open, 2 open (paused)',
    labelNames: ['system'] as const,
    registers: [this.registry],
  });
  readonly falloutsOpened = new Counter({
    name: 'southgate_fallouts_opened_total',
    help: 'Fallouts opened, by category and source (OUTBOUND, INBOUND)',
    labelNames: ['category', 'source'] as const,
    registers: [this.registry],
  });
  readonly inboundMessages = new Counter({
    name: 'southgate_inbound_messages_total',
    help: 'Messages of authenticated systems stored, by channel (EVENT, STATUS_CALL, POLL) and outcome',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly callbacksLimited = new Counter({
    name: 'southgate_callbacks_rate_limited_total',
    help: 'Callbacks answered 429 because the system exceeded CALLBACK_RATE, by system',
    labelNames: ['system'] as const,
    registers: [this.registry],
  });
  readonly graphqlDuration = new Histogram({
    name: 'southgate_graphql_operation_duration_seconds',
    help: 'GraphQL operations over HTTP, by operation name and outcome (ok, or the first error code)',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly subscriptions = new Counter({
    name: 'southgate_graphql_subscriptions_total',
    help: 'Operations started over graphql-ws, by operation name and outcome (ok, or refused before they ran)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly websocketConnections = new Gauge({
    name: 'southgate_graphql_ws_connections',
    help: 'Open graphql-ws connections (subscriptions)',
    registers: [this.registry],
  });
  private readonly operationNames = new Set<string>();

  constructor(options: { processMetrics?: boolean } = {}) {
    // Process metrics: CPU, memory, heap, GC, event-loop lag (nodejs_eventloop_lag_seconds and percentiles).
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'southgate_' });
  }

  /** The label for a client-chosen operation name: bounded in form and in number. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.operationNames.add(name);
    return name;
  }

  /** Registers the gauges read from the database at scrape time (and the connection pool's use). */
  watchDatabase(dataSource: DataSource): void {
    const query = <T>(sql: string) => dataSource.query<T[]>(sql);
    new Gauge({
      name: 'southgate_outbound_requests',
      help: 'Outbound requests not finished yet, by system and state (QUEUED, RETRY_SCHEDULED, SENDING)',
      labelNames: ['system', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows = await query<{ system: string; state: string; n: number }>(
          `SELECT s.name AS system, r.state, count(*)::int AS n FROM outbound_request r
             JOIN external_system s ON s.id = r.external_system_id
            WHERE r.state IN ('QUEUED', 'RETRY_SCHEDULED', 'SENDING') GROUP BY s.name, r.state`,
        );
        for (const r of rows) this.set({ system: r.system, state: r.state }, r.n);
      },
    });
    new Gauge({
      name: 'southgate_outbound_queue_depth',
      help: 'Outbound requests waiting to be sent (QUEUED or RETRY_SCHEDULED)',
      registers: [this.registry],
      async collect() {
        const [row] = await query<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbound_request WHERE state IN ('QUEUED', 'RETRY_SCHEDULED')`,
        );
        this.set(row?.n ?? 0);
      },
    });
    new Gauge({
      name: 'southgate_outbound_queue_oldest_seconds',
      help: 'Age of the oldest outbound request waiting to be sent; 0 when none waits',
      registers: [this.registry],
      async collect() {
        const [row] = await query<{ age: number | null }>(
          `SELECT extract(epoch FROM now() - min(created_at))::float8 AS age
             FROM outbound_request WHERE state IN ('QUEUED', 'RETRY_SCHEDULED')`,
        );
        this.set(Math.max(0, Number(row?.age ?? 0)));
      },
    });
    new Gauge({
      name: 'southgate_fallouts_open',
      help: 'Open fallouts (waiting for a person), by category',
      labelNames: ['category'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows = await query<{ category: string; n: number }>(
          `SELECT category, count(*)::int AS n FROM fallout WHERE status = 'OPEN' GROUP BY category`,
        );
        for (const r of rows) this.set({ category: r.category }, r.n);
      },
    });
    new Gauge({
      name: 'southgate_db_pool_connections',
      help: 'Database connections of this instance: total, idle, and waiting (requests queued for one); the embedded database has one',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const pool = (dataSource.driver as { master?: Partial<PoolCounts> }).master;
        if (pool && typeof pool.totalCount === 'number') {
          this.set({ state: 'total' }, pool.totalCount);
          this.set({ state: 'idle' }, pool.idleCount ?? 0);
          this.set({ state: 'waiting' }, pool.waitingCount ?? 0);
        } else {
          this.set({ state: 'total' }, 1);
        }
      },
    });
  }

  /** The text exposition, content type included. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
