import type { Delivered, DeliveryRecorder } from './delivery-recorder';

interface Waiting {
  item: Delivered;
  resolve: (recorded: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for deliveries: while one batch is being written, the deliveries that complete in the
 * meantime gather and are written together in the next transaction. Under load this turns hundreds of
 * small transactions into a few set-based ones; when idle, a lone delivery is written at once.
 */
export class DeliveryBatch {
  private pending: Waiting[] = [];
  private flushing = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly recorder: DeliveryRecorder,
    private readonly owner: string,
    /** How long a delivery may wait for others to join its transaction. */
    private readonly lingerMs = 3,
    private readonly maxBatch = 500,
  ) {}

  /** Resolves once the delivery is committed: true, or false when this instance no longer held the lease. */
  add(item: Delivered): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatch) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.lingerMs);
    });
  }

  private async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, this.maxBatch);
        try {
          const recorded = await this.recorder.recordDelivered(this.owner, batch.map((w) => w.item));
          for (const w of batch) w.resolve(recorded.has(w.item.id));
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
