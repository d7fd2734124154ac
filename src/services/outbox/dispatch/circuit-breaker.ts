import type { DeliveryOutcome } from '../../southbound/delivery-outcome';

/**
 * Per external system. CLOSED: send freely. OPEN: send nothing until `openMs` has passed since
 * `openedAt`. HALF_OPEN: one trial request is out; its outcome closes or re-opens the breaker.
 * Queued work is never failed by the breaker: it only waits.
 */
export interface BreakerState {
  status: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  consecutiveFailures: number;
  openedAt?: number;
  trialInFlight?: boolean;
  /** When the current trial was let through; a trial whose outcome never came is replaced after openMs. */
  trialStartedAt?: number;
}

export interface BreakerOptions {
  failureThreshold: number;
  openMs: number;
}

export const CLOSED_BREAKER: BreakerState = { status: 'CLOSED', consecutiveFailures: 0 };

function opened(state: BreakerState, now: number): BreakerState {
  return { status: 'OPEN', consecutiveFailures: state.consecutiveFailures + 1, openedAt: now };
}

/** May a request go out now? A granted trial is recorded in the returned state (`trial: true`). */
export function breakerAllows(
  state: BreakerState,
  now: number,
  opts: BreakerOptions,
): { allowed: boolean; state: BreakerState; trial: boolean } {
  const trial = (): { allowed: boolean; state: BreakerState; trial: boolean } => ({
    allowed: true,
    trial: true,
    state: { ...state, status: 'HALF_OPEN', trialInFlight: true, trialStartedAt: now },
  });
  switch (state.status) {
    case 'CLOSED':
      return { allowed: true, state, trial: false };
    case 'OPEN':
      return now - (state.openedAt ?? now) >= opts.openMs ? trial() : { allowed: false, state, trial: false };
    case 'HALF_OPEN': {
      // The trial's outcome can be lost (the sender crashed or gave the request back unsent); without
      // this the breaker would stay half-open, sending nothing, for ever.
      const stale = state.trialStartedAt !== undefined && now - state.trialStartedAt >= opts.openMs;
      return !state.trialInFlight || stale ? trial() : { allowed: false, state, trial: false };
    }
  }
}

/** A response from the system: it is alive, whatever the trial or the count of failures said. */
export function breakerOnSuccess(_state: BreakerState): BreakerState {
  return { ...CLOSED_BREAKER };
}

/**
 * A transient failure (5xx, 408, 429, timeout, connection). The threshold-th consecutive one opens
 * the breaker; a failed trial re-opens it for another openMs. A failure arriving while already open
 * (a request sent before it opened) is counted but does not push the re-opening further out.
 */
export function breakerOnFailure(state: BreakerState, now: number, opts: BreakerOptions): BreakerState {
  switch (state.status) {
    case 'HALF_OPEN':
      return opened(state, now);
    case 'OPEN':
      return { ...state, consecutiveFailures: state.consecutiveFailures + 1 };
    case 'CLOSED':
      return state.consecutiveFailures + 1 >= Math.max(1, opts.failureThreshold)
        ? opened(state, now)
        : { status: 'CLOSED', consecutiveFailures: state.consecutiveFailures + 1 };
  }
}

/**
 * Feeds a classified outcome to the breaker. Only transient failures count: a permanent failure (400,
 * 401, 404, 409, 422, ...) is an answer from a system that is up and deciding, so it must not stop
 * traffic to it. It counts as a sign of health instead, like a delivery.
 */
export function breakerOnOutcome(state: BreakerState, outcome: DeliveryOutcome, now: number, opts: BreakerOptions): BreakerState {
  return outcome.kind === 'TRANSIENT' ? breakerOnFailure(state, now, opts) : breakerOnSuccess(state);
}
