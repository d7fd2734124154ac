import {
  breakerAllows,
  breakerOnFailure,
  breakerOnOutcome,
  breakerOnSuccess,
  CLOSED_BREAKER,
  type BreakerState,
} from '../../../../src/services/outbox/dispatch/circuit-breaker';
import { classifyHttpResponse, classifyTransportError } from '../../../../src/services/southbound/delivery-outcome';

const opts = { failureThreshold: 3, openMs: 30_000 };
const T0 = 1_000_000;

function failTimes(n: number, state: BreakerState = CLOSED_BREAKER, now = T0): BreakerState {
  let s = state;
  for (let i = 0; i < n; i++) s = breakerOnFailure(s, now, opts);
  return s;
}

describe('circuit breaker', () => {
  it('lets everything through while closed', () => {
    expect(breakerAllows(CLOSED_BREAKER, T0, opts)).toEqual({ allowed: true, state: CLOSED_BREAKER, trial: false });
  });

  it('counts failures below the threshold without opening', () => {
    const s = failTimes(2);
    expect(s).toEqual({ status: 'CLOSED', consecutiveFailures: 2 });
    expect(breakerAllows(s, T0, opts).allowed).toBe(true);
  });

  it('a success resets the count, so only consecutive failures open it', () => {
    const s = failTimes(2, breakerOnSuccess(failTimes(2)));
    expect(s).toEqual({ status: 'CLOSED', consecutiveFailures: 2 });
  });

  it('opens at the threshold and then lets nothing through until openMs has passed', () => {
    const open = failTimes(3);
    expect(open).toEqual({ status: 'OPEN', consecutiveFailures: 3, openedAt: T0 });
    expect(breakerAllows(open, T0 + 1, opts)).toEqual({ allowed: false, state: open, trial: false });
    expect(breakerAllows(open, T0 + 29_999, opts).allowed).toBe(false);
  });

  it('allows exactly one trial after openMs', () => {
    const open = failTimes(3);
    const first = breakerAllows(open, T0 + 30_000, opts);
    expect(first).toEqual({
      allowed: true,
      trial: true,
      state: { status: 'HALF_OPEN', consecutiveFailures: 3, openedAt: T0, trialInFlight: true, trialStartedAt: T0 + 30_000 },
    });
    expect(breakerAllows(first.state, T0 + 30_001, opts)).toEqual({ allowed: false, state: first.state, trial: false });
  });

  it('closes when the trial succeeds', () => {
    const trial = breakerAllows(failTimes(3), T0 + 30_000, opts).state;
    const closed = breakerOnSuccess(trial);
    expect(closed).toEqual({ status: 'CLOSED', consecutiveFailures: 0 });
    expect(breakerAllows(closed, T0 + 30_001, opts)).toEqual({ allowed: true, state: closed, trial: false });
  });

  it('re-opens for another openMs when the trial fails', () => {
    const trial = breakerAllows(failTimes(3), T0 + 30_000, opts).state;
    const reopened = breakerOnFailure(trial, T0 + 31_000, opts);
    expect(reopened).toEqual({ status: 'OPEN', consecutiveFailures: 4, openedAt: T0 + 31_000 });
    expect(breakerAllows(reopened, T0 + 60_999, opts).allowed).toBe(false);
    expect(breakerAllows(reopened, T0 + 61_000, opts)).toMatchObject({ allowed: true, trial: true });
  });

  it('does not push the re-opening out for late failures of requests sent before it opened', () => {
    const open = failTimes(3);
    expect(breakerOnFailure(open, T0 + 20_000, opts)).toEqual({ status: 'OPEN', consecutiveFailures: 4, openedAt: T0 });
  });

  it('replaces a trial whose outcome never came after another openMs', () => {
    const trial = breakerAllows(failTimes(3), T0 + 30_000, opts).state;
    expect(breakerAllows(trial, T0 + 59_999, opts).allowed).toBe(false);
    expect(breakerAllows(trial, T0 + 60_000, opts)).toMatchObject({ allowed: true, trial: true, state: { trialStartedAt: T0 + 60_000 } });
  });

  it('treats a threshold below 1 as 1', () => {
    expect(breakerOnFailure(CLOSED_BREAKER, T0, { failureThreshold: 0, openMs: 10 }).status).toBe('OPEN');
  });

  describe('breakerOnOutcome', () => {
    const now = new Date(T0);

    it('counts transient failures: 5xx, 429, timeouts, connection failures', () => {
      let s = CLOSED_BREAKER;
      s = breakerOnOutcome(s, classifyHttpResponse(503, {}, '', now), T0, opts);
      s = breakerOnOutcome(s, classifyHttpResponse(429, {}, '', now), T0, opts);
      expect(s).toEqual({ status: 'CLOSED', consecutiveFailures: 2 });
      s = breakerOnOutcome(s, classifyTransportError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), T0, opts);
      expect(s).toEqual({ status: 'OPEN', consecutiveFailures: 3, openedAt: T0 });
    });

    it('does not count permanent 4xx: the system answered, so it is up', () => {
      let s = failTimes(2);
      for (const status of [400, 401, 404, 409, 422]) {
        s = breakerOnOutcome(s, classifyHttpResponse(status, {}, '', now), T0, opts);
        expect(s).toEqual({ status: 'CLOSED', consecutiveFailures: 0 });
      }
      const trial = breakerAllows(failTimes(3), T0 + 30_000, opts).state;
      expect(breakerOnOutcome(trial, classifyHttpResponse(422, {}, '', now), T0, opts)).toEqual({
        status: 'CLOSED',
        consecutiveFailures: 0,
      });
    });

    it('closes on delivery', () => {
      expect(breakerOnOutcome(failTimes(2), { kind: 'DELIVERED' }, T0, opts)).toEqual({ status: 'CLOSED', consecutiveFailures: 0 });
    });
  });
});
