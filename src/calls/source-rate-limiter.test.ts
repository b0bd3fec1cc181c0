import { describe, expect, it } from 'vitest';
import { SourceRateLimiter } from './source-rate-limiter.js';

describe('per-source rate limiter', () => {
  it('allows a burst, then the rate, per source', () => {
    let now = 0;
    const limiter = new SourceRateLimiter({ ratePerSecond: 10, burst: 5, now: () => now });
    const taken = Array.from({ length: 8 }, () => limiter.take('a'));
    expect(taken).toEqual([true, true, true, true, true, false, false, false]);
    expect(limiter.take('b')).toBe(true);
    now += 100; // one token refilled
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
  });

  it('keeps memory bounded under a flood of sources', () => {
    const limiter = new SourceRateLimiter({
      ratePerSecond: 1,
      burst: 1,
      maxSources: 100,
      now: () => 0,
    });
    for (let i = 0; i < 10_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
  });
});
