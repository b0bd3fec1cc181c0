import { describe, expect, it } from 'vitest';
import {
  TAP_FLAG_UNRECORDABLE,
  TapReader,
  TapRingWriter,
  createTapRingBuffer,
} from './tap-ring.js';

describe('tap ring (SPSC over SharedArrayBuffer)', () => {
  it('delivers frames in order with metadata, zero-fills short frames, counts drops when full', () => {
    const sab = createTapRingBuffer(3); // rounded up to 4
    const w = new TapRingWriter(sab);
    const r = new TapReader(sab);
    expect(r.capacity).toBe(4);
    const pcm = new Int16Array(160);
    for (let f = 0; f < 6; f++) {
      pcm.fill(f + 1);
      w.write(pcm, f === 1 ? 12 : 160, 1000 + f * 160, 5.5 + f, 0xabc);
    }
    expect(r.available).toBe(4);
    expect(r.dropped).toBe(2);
    const out = new Int16Array(160);
    const m0 = r.read(out)!;
    expect([m0.rtpTimestamp, m0.arrivalMs, m0.samples, m0.ssrc]).toEqual([1000, 5.5, 160, 0xabc]);
    expect(out[159]).toBe(1);
    const m1 = r.read(out)!;
    expect(m1.samples).toBe(12);
    expect(out[11]).toBe(2);
    expect(out[12]).toBe(0);
    expect(r.read(out)!.rtpTimestamp).toBe(1320);
    expect(r.read(out)!.rtpTimestamp).toBe(1480);
    expect(r.read(out)).toBeNull();
    w.write(pcm, 160, 9, 9, 9); // room again after reading
    expect(r.read(out)!.rtpTimestamp).toBe(9);
    expect(r.unrecordable).toBe(false);
    w.setFlag(TAP_FLAG_UNRECORDABLE);
    expect(r.unrecordable).toBe(true);
    expect(() => r.read(new Int16Array(10))).not.toThrow(); // empty: nothing to copy
  });
});
