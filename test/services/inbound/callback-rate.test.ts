import { CallbackRate } from '../../../src/services/inbound/callback-rate';

describe('CallbackRate: a token bucket per system', () => {
  it('lets a burst through at once, then refuses with the seconds until a token is back', () => {
    const rate = new CallbackRate({ rate: 2, burst: 3 });
    const at = 1_000_000;
    expect([1, 2, 3].map(() => rate.take('a', at).allowed)).toEqual([true, true, true]);
    expect(rate.take('a', at)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at the rate, never beyond the burst', () => {
    const rate = new CallbackRate({ rate: 2, burst: 3 });
    const at = 1_000_000;
    for (let i = 0; i < 3; i++) rate.take('a', at);
    expect(rate.take('a', at + 500).allowed).toBe(true);
    expect(rate.take('a', at + 500).allowed).toBe(false);
    // An hour of silence fills the bucket to the burst, not to 7,200.
    const later = at + 3_600_000;
    expect([1, 2, 3, 4].map(() => rate.take('a', later).allowed)).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per system: one system flooding leaves another its whole burst', () => {
    const rate = new CallbackRate({ rate: 1, burst: 2 });
    for (let i = 0; i < 10; i++) rate.take('flooding', 0);
    expect([rate.take('other', 0).allowed, rate.take('other', 0).allowed, rate.take('other', 0).allowed]).toEqual([true, true, false]);
  });

  it('a slow rate says so in Retry-After', () => {
    const rate = new CallbackRate({ rate: 0.1, burst: 1 });
    rate.take('a', 0);
    expect(rate.take('a', 0)).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });
});
