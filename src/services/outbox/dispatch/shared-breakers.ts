import type { DataSource } from 'typeorm';
import type { DeliveryOutcome } from '../../southbound/delivery-outcome';
import { CLOSED_BREAKER, type BreakerOptions, type BreakerState } from './circuit-breaker';

/** How often an instance reads the breakers again (its copy is at most this old). */
export const BREAKER_REFRESH_MS = 250;

/** The columns every statement returns: one system's breaker, times as epoch milliseconds. */
const BREAKER_COLUMNS = `external_system_id, state, failures,
  (extract(epoch FROM opened_at) * 1000)::float8 AS opened_at,
  (extract(epoch FROM open_until) * 1000)::float8 AS open_until,
  trial_holder, (extract(epoch FROM trial_started_at) * 1000)::float8 AS trial_started_at`;

const ms = (param: string) => `${param}::bigint * interval '1 millisecond'`;

/** Every breaker that is not plainly healthy (a system absent here is CLOSED with no failures). */
const REFRESH_SQL = `SELECT ${BREAKER_COLUMNS} FROM circuit_breaker`;

/**
 * A transient failure of system $1 (threshold $2, open period $3 ms), counted atomically whoever else
 * counts at the same time: the threshold-th consecutive one opens the breaker, a failure while half-open
 * re-opens it, one while open only counts.
 */
const FAILURE_SQL = `
  WITH counted AS (
    INSERT INTO circuit_breaker AS b (external_system_id, state, failures, opened_at, open_until)
    VALUES ($1, CASE WHEN $2::int <= 1 THEN 'OPEN' ELSE 'CLOSED' END, 1,
            CASE WHEN $2::int <= 1 THEN now() END, CASE WHEN $2::int <= 1 THEN now() + ${ms('$3')} END)
    ON CONFLICT (external_system_id) DO UPDATE SET
      failures = b.failures + 1,
      state = CASE WHEN b.state = 'CLOSED' AND b.failures + 1 < $2::int THEN 'CLOSED' ELSE 'OPEN' END,
      opened_at = CASE WHEN b.state = 'HALF_OPEN' OR (b.state = 'CLOSED' AND b.failures + 1 >= $2::int) THEN now() ELSE b.opened_at END,
      open_until = CASE WHEN b.state = 'HALF_OPEN' OR (b.state = 'CLOSED' AND b.failures + 1 >= $2::int)
                        THEN now() + ${ms('$3')} ELSE b.open_until END,
      trial_holder = NULL, trial_started_at = NULL, updated_at = now()
    RETURNING ${BREAKER_COLUMNS})
  SELECT * FROM counted`;

/** An answer from system $1: it is up, the breaker closes (nothing to write when it is closed with no failures). */
const SUCCESS_SQL = `
  WITH closed AS (
    UPDATE circuit_breaker SET state = 'CLOSED', failures = 0, opened_at = NULL, open_until = NULL,
           trial_holder = NULL, trial_started_at = NULL, updated_at = now()
     WHERE external_system_id = $1 AND (state <> 'CLOSED' OR failures > 0)
    RETURNING ${BREAKER_COLUMNS})
  SELECT * FROM closed`;

/**
 * Asks for the half-open trial of system $1 for instance $2: granted to exactly one asker once the open
 * period is over (or the last trial, started $3 ms ago or more, never reported back). Returns the
 * breaker as it is now, with `granted`.
 */
const TRIAL_SQL = `
  WITH granted AS (
    UPDATE circuit_breaker SET state = 'HALF_OPEN', trial_holder = $2, trial_started_at = now(), updated_at = now()
     WHERE external_system_id = $1
       AND ((state = 'OPEN' AND open_until <= now())
         OR (state = 'HALF_OPEN' AND trial_started_at <= now() - ${ms('$3')}))
    RETURNING ${BREAKER_COLUMNS})
  SELECT *, true AS granted FROM granted
  UNION ALL
  SELECT ${BREAKER_COLUMNS}, false AS granted FROM circuit_breaker
   WHERE external_system_id = $1 AND NOT EXISTS (SELECT 1 FROM granted)`;

interface BreakerRow {
  external_system_id: string;
  state: BreakerState['status'];
  failures: number;
  opened_at: number | null;
  open_until: number | null;
  trial_holder: string | null;
  trial_started_at: number | null;
  granted?: boolean;
}

interface CachedBreaker {
  status: BreakerState['status'];
  failures: number;
  openedAt: number | null;
  openUntil: number | null;
  trialStartedAt: number | null;
}

const HEALTHY: CachedBreaker = { status: 'CLOSED', failures: 0, openedAt: null, openUntil: null, trialStartedAt: null };

