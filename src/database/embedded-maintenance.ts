import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { EventBus } from '../services/events/event-bus';
import { routingKey, TOPICS } from '../services/events/fulfillment.events';

export interface EmbeddedMaintenanceOptions {
  /** Vacuum once this many changes (subscription events) have gone by... */
  changes: number;
  /** ...or this long after the first change since the last vacuum. */
  intervalMs: number;
}

const ANALYZE_EVERY = 10;

export const EMBEDDED_MAINTENANCE_DEFAULTS: EmbeddedMaintenanceOptions = { changes: 5_000, intervalMs: 5 * 60_000 };

/**
 * PostgreSQL's autovacuum, for the embedded database: PGlite runs none. Every update leaves a dead row
 * version and dead index entries behind; without VACUUM, tables and indexes only grow, the outbox's index
 * ranges fill with entries that every claim steps over, and the dispatcher slows down run after run
 * (seen in `npm run bench`: a third slower by the fifth round). The changes are counted off the event bus
 * (every state change publishes an event); after enough of them, or a while after the first, the whole
 * database is vacuumed, and now and then analyzed (the planner then has statistics too). A vacuum takes
 * the one embedded connection for some tens of milliseconds.
 */
export class EmbeddedMaintenance {
  private changes = 0;
  private vacuums = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private subscriptions: AsyncIterableIterator<unknown>[] = [];
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly eventBus: EventBus,
    private readonly logger: Logger,
    private readonly options: EmbeddedMaintenanceOptions = EMBEDDED_MAINTENANCE_DEFAULTS,
  ) {}

  start(): void {
    for (const topic of [TOPICS.OUTBOUND_REQUEST_CHANGED, TOPICS.FULFILLMENT_STATE_CHANGED]) {
      const events = this.eventBus.subscribe(routingKey(topic));
      this.subscriptions.push(events);
      void (async () => {
        for await (const _ of events) this.changed();
      })();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all(this.subscriptions.map(async (s) => void (await s.return?.())));
    await this.running;
  }

  /** Vacuums and analyzes now (also what the thresholds trigger). */
  vacuum(): Promise<void> {
    this.running ??= (async () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      const changes = this.changes;
      this.changes = 0;
      const started = Date.now();
      try {
        // ANALYZE samples every table and takes several times as long as VACUUM: statistics need not be
        // fresh, so one vacuum in ANALYZE_EVERY also analyzes.
        const analyze = this.vacuums++ % ANALYZE_EVERY === 0;
        await this.dataSource.query(analyze ? 'VACUUM (ANALYZE)' : 'VACUUM');
        this.logger.debug({ changes, analyze, ms: Date.now() - started }, 'embedded database vacuumed');
      } catch (err) {
        this.logger.warn({ err }, 'embedded database: VACUUM failed; tables keep their dead rows until the next one');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private changed(): void {
    if (this.stopped) return;
    this.changes++;
    if (this.changes >= this.options.changes) void this.vacuum();
    else if (!this.timer && !this.running) {
      this.timer = setTimeout(() => void this.vacuum(), this.options.intervalMs);
      this.timer.unref();
    }
  }
}
