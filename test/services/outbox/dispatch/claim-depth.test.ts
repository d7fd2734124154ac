import { claimTarget, SendRate } from '../../../../src/services/outbox/dispatch/claim-depth';

describe('claimTarget', () => {
  it('holds about a quarter second of sending, between 2x and 8x the concurrency', () => {
    expect(claimTarget(0, 32)).toBe(64); // nothing sent yet: two rounds of slots
    expect(claimTarget(3, 32)).toBe(64); // a slow system: rows are not held under their lease for long
    expect(claimTarget(600, 32)).toBe(150);
    expect(claimTarget(4000, 32)).toBe(256); // a fast one: deep enough to cover a claim's latency, no deeper
    expect(claimTarget(4000, 4)).toBe(32);
  });
});

describe('SendRate', () => {
  it('counts the sends of the last second, forgetting older ones a quarter second at a time', () => {
    const rate = new SendRate();
    const t0 = 1_000_000;
    for (let i = 0; i < 100; i++) rate.record(t0 + i); // 100 sends in the first 100 ms
    expect(rate.perSecond(t0 + 200)).toBe(100);
    for (let i = 0; i < 50; i++) rate.record(t0 + 600 + i);
    expect(rate.perSecond(t0 + 900)).toBe(150);
    expect(rate.perSecond(t0 + 1_100)).toBe(50); // the first quarter second has gone by
    expect(rate.perSecond(t0 + 5_000)).toBe(0);
  });
});
