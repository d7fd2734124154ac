/** How many callbacks a system may make: `rate` per second on average, `burst` at once. */
export interface CallbackRateOptions {
  rate: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per external system (in this instance): each callback takes one token, tokens come
 * back at `rate` per second up to `burst`. Buckets are separate, so one system's flood never uses up
 * another's; keys are the ids of authenticated systems only, so the map stays as small as the table.
 */
export class CallbackRate {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: CallbackRateOptions) {}

  /** Takes a token for the system; when none is left, how many seconds until one is (for Retry-After). */
  take(systemId: string, now = Date.now()): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const { rate, burst } = this.options;
    const bucket = this.buckets.get(systemId) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(systemId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rate)) };
  }
}
