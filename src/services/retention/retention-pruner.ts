import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { pruneOlderThan, type PruneTarget } from '../common/pruning';
import { OLD_INBOUND_MESSAGES } from '../inbound/inbound-retention';
import { DELIVERED_REQUESTS } from '../outbox/outbox-retention';

export interface RetentionOptions {
  /** Rows older than this many days may go (RETENTION_DAYS). */
  days: number;
  /** Pause between sweeps. */
  intervalMs: number;
  /** Rows walked per DELETE statement. */
  batch: number;
}

export const RETENTION_SWEEP_MS = 60 * 60_000;
export const RETENTION_BATCH = 500;

const DAY_MS = 86_400_000;

/**
 * RETENTION_DAYS: deletes delivered outbound requests and inbound messages older than that, once at start
 * and then every sweep, in small batches, never one whose records are not final (see each target). With
 * several instances each sweeps; they skip the rows another is deleting.
 */
export class RetentionPruner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: RetentionOptions,
    private readonly logger: Logger,
    private readonly targets: readonly PruneTarget[] = [DELIVERED_REQUESTS, OLD_INBOUND_MESSAGES],
  ) {}

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One sweep over every target; how many rows each lost, by table. */
  async sweep(now = new Date()): Promise<Record<string, number>> {
    const cutoff = new Date(now.getTime() - this.options.days * DAY_MS);
    const pruned: Record<string, number> = {};
    for (const target of this.targets) {
      if (this.stopped) break;
      pruned[target.table] = await pruneOlderThan(this.dataSource, target, cutoff, this.options.batch);
    }
    return pruned;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep().then(
        (pruned) => this.logger.info({ pruned, days: this.options.days }, 'retention: old delivered rows pruned'),
        (err: unknown) => this.logger.warn({ err }, 'retention sweep failed; trying again at the next one'),
      );
      void this.running.finally(() => this.schedule(this.options.intervalMs));
    }, delayMs);
    this.timer.unref();
  }
}
