import { describe, it, expect } from 'vitest';
import {
  BEAT_LAG_MAX,
  BEAT_LAG_MIN,
  FEATURE_NAMES,
  GAP_DB,
  LONG_FRAMES,
  WindowFeatures,
} from './window-features.js';

/** Feeds `seconds` of generator `g(n)` (n = sample index, value −1…1); returns the features. */
function run(g: (n: number) => number, seconds: number): Record<string, number> {
  const w = new WindowFeatures();
  const pcm = new Int16Array(160);
  let x: Float64Array = w.vector;
  for (let k = 0; k < seconds * 50; k++) {
    for (let i = 0; i < 160; i++) pcm[i] = Math.round(g(k * 160 + i) * 32767);
    x = w.push(pcm);
  }
  return Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, x[i]!]));
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const tone = (n: number): number => 0.3 * Math.sin((2 * Math.PI * 700 * n) / 8000);
/** "Speech-like" bursts: 300 ms of the tone, 200 ms of digital silence, every 0.5 s. */
const toneBursts = (n: number): number => (n % 4000 < 2400 ? tone(n) : 0);

describe('WindowFeatures golden values', () => {
  it('a steady tone: no energy range, no gaps, persistent and still', () => {
    const f = run(tone, 4);
    expect(f.range3).toBeCloseTo(0, 6);
    expect(f.gapFrac3).toBe(0);
    expect(f.gapDepth3).toBe(0);
    expect(f.persistence3).toBeGreaterThan(0.95);
    expect(f.pitchDrift3).toBeLessThan(0.02);
    expect(f.energyStd3).toBeLessThan(0.01);
  });
  it('"speech-like" bursts: 300 ms tone, 200 ms digital silence → 40 % gaps, deep, flat', () => {
    const f = run(toneBursts, 6);
    // 10 of every 25 frames are silent; the frame after each burst still holds tone (overlap).
    expect(f.gapFrac3).toBeGreaterThan(0.33);
    expect(f.gapFrac3).toBeLessThan(0.41);
    // Silence sits at the −70 dB floor, the tone near −13.5 dB: depth capped at 40 dB (÷10).
    expect(f.gapDepth3).toBeGreaterThan(3.5);
    expect(f.gapDepth3).toBeLessThanOrEqual(4);
    expect(f.gapFlatness3).toBeGreaterThan(0.7);
    expect(f.range3).toBeGreaterThan(5);
  });
  it('the same bursts filled with in-band noise about 3 dB down: no gaps (a bed under the voice)', () => {
    const r = lcg(3);
    const f = run((n) => (n % 4000 < 2400 ? tone(n) : 0.6 * (r() - 0.5)), 6);
    expect(3).toBeLessThan(GAP_DB);
    expect(f.gapFrac3).toBeLessThan(0.05);
    expect(f.range3).toBeLessThan(1.5);
  });
  it('the 0.5 s onset window follows a bursts → steady tone change within 25 frames', () => {
    // 6 s of 300 ms tone / 200 ms silence bursts, then 0.6 s (30 frames) of the steady tone.
    const change = 6 * 8000;
    const f = run((n) => (n >= change || n % 4000 < 2400 ? tone(n) : 0), 6.6);
    // The onset window holds only steady tone: no gaps, one persistent peak, a still level.
    expect(f.gapFrac05).toBe(0);
    expect(f.persistence05).toBeGreaterThan(0.95);
    expect(f.energyDelta05).toBeLessThan(0.01);
    // Its 1 s and 3 s counterparts still see the bursts.
    expect(f.gapFrac1).toBeGreaterThan(0.1);
    expect(f.gapFrac3).toBeGreaterThan(0.25);
    // During the bursts the onset window sees their gaps (10 or 11 of its 25 frames).
    const b = run(toneBursts, 6);
    expect(b.gapFrac05).toBeGreaterThan(0.3);
    expect(b.gapFrac05).toBeLessThan(0.45);
    expect(b.energyDelta05).toBeGreaterThan(0.1);
  });
  it('periodicity: bursts every 0.5 s are a strict beat, bursts at random intervals are not', () => {
    const beat = run(toneBursts, 6);
    expect(beat.periodicity3).toBeGreaterThan(0.9);
    // Syllable-like bursts: 60–300 ms of tone after 60–500 ms of silence, irregular.
    const r = lcg(11);
    const on = new Uint8Array(6 * 8000);
    for (let at = 0; at < on.length;) {
      at += Math.floor((0.06 + 0.44 * r()) * 8000);
      const len = Math.floor((0.06 + 0.24 * r()) * 8000);
      on.fill(1, at, Math.min(on.length, at + len));
      at += len;
    }
    const irregular = run((n) => (on[n] ? tone(n) : 0), 6);
    expect(irregular.periodicity3).toBeLessThan(0.5);
    // No onsets at all (a steady tone): no beat.
    expect(run(tone, 4).periodicity3).toBe(0);
  });
  it('periodicity equals the autocorrelation of energy rises recomputed over the 3 s window', () => {
    const r = lcg(5);
    const w = new WindowFeatures();
    const pcm = new Int16Array(160);
    const rises: number[] = [];
    let last = 0;
    let x: Float64Array = w.vector;
    for (let k = 0; k < 400; k++) {
      const a = r() < 0.3 ? 0.4 * r() : 0.01;
      for (let i = 0; i < 160; i++)
        pcm[i] = Math.round(a * Math.sin((2 * Math.PI * 700 * i) / 8000) * 32767);
      x = w.push(pcm);
      const e = Math.max(-90, w.frame.energyDb);
      rises.push(k === 0 ? 0 : Math.min(12, Math.max(0, e - last)));
      last = e;
    }
    const o = rises.slice(-LONG_FRAMES);
    const n = o.length;
    const m = o.reduce((s, v) => s + v, 0) / n;
    const v = o.reduce((s, u) => s + u * u, 0) / n - m * m;
    let best = 0;
    for (let L = BEAT_LAG_MIN; L <= BEAT_LAG_MAX; L++) {
      let s = 0;
      for (let t = L; t < n; t++) s += o[t]! * o[t - L]!;
      best = Math.max(best, (s / (n - L) - m * m) / v);
    }
    expect(x[FEATURE_NAMES.indexOf('periodicity3')]).toBeCloseTo(Math.min(1, best), 9);
  });
  it('centroid spread: a held tone is still, voiced/fricative-like alternation swings it', () => {
    expect(run(tone, 4).centroidSpread3).toBeLessThan(0.001);
    // 500 Hz and 2500 Hz (centroids 0.0612 and 0.7143) alternating every 100 ms (5 frames): the
    // spread of a two-valued series is half their distance, 0.3265, less the mixed frames.
    const swing = run(
      (n) => 0.3 * Math.sin((2 * Math.PI * ((n / 800) % 2 < 1 ? 500 : 2500) * n) / 8000),
      4,
    );
    expect(swing.centroidSpread1).toBeGreaterThan(0.28);
    expect(swing.centroidSpread1).toBeLessThan(0.3266);
    expect(swing.centroidSpread3).toBeGreaterThan(0.28);
    // Gaps do not count: the same tone in 300 ms bursts with silent gaps is still still.
    expect(run(toneBursts, 6).centroidSpread3).toBeLessThan(0.02);
  });
  it('what sounds: tone bursts are tonal and lasting, noise bursts flat, whatever fills the gaps', () => {
    const bursts = run(toneBursts, 6);
    // Each burst's first frame starts its peak (not yet persistent): about 13 of 15 persist.
    expect(bursts.soundPersistence3).toBeGreaterThan(0.8);
    expect(bursts.soundFlatness3).toBeLessThan(0.05);
    // The window as a whole is not: its silent gaps are flat and peakless.
    expect(bursts.flatness3).toBeGreaterThan(0.3);
    expect(bursts.persistence3).toBeLessThan(0.7);
    const r = lcg(9);
    const hits = run((n) => (n % 4000 < 2400 ? 0.6 * (r() - 0.5) : 0), 6);
    expect(hits.soundFlatness3).toBeGreaterThan(0.45);
    expect(hits.soundPersistence3).toBeLessThan(bursts.soundPersistence3! - 0.15);
  });
  it('reset forgets the windows', () => {
    const w = new WindowFeatures();
    const pcm = new Int16Array(160).fill(8000);
    for (let k = 0; k < 200; k++) w.push(pcm);
    w.reset();
    const x = w.push(new Int16Array(160));
    expect(x[FEATURE_NAMES.indexOf('range3')]).toBe(0);
    expect(x[FEATURE_NAMES.indexOf('gapFrac3')]).toBe(0);
    expect(x[FEATURE_NAMES.indexOf('gapFrac05')]).toBe(0);
    expect(x[FEATURE_NAMES.indexOf('energyDelta05')]).toBe(0);
  });
});
