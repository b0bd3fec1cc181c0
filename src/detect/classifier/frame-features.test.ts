import { describe, it, expect } from 'vitest';
import { DRIFT_CAP, FrameFeatures } from './frame-features.js';

/** Feeds `frames` frames of sample generator `g(n)` (n = absolute sample index) and returns f. */
function run(g: (n: number) => number, frames = 10): FrameFeatures {
  const f = new FrameFeatures();
  const pcm = new Int16Array(160);
  for (let k = 0; k < frames; k++) {
    for (let i = 0; i < 160; i++) pcm[i] = Math.round(g(k * 160 + i) * 32767);
    f.push(pcm);
  }
  return f;
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe('FrameFeatures golden values', () => {
  it('pure 1 kHz tone at half scale: −6 dBFS, one persistent aged peak, very low flatness', () => {
    const f = run((n) => 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 8000), 30);
    expect(f.energyDb).toBeGreaterThan(-6.6);
    expect(f.energyDb).toBeLessThan(-5.4);
    expect(f.peakCount).toBe(1);
    expect(f.persistence).toBe(1);
    expect(f.peakAge).toBeCloseTo(29 / 50, 1);
    expect(f.flatness).toBeLessThan(0.01);
    expect(f.flux).toBeLessThan(0.05);
  });

  it('pitch drift: a held 1 kHz tone stays put (≈ 0 %/frame), a 2 %/frame glide reads ≈ 2', () => {
    const held = run((n) => 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 8000), 30);
    expect(held.pitchDrift).toBeLessThan(0.05);
    // f(t) = 1000·1.01^(t/10 ms): 2.01 % per 20 ms frame; phase = 2π∫f.
    const r = 1.01 ** (1 / 80);
    const glide = run(
      (n) => 0.5 * Math.sin((2 * Math.PI * 1000 * (r ** n - 1)) / Math.log(r) / 8000),
      30,
    );
    expect(glide.pitchDrift).toBeGreaterThan(1.5);
    expect(glide.pitchDrift).toBeLessThan(2.6);
  });
  it('white noise: flatness of a single periodogram (≈ e^−γ ≈ 0.56), high flux, few lasting peaks', () => {
    const r = lcg(7);
    const f = run(() => (r() - 0.5) * 0.5, 30);
    expect(f.flatness).toBeGreaterThan(0.45);
    expect(f.flatness).toBeLessThan(0.7);
    expect(f.flux).toBeGreaterThan(0.5);
    expect(f.peakAge).toBeLessThan(0.15);
  });

  it('a C major chord (523, 659, 784 Hz): three persistent peaks, low flatness', () => {
    const f = run(
      (n) =>
        0.2 *
        (Math.sin((2 * Math.PI * 523.25 * n) / 8000) +
          Math.sin((2 * Math.PI * 659.26 * n) / 8000) +
          Math.sin((2 * Math.PI * 783.99 * n) / 8000)),
      20,
    );
    expect(f.peakCount).toBe(3);
    expect(f.persistence).toBe(1);
    expect(f.flatness).toBeLessThan(0.05);
  });

  it('centroid: a pure tone sits at its own bin, (f / 31.25 − 10) / 98 of the band', () => {
    for (const hz of [500, 1000, 2500]) {
      const f = run((n) => 0.5 * Math.sin((2 * Math.PI * hz * n) / 8000), 5);
      expect(f.centroid).toBeCloseTo((hz / 31.25 - 10) / 98, 2);
    }
    // Two tones of equal power: the balance point halfway between them.
    const pair = run(
      (n) =>
        0.3 *
        (Math.sin((2 * Math.PI * 500 * n) / 8000) + Math.sin((2 * Math.PI * 2500 * n) / 8000)),
      5,
    );
    expect(pair.centroid).toBeCloseTo((1500 / 31.25 - 10) / 98, 2);
  });

  it('digital silence: the floor energy (99 bins at −90 dB = −70.04 dB), no peaks, flatness 1', () => {
    const f = run(() => 0, 5);
    expect(f.energyDb).toBeCloseTo(10 * Math.log10(99e-9), 6);
    expect(f.peakCount).toBe(0);
    expect(f.persistence).toBe(0);
    expect(f.flatness).toBeCloseTo(1, 6);
    expect(f.flux).toBe(0);
    expect(f.pitchDrift).toBe(DRIFT_CAP);
  });

  it('gives a 160-sample frame (copied whole) the features of the same samples in a longer one', () => {
    const rand = lcg(3);
    const whole = new FrameFeatures();
    const longer = new FrameFeatures();
    const frame = new Int16Array(160);
    const padded = new Int16Array(200);
    const fields = (f: FrameFeatures) => [
      f.energyDb,
      f.flatness,
      f.persistence,
      f.peakAge,
      f.pitchDrift,
      f.peakCount,
      f.flux,
      f.centroid,
    ];
    for (let k = 0; k < 20; k++) {
      for (let i = 0; i < 160; i++) {
        const n = k * 160 + i;
        frame[i] = Math.round(
          9000 * Math.sin((2 * Math.PI * 440 * n) / 8000) + 4000 * (rand() - 0.5),
        );
      }
      padded.set(frame);
      padded.fill(12345, 160);
      whole.push(frame);
      longer.push(padded);
      expect(fields(whole)).toEqual(fields(longer));
    }
  });

  it('reset forgets history (peak age restarts)', () => {
    const f = run((n) => 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 8000), 30);
    f.reset();
    const pcm = new Int16Array(160);
    for (let i = 0; i < 160; i++)
      pcm[i] = Math.round(16000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
    f.push(pcm);
    expect(f.peakAge).toBeLessThanOrEqual(1 / 50);
  });
});
