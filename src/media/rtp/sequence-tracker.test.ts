import { describe, it, expect } from 'vitest';
import { SequenceTracker } from './sequence-tracker.js';
import { JitterEstimator } from './jitter-estimator.js';

describe('SequenceTracker (RFC 3550 A.1, A.3)', () => {
  it('validates a source after two sequential packets and counts no loss in order', () => {
    const t = new SequenceTracker();
    expect(t.update(100)).toBe(false); // probation
    expect(t.valid).toBe(false);
    expect(t.update(101)).toBe(true);
    for (let s = 102; s < 200; s++) t.update(s);
    expect(t.received).toBe(99);
    expect(t.expected).toBe(99);
    expect(t.lost).toBe(0);
  });

  it('extends the sequence number across the 16-bit wrap', () => {
    const t = new SequenceTracker(1);
    for (let i = 0; i < 20; i++) t.update((65530 + i) & 0xffff);
    expect(t.extendedHighest).toBe(65530 + 19);
    expect(t.expected).toBe(20);
    expect(t.lost).toBe(0);
  });

  it('counts loss as expected − received and reports the interval fraction', () => {
    const t = new SequenceTracker(1);
    for (let s = 0; s < 100; s++) if (s % 10 !== 5) t.update(s);
    expect(t.expected).toBe(100);
    expect(t.received).toBe(90);
    expect(t.lost).toBe(10);
    expect(t.takeFractionLost()).toBe(Math.floor((10 * 256) / 100));
    for (let s = 100; s < 200; s++) t.update(s);
    expect(t.takeFractionLost()).toBe(0);
  });

  it('accepts reordered packets without a false wrap', () => {
    const t = new SequenceTracker(1);
    [1, 2, 4, 3, 5].forEach((s) => t.update(s));
    expect(t.extendedHighest).toBe(5);
    expect(t.lost).toBe(0);
  });

  it('resynchronizes after a large jump confirmed by two sequential packets', () => {
    const t = new SequenceTracker(1);
    for (let s = 0; s < 10; s++) t.update(s);
    expect(t.update(40000)).toBe(false);
    expect(t.update(40001)).toBe(true);
    t.update(40002);
    expect(t.expected).toBe(2);
    expect(t.received).toBe(2);
  });
});

describe('JitterEstimator (RFC 3550 A.8)', () => {
  it('is zero for perfectly paced packets, also across the timestamp wrap', () => {
    const j = new JitterEstimator(8000);
    let ts = 0xffffff00;
    for (let i = 0; i < 50; i++) {
      j.update(ts >>> 0, 1000 + i * 20);
      ts += 160;
    }
    expect(j.jitter).toBe(0);
  });

  it('converges to the mean absolute transit difference', () => {
    const j = new JitterEstimator(8000);
    // Alternate arrival offsets of 0 and +5 ms: |D| is always 40 units.
    for (let i = 0; i < 400; i++) j.update(i * 160, i * 20 + (i % 2 ? 5 : 0));
    expect(j.jitter).toBeGreaterThanOrEqual(39);
    expect(j.jitter).toBeLessThanOrEqual(40);
    expect(j.jitterMs).toBeCloseTo(5, 0);
  });
});