export type Admission = { allowed: true; trial: boolean } | { allowed: false; until: Date };

/**
 * The circuit breakers of the external systems, shared by every instance through the circuit_breaker
 * table, so ten instances do not each send a failing system its threshold of requests. Each instance
 * keeps a copy (read again every BREAKER_REFRESH_MS) for the hot path: a healthy system costs no
 * statement per send. Failures and recoveries are written atomically as they happen; a system with
 * failures on record is read afresh before each send, and only one instance gets the half-open trial.
 */
export class SharedBreakers {
  private readonly cache = new Map<string, CachedBreaker>();
  private refreshing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly instanceId: string,
    private readonly options: BreakerOptions,
    private readonly refreshMs = BREAKER_REFRESH_MS,
  ) {}

  /**
   * Reads the breakers now and every refreshMs, off the claim's path (a claim waiting for the read would
   * send everything a round trip later). A failed read keeps the last copy; the claim reports the database.
   */
  start(): void {
    if (this.timer) return;
    const read = () => void this.refresh().catch(() => undefined);
    read();
    this.timer = setInterval(read, this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Systems whose requests should not be claimed now (open, or a trial out), from the copy. */
  blockedSystems(now = Date.now()): string[] {
    const blocked: string[] = [];
    for (const [id, b] of this.cache) {
      const open = b.status === 'OPEN' && (b.openUntil ?? 0) > now;
      const trialOut = b.status === 'HALF_OPEN' && (b.trialStartedAt ?? 0) + this.options.openMs > now;
      if (open || trialOut) blocked.push(id);
    }
    return blocked;
  }

  /** May a request to the system go out now? A system with failures on record is asked of the database (and the trial requested there). */
  async admit(systemId: string): Promise<Admission> {
    const cached = this.cache.get(systemId) ?? HEALTHY;
    if (cached.status === 'CLOSED' && cached.failures === 0) return { allowed: true, trial: false };
    const [row] = await this.dataSource.query<BreakerRow[]>(TRIAL_SQL, [systemId, this.instanceId, this.options.openMs]);
    const now = this.store(systemId, row);
    if (now.status === 'CLOSED') return { allowed: true, trial: false };
    if (row?.granted) return { allowed: true, trial: true };
    return { allowed: false, until: new Date(Math.max(now.openUntil ?? 0, Date.now())) };
  }

  /** Records an outcome: a transient failure counts, anything else (a delivery, a 4xx) closes. Returns the status before and after. */
  async record(
    systemId: string,
    outcome: DeliveryOutcome | { kind: 'DELIVERED' },
    trial: boolean,
  ): Promise<{ from: BreakerState['status']; to: BreakerState['status'] }> {
    const before = this.cache.get(systemId) ?? HEALTHY;
    let rows: BreakerRow[] = [];
    if (outcome.kind === 'TRANSIENT') {
      rows = await this.dataSource.query<BreakerRow[]>(FAILURE_SQL, [systemId, this.options.failureThreshold, this.options.openMs]);
    } else if (trial || before.status !== 'CLOSED' || before.failures > 0) {
      rows = await this.dataSource.query<BreakerRow[]>(SUCCESS_SQL, [systemId]);
      if (rows.length === 0) this.cache.delete(systemId);
    }
    const after = rows.length ? this.store(systemId, rows[0]) : (this.cache.get(systemId) ?? HEALTHY);
    return { from: before.status, to: after.status };
  }

  /** The breaker of a system as this instance last saw it (for diagnostics and tests). */
  stateOf(systemId: string): BreakerState {
    const b = this.cache.get(systemId);
    if (!b) return CLOSED_BREAKER;
    return {
      status: b.status,
      consecutiveFailures: b.failures,
      ...(b.openedAt !== null ? { openedAt: b.openedAt } : {}),
      ...(b.status === 'HALF_OPEN' ? { trialInFlight: true, trialStartedAt: b.trialStartedAt ?? undefined } : {}),
    };
  }

  /** Reads every breaker (one statement, however many instances ask at once). */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const rows = await this.dataSource.query<BreakerRow[]>(REFRESH_SQL);
        this.cache.clear();
        for (const row of rows) this.store(row.external_system_id, row);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private store(systemId: string, row: BreakerRow | undefined): CachedBreaker {
    if (!row) {
      this.cache.delete(systemId);
      return HEALTHY;
    }
    const b: CachedBreaker = {
      status: row.state,
      failures: Number(row.failures),
      openedAt: row.opened_at === null ? null : Number(row.opened_at),
      openUntil: row.open_until === null ? null : Number(row.open_until),
      trialStartedAt: row.trial_started_at === null ? null : Number(row.trial_started_at),
    };
    this.cache.set(systemId, b);
    return b;
  }
}
