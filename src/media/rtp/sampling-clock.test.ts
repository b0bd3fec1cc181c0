import { describe, expect, it } from 'vitest';
import { SamplingClock } from './sampling-clock.js';

const SSRC = 0x1234;

/** Feeds 20 ms G.711 frames (160 timestamp units) and returns the call times. */
function place(
  clock: SamplingClock,
  frames: readonly (readonly [ts: number, arrivalMs: number])[],
) {
  return frames.map(([ts, arrival]) => clock.callTimeMs(ts >>> 0, SSRC, arrival));
}

describe('SamplingClock (RFC 3550 §5.1 sampling instant, §6.4.1 transit)', () => {
  it('places a steady stream by its timestamps, whatever the jitter', () => {
    const clock = new SamplingClock();
    const jitter = [0, 7, 3, 15, 1, 9];
    const times = place(
      clock,
      jitter.map((j, i) => [1000 + i * 160, 40 + i * 20 + j]),
    );
    expect(times).toEqual([40, 60, 80, 100, 120, 140]);
  });

  it('places a late burst after a stalled sender where it was sampled, not where it arrived', () => {
    const clock = new SamplingClock();
    const frames: [number, number][] = [];
    for (let i = 0; i < 50; i++) frames.push([i * 160, 100 + i * 20]); // 0–1 s on time
    // The sender stalls 600 ms, then sends the 30 frames it owes within 5 ms.
    for (let i = 50; i < 80; i++) frames.push([i * 160, 100 + 80 * 20 + (i - 50) * 0.2]);
    for (let i = 80; i < 100; i++) frames.push([i * 160, 100 + i * 20 + 1]);
    const times = place(clock, frames);
    times.forEach((t, i) => {
      expect(t, `frame ${i}`).toBe(100 + i * 20);
    });
  });

  it('moves the anchor earlier when a packet needed less transit than the first', () => {
    const clock = new SamplingClock();
    // The first packet was held up 80 ms; the second shows the real transit.
    expect(
      place(clock, [
        [0, 180],
        [160, 120],
        [320, 140],
        [480, 165],
      ]),
    ).toEqual([180, 120, 140, 160]);
  });

  it('re-anchors at a new SSRC, a backward timestamp jump and a forward one', () => {
    const clock = new SamplingClock();
    place(clock, [
      [5000, 100],
      [5160, 120],
    ]);
    expect(clock.callTimeMs(900_000, 0x9999, 140)).toBe(140); // new source
    expect(clock.callTimeMs(900_160, 0x9999, 160)).toBe(160);
    expect(clock.callTimeMs(10, 0x9999, 180)).toBe(180); // timestamp restarted (backward)
    expect(clock.callTimeMs(170, 0x9999, 200)).toBe(200);
    expect(clock.callTimeMs(800_170, 0x9999, 220)).toBe(220); // jumped 100 s ahead
    expect(clock.callTimeMs(800_330, 0x9999, 240)).toBe(240);
  });

  it('keeps the place of a silence the sender did not send (DTX), and follows the timestamp wrap', () => {
    const clock = new SamplingClock();
    const start = 0xffffffff - 320;
    // 2 frames, then 3 s of suppressed silence, across the 32-bit wrap.
    const times = place(clock, [
      [start, 0],
      [start + 160, 20],
      [start + 160 + 24_000, 3020],
      [start + 320 + 24_000, 3040],
    ]);
    expect(times).toEqual([0, 20, 3020, 3040]);
  });

  it('does not believe a continuous timestamp beyond the late limit, nor a late one that jumps', () => {
    const clock = new SamplingClock();
    place(clock, [
      [0, 0],
      [160, 20],
    ]);
    // Continuous, 2.5 s late: a sender clock far too slow; placed at arrival.
    expect(clock.callTimeMs(320, SSRC, 2540)).toBe(2540);
    // 300 ms late with a timestamp 1.5 s after the last: not a continuation; placed at arrival.
    expect(clock.callTimeMs(320 + 160 + 12_000, SSRC, 2560 + 1500 + 300)).toBe(4360);
    // Reordered by one packet, a little late: stays where its timestamp says.
    expect(clock.callTimeMs(320 + 160 + 12_000 - 160, SSRC, 4365)).toBe(4340);
  });
  it('follows a sender clock that runs slow, so its frames are not placed early', () => {
    // A phone whose sampling clock is slow sends 160 timestamp units every 20 ms of its own time,
    // which is longer than 20 ms of ours: each frame arrives later than its timestamp predicts.
    for (const [ppm, boundMs] of [
      [100, 1],
      [1000, 6],
      [30_000, 160],
    ] as const) {
      const clock = new SamplingClock();
      const period = 20 / (1 - ppm / 1e6);
      let worst = 0;
      for (let i = 0; i < 30_000; i++) {
        // 10 minutes, with up to 15 ms of jitter on top.
        const sampled = 1000 + i * period;
        const arrival = sampled + 5 + ((i * 7919) % 16);
        const placed = clock.callTimeMs(i * 160, SSRC, arrival);
        if (i > 300) worst = Math.max(worst, Math.abs(placed - (sampled + 5)));
      }
      expect(worst, `${ppm} ppm slow`).toBeLessThanOrEqual(boundMs);
    }
  });

  it('follows a capture stall that went on with continuous timestamps', () => {
    const clock = new SamplingClock();
    // 2 s on time, then the sender's audio stops for 700 ms and resumes where its count stopped:
    // every later frame arrives 700 ms after its timestamp predicts.
    const frames: [number, number][] = [];
    for (let i = 0; i < 100; i++) frames.push([i * 160, i * 20]);
    for (let i = 100; i < 500; i++) frames.push([i * 160, i * 20 + 700]);
    const times = place(clock, frames);
    // Within the window the late frames are believed early, as before ...
    expect(times[150]).toBe(3000);
    // ... and once every packet of 4 whole blocks (1 s each) came late, at most 5 s after the
    // stall, they are placed at their sampling instant again.
    expect(times.slice(351)).toEqual(frames.slice(351).map(([, arrival]) => arrival));
  });

  it('does not move the anchor for congestion shorter than the window', () => {
    const clock = new SamplingClock();
    const frames: [number, number][] = [];
    for (let i = 0; i < 600; i++) {
      // 3 s of a path 150 ms slower, in the middle of 12 s.
      const congested = i >= 200 && i < 350;
      frames.push([i * 160, 40 + i * 20 + (congested ? 150 : (i * 13) % 9)]);
    }
    const times = place(clock, frames);
    times.forEach((t, i) => {
      expect(t, `frame ${i}`).toBe(40 + i * 20);
    });
  });
});
