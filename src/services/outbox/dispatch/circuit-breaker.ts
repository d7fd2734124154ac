/**
 * Per external system, shared by every instance (shared-breakers.ts keeps it in the database).
 * CLOSED: send freely. OPEN: send nothing until `openMs` has passed since `openedAt`. HALF_OPEN: one
 * trial request is out (one instance holds it); its outcome closes or re-opens the breaker, and a trial
 * whose outcome never came is replaced after another openMs. Only transient failures (5xx, 408, 429,
 * timeouts, connection failures) count, `failureThreshold` consecutive ones open it; any answer from a
 * system that is up (a delivery, a permanent 4xx) closes it. Queued work is never failed by the breaker:
 * it only waits.
 */
export interface BreakerState {
  status: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  consecutiveFailures: number;
  openedAt?: number;
  trialInFlight?: boolean;
  /** When the current trial was let through. */
  trialStartedAt?: number;
}

export interface BreakerOptions {
  failureThreshold: number;
  openMs: number;
}

export const CLOSED_BREAKER: BreakerState = { status: 'CLOSED', consecutiveFailures: 0 };
