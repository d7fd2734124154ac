import type { Delivered, DeliveryRecorder } from './delivery-recorder';

interface Waiting {
  item: Delivered;
  resolve: (recorded: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for deliveries: deliveries that complete within `lingerMs` of each other, or while
 * earlier batches are being written, are written together in one set-based transaction. Under load
 * this turns hundreds of small transactions into a few; up to `writers` batches are written at once
 * (PostgreSQL has a pool; the embedded database has one connection and takes one).
 */
export class DeliveryBatch {
  private pending: Waiting[] = [];
  private writing = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly recorder: DeliveryRecorder,
    private readonly owner: string,
    private readonly writers = 1,
    /** How long a delivery may wait for others to join its transaction. */
    private readonly lingerMs = 5,
    private readonly maxBatch = 500,
  ) {}

  /** Resolves once the delivery is committed: true, or false when this instance no longer held the lease. */
  add(item: Delivered): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.writing < this.writers && this.pending.length) void this.write(this.pending.splice(0, this.maxBatch));
  }

  private async write(batch: Waiting[]): Promise<void> {
    this.writing++;
    try {
      const recorded = await this.recorder.recordDelivered(
        this.owner,
        batch.map((w) => w.item),
      );
      for (const w of batch) w.resolve(recorded.has(w.item.id));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.writing--;
      // What arrived while this batch was written goes next, without lingering again.
      if (this.pending.length) this.flush();
    }
  }
}
