/** What became of one item of a batch: its answer (or an answer still to come), or its own error. */
export type Settled<O> = { value: O | PromiseLike<O> } | { error: unknown };

export interface GroupCommitOptions<I> {
  /** Batches run at the same time; an item that arrives while they all run waits for the next one. */
  inFlight: number;
  /** Items in one batch at most. */
  maxBatch: number;
  /** Items that must not share a batch (the same record, the same event): the later waits for the next. */
  keys?: (item: I) => string[];
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O | PromiseLike<O>) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items that arrive while earlier batches are under way are handed to `run` together, as
 * one batch, when one of those ends. An item that arrives when nothing runs starts a batch of its own at
 * once, so a quiet system waits for nothing; a busy one pays one round trip for many items instead of
 * one each. `run` answers each item in order: a value, or an error for that item alone.
 */
export class GroupCommit<I, O> {
  private readonly waiting: Waiting<I, O>[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<Settled<O>[]>,
    private readonly options: GroupCommitOptions<I>,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      // Started once the event loop has taken in what arrived with this item (setImmediate runs after
      // the I/O callbacks of this turn): callbacks that came in together are one batch, at the cost of
      // microseconds to one that came alone.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.start();
        });
      }
    });
  }

  private start(): void {
    while (this.running < this.options.inFlight && this.waiting.length > 0) {
      const batch = this.take();
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        this.start();
      });
    }
  }

  /** The first waiting items, up to maxBatch, skipping any that shares a key with one before it (it keeps its place). */
  private take(): Waiting<I, O>[] {
    const { keys, maxBatch } = this.options;
    if (!keys) return this.waiting.splice(0, maxBatch);
    const taken: Waiting<I, O>[] = [];
    const used = new Set<string>();
    for (let i = 0; i < this.waiting.length && taken.length < maxBatch;) {
      const own = keys(this.waiting[i].item);
      const blocked = own.some((k) => used.has(k));
      // A skipped item's keys are held too: no later item sharing one may overtake it.
      for (const k of own) used.add(k);
      if (blocked) i++;
      else taken.push(...this.waiting.splice(i, 1));
    }
    return taken;
  }

  private async runBatch(batch: Waiting<I, O>[]): Promise<void> {
    let settled: Settled<O>[];
    try {
      settled = await this.run(batch.map((w) => w.item));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const s = settled[i];
      if (!s) w.reject(new Error('group commit: the batch gave no answer for an item'));
      else if ('value' in s) w.resolve(s.value);
      else w.reject(s.error);
    });
  }
}
