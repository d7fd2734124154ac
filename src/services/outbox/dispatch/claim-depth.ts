/**
 * How many claimed rows a dispatcher holds (in flight plus waiting to be sent), from how fast it sends.
 *
 * A claim costs a round trip and a commit whatever its size, and its answer can take tens of milliseconds
 * when the event loop is busy: on a fast system the rows held must cover that wait, or send slots stand
 * idle until the claim returns. On a slow system rows wait here under a lease that runs while they wait:
 * they should not be held much longer than a fraction of a second's sending. So the dispatcher aims at
 * about HOLD_SECONDS of sending at the recent rate, never fewer than 2x nor more than 8x its concurrency,
 * and claims once half of that is gone (each claim then takes at least a concurrency's worth of rows).
 */
export const HOLD_SECONDS = 0.25;

export function claimTarget(sendsPerSecond: number, concurrency: number): number {
  return Math.min(8 * concurrency, Math.max(2 * concurrency, Math.round(sendsPerSecond * HOLD_SECONDS)));
}

/** Completed sends per second over the last second, in four quarter-second buckets. */
export class SendRate {
  private readonly buckets = [0, 0, 0, 0];
  private bucketStart = 0;
  private current = 0;

  record(now = Date.now()): void {
    this.advance(now);
    this.buckets[this.current]++;
  }

  perSecond(now = Date.now()): number {
    this.advance(now);
    return this.buckets.reduce((a, b) => a + b, 0);
  }

  private advance(now: number): void {
    const steps = Math.floor((now - this.bucketStart) / 250);
    if (steps <= 0) return;
    for (let i = 0; i < Math.min(steps, 4); i++) {
      this.current = (this.current + 1) % 4;
      this.buckets[this.current] = 0;
    }
    this.bucketStart += steps * 250;
  }
}
