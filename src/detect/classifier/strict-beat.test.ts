import { describe, expect, it } from 'vitest';
import { DEFAULT_BEAT_MS, DEFAULT_BEAT_PERIODICITY, StrictBeat } from './strict-beat.js';

/** Feeds `frames` frames of `periodicity` from `fromMs`; returns what the last one answered. */
function run(b: StrictBeat, frames: number, periodicity: number, fromMs: number): boolean {
  let sustained = false;
  for (let i = 0; i < frames; i++) sustained = b.push(periodicity, fromMs + 20 * i);
  return sustained;
}

describe('StrictBeat', () => {
  const frames = DEFAULT_BEAT_MS / 20;

  it('says a beat at or above the periodicity is sustained once it has lasted beatMs', () => {
    const b = new StrictBeat();
    expect(run(b, frames - 1, DEFAULT_BEAT_PERIODICITY, 1000)).toBe(false);
    expect(b.push(DEFAULT_BEAT_PERIODICITY, 1000 + 20 * (frames - 1))).toBe(true);
    expect(b.sustained).toBe(true);
    expect(b.startMs).toBe(1000);
  });

  it('starts over after one frame under the periodicity, from that run’s first frame', () => {
    const b = new StrictBeat();
    run(b, frames - 1, 0.9, 0);
    expect(b.push(DEFAULT_BEAT_PERIODICITY - 0.01, 20 * (frames - 1))).toBe(false);
    expect(run(b, frames - 1, 0.9, 5000)).toBe(false);
    expect(run(b, 1, 0.9, 5000 + 20 * (frames - 1))).toBe(true);
    expect(b.startMs).toBe(5000);
  });

  it('takes its options, never holds above a periodicity of 1, and resets', () => {
    const short = new StrictBeat({ periodicity: 0.5, beatMs: 100 });
    expect(run(short, 5, 0.5, 0)).toBe(true);
    short.reset();
    expect(short.sustained).toBe(false);
    expect(short.startMs).toBe(0);
    expect(run(new StrictBeat({ periodicity: 1.01 }), 500, 1, 0)).toBe(false);
  });
});
