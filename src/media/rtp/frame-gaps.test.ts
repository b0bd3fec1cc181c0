import { describe, expect, it } from 'vitest';
import { FrameGaps } from './frame-gaps.js';

/** `lostBefore` of each [timestamp, ssrc] in turn, 160-sample frames. */
const feed = (g: FrameGaps, frames: readonly (readonly [number, number])[]): number[] =>
  frames.map(([ts, ssrc]) => g.lostBefore(ts, 160, ssrc));

describe('FrameGaps (RFC 3550 §5.1 timestamps)', () => {
  it('counts the frames missing between continuing timestamps', () => {
    const g = new FrameGaps();
    expect(
      feed(g, [
        [1000, 7],
        [1160, 7],
        [1480, 7], // one lost
        [1640, 7],
        [2280, 7], // three lost
        [2440, 7],
      ]),
    ).toEqual([0, 0, 1, 0, 3, 0]);
  });

  it('a short frame is no loss: the next continues after its samples (field notes: 12 samples)', () => {
    const g = new FrameGaps();
    expect([
      g.lostBefore(160, 160, 7),
      g.lostBefore(320, 12, 7),
      g.lostBefore(332, 160, 7),
    ]).toEqual([0, 0, 0]);
    expect(g.lostBefore(652, 160, 7)).toBe(1);
  });

  it('a packet reordered behind its successor or duplicated is late; its successor counted it lost', () => {
    const g = new FrameGaps();
    expect(
      feed(g, [
        [0, 7],
        [320, 7], // 160 not yet here: lost, as far as anyone knows
        [160, 7], // … and then it comes: late
        [320, 7], // a duplicate
        [480, 7],
      ]),
    ).toEqual([0, 1, -1, -1, 0]);
  });

  it('a gap over 200 ms, a jump back or a new SSRC is a new start, not loss', () => {
    const g = new FrameGaps();
    const maxGap = (FrameGaps.MAX_CONCEALED_MS / 20) * 160;
    expect(
      feed(g, [
        [0, 7],
        [160 + maxGap, 7], // 10 frames lost: the most counted
        [480 + 2 * maxGap, 7], // 11: a stall or silence suppression
        [640 + 2 * maxGap, 7],
        [0, 7], // far back: a jump of the timestamp
        [160, 7],
        [9_999_999, 8], // another source
        [9_999_999 + 320, 8],
      ]),
    ).toEqual([0, 10, 0, 0, 0, 0, 0, 1]);
  });

  it('takes timestamps across the 32-bit wrap', () => {
    const g = new FrameGaps();
    expect(
      feed(g, [
        [0xffff_ff60, 7],
        [0, 7], // 0xffff_ff60 + 160 wraps to 0
        [320, 7],
      ]),
    ).toEqual([0, 0, 1]);
  });
});
