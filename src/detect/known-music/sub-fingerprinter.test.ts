import { describe, expect, it } from 'vitest';
import { ulawDecode as mulawDecode, ulawEncode as mulawEncode } from '../../media/g711/index.js';
import { mulawRoundTrip } from './mulaw-round-trip.js';
import {
  FRAME_SAMPLES,
  NO_BITS,
  SubFingerprinter,
  bandEdges,
  CODEC_BIT_FLIP_RATE,
  bitErrors,
  weightedBitErrors,
} from './sub-fingerprinter.js';
import { seededRandom } from './test-signals.js';

describe('µ-law round trip (G.711 §3)', () => {
  it('has the reference code values and is idempotent', () => {
    expect(mulawEncode(0)).toBe(0xff);
    expect(mulawEncode(-1)).toBe(0x7e);
    expect(mulawEncode(32767)).toBe(0x80);
    expect(mulawEncode(-32768)).toBe(0x00);
    expect(mulawDecode(0x80)).toBe(32124);
    expect(mulawDecode(0x00)).toBe(-32124);
    expect(mulawDecode(0xff)).toBe(0);
    for (let c = 0; c < 256; c++) expect(mulawEncode(mulawDecode(c))).toBe(c === 0x7f ? 0xff : c);
    const pcm = Int16Array.of(1000, -1000, 12345, -32768);
    const once = mulawRoundTrip(pcm);
    expect(Array.from(once)).toEqual([988, -988, 12412, -32124]);
    expect(mulawRoundTrip(once)).toEqual(once);
  });
});

describe('SubFingerprinter', () => {
  it('has 17 increasing bands from 300 to 1700 Hz', () => {
    const edges = Array.from(bandEdges());
    expect(edges).toHaveLength(18);
    expect(edges[0]).toBe(Math.round(300 / 31.25));
    expect(edges[17]).toBe(Math.round(1700 / 31.25));
    for (let b = 1; b < edges.length; b++) expect(edges[b]).toBeGreaterThan(edges[b - 1]!);
  });

  it('gives silence no bits, needs four frames of history, and is invariant to gain', () => {
    const rand = seededRandom(5);
    const pcm = Int16Array.from({ length: FRAME_SAMPLES * 40 }, (_, i) =>
      Math.round(3000 * Math.sin(i * 0.05 * (1 + (i % 2000) / 4000)) + 2000 * (rand() - 0.5)),
    );
    const quiet = pcm.map((s) => s >> 3);
    const a = new SubFingerprinter();
    const b = new SubFingerprinter();
    const fa: number[] = [];
    const fb: number[] = [];
    for (let k = 0; k < 40; k++) {
      fa.push(a.next(pcm, k * FRAME_SAMPLES));
      fb.push(b.next(quiet, k * FRAME_SAMPLES));
    }
    expect(fa.slice(0, 4)).toEqual([NO_BITS, NO_BITS, NO_BITS, NO_BITS]);
    expect(fa.slice(4).every((f) => f >= 0 && f < 1 << 16)).toBe(true);
    let errors = 0;
    for (let k = 4; k < 40; k++) errors += bitErrors(fa[k]!, fb[k]!);
    expect(errors / (36 * 16)).toBeLessThan(0.05);
    const silent = new SubFingerprinter();
    expect(silent.next(new Int16Array(FRAME_SAMPLES), 0)).toBe(NO_BITS);
  });

  it('fingerprints a 160-sample frame (copied whole) as the same frame inside a longer buffer', () => {
    const rand = seededRandom(9);
    const pcm = Int16Array.from({ length: FRAME_SAMPLES * 30 }, (_, i) =>
      Math.round(6000 * Math.sin(i * 0.03 * (1 + (i % 1500) / 3000)) + 3000 * (rand() - 0.5)),
    );
    const inBuffer = new SubFingerprinter();
    const whole = new SubFingerprinter();
    const frame = new Int16Array(FRAME_SAMPLES);
    for (let k = 0; k < 30; k++) {
      frame.set(pcm.subarray(k * FRAME_SAMPLES, (k + 1) * FRAME_SAMPLES));
      const a = inBuffer.next(pcm, k * FRAME_SAMPLES);
      const b = whole.next(frame, 0);
      expect(b).toBe(a);
      if (a !== NO_BITS) expect(Array.from(whole.margins)).toEqual(Array.from(inBuffer.margins));
    }
  });

  it('counts bit errors on 16 bits', () => {
    expect(bitErrors(0, 0xffff)).toBe(16);
    expect(bitErrors(0b1011, 0b0001)).toBe(2);
    expect(bitErrors(0x1ffff, 0xffff)).toBe(0);
  });

  it('weighs each bit error by ln((1 − p) / p) of its codec flip rate, with a mean weight of 1', () => {
    expect(weightedBitErrors(0x1234, 0x1234)).toBe(0);
    expect(weightedBitErrors(0, 0xffff)).toBeCloseTo(16, 9);
    expect(weightedBitErrors(0x10000, 0)).toBe(0);
    const w = CODEC_BIT_FLIP_RATE.map((p) => Math.log((1 - p) / p));
    const mean = w.reduce((a, b) => a + b, 0) / 16;
    for (let b = 0; b < 16; b++) expect(weightedBitErrors(1 << b, 0)).toBeCloseTo(w[b]! / mean, 9);
    // Additive over the bits, whichever byte they are in.
    expect(weightedBitErrors(0b1000_0000_1000_0001, 0)).toBeCloseTo(
      weightedBitErrors(1, 0) + weightedBitErrors(0x80, 0) + weightedBitErrors(0x8000, 0),
      9,
    );
    // A flip in a band GSM and AMR-NB keep well (bit 0) is more than twice the evidence of one in
    // the band they garble most (bit 13).
    expect(weightedBitErrors(1, 0) / weightedBitErrors(1 << 13, 0)).toBeGreaterThan(2);
  });
});
