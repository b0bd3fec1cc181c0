import { describe, it, expect } from 'vitest';
import {
  ALAW_TO_PCM16,
  ULAW_TO_PCM16,
  alawDecode,
  alawEncode,
  alawEncodeReference,
  decodeInto,
  encodeInto,
  g711LawOfEncoding,
  g711SilenceByte,
  ulawDecode,
  ulawEncode,
  ulawEncodeReference,
} from './index.js';

describe('G.711 decode tables (ITU-T G.711)', () => {
  it('matches reference values for µ-law', () => {
    expect(ulawDecode(0xff)).toBe(0);
    expect(ulawDecode(0x7f)).toBe(0);
    expect(ulawDecode(0x00)).toBe(-32124);
    expect(ulawDecode(0x80)).toBe(32124);
    expect(ulawDecode(0xfe)).toBe(8);
    expect(ulawDecode(0x7e)).toBe(-8);
    expect(ulawDecode(0xef)).toBe(132); // first code of segment 1
    expect(ulawDecode(0xa0)).toBe(7932); // top of segment 5
  });

  it('matches reference values for A-law', () => {
    expect(alawDecode(0xd5)).toBe(8);
    expect(alawDecode(0x55)).toBe(-8);
    expect(alawDecode(0xaa)).toBe(32256);
    expect(alawDecode(0x2a)).toBe(-32256);
    expect(alawDecode(0xc5)).toBe(264);
    expect(alawDecode(0xd4)).toBe(24);
  });

  it('tables are odd-symmetric and monotone in magnitude within each sign', () => {
    for (const [table, signBitMeansPositive] of [
      [ULAW_TO_PCM16, true],
      [ALAW_TO_PCM16, true],
    ] as const) {
      const positives = [...table].filter((_, c) => ((c & 0x80) !== 0) === signBitMeansPositive);
      const negatives = [...table].filter((_, c) => ((c & 0x80) !== 0) !== signBitMeansPositive);
      expect(positives.every((v) => v >= 0)).toBe(true);
      expect(negatives.every((v) => v <= 0)).toBe(true);
      expect([...positives].sort((a, b) => a - b)).toEqual(
        [...negatives].map((v) => (v === 0 ? 0 : -v)).sort((a, b) => a - b),
      );
    }
  });
});

describe('G.711 encode', () => {
  it('table encoders agree with the reference algorithm for every 16-bit sample', () => {
    for (let s = -32768; s <= 32767; s++) {
      if (ulawEncode(s) !== ulawEncodeReference(s)) throw new Error(`ulaw ${s}`);
      if (alawEncode(s) !== alawEncodeReference(s)) throw new Error(`alaw ${s}`);
    }
    expect(ulawEncode(0)).toBe(0xff);
    expect(alawEncode(0)).toBe(0xd5);
    expect(ulawEncode(32767)).toBe(0x80);
    expect(ulawEncode(-32768)).toBe(0x00);
    expect(alawEncode(32767)).toBe(0xaa);
    expect(alawEncode(-32768)).toBe(0x2a);
  });

  it('encode(decode(c)) === c for every code except µ-law 0x7F (negative zero)', () => {
    for (let c = 0; c < 256; c++) {
      expect(alawEncode(alawDecode(c))).toBe(c);
      if (c !== 0x7f) expect(ulawEncode(ulawDecode(c))).toBe(c);
    }
    expect(ulawEncode(ulawDecode(0x7f))).toBe(0xff);
  });

  it('decode(encode(x)) is monotone and never skips a quantization level', () => {
    for (const [enc, dec, table, name] of [
      [ulawEncode, ulawDecode, ULAW_TO_PCM16, 'ulaw'],
      [alawEncode, alawDecode, ALAW_TO_PCM16, 'alaw'],
    ] as const) {
      const levels = [...new Set(table)].sort((a, b) => a - b);
      const lo = levels[0]!;
      const hi = levels[levels.length - 1]!;
      let prev = -Infinity;
      let worstRel = 0;
      for (let s = -32768; s <= 32767; s++) {
        const y = dec(enc(s));
        if (y < prev) throw new Error(`${name} not monotone at ${s}`);
        prev = y;
        // Within quantization error: y is one of the two levels bracketing s (or the clip level).
        const a = Math.min(s, y);
        const b = Math.max(s, y);
        if (levels.some((v) => v > a && v < b) && s >= lo && s <= hi) {
          throw new Error(`${name}: ${s} -> ${y} skips a level`);
        }
        if (s > hi && y !== hi) throw new Error(`${name}: ${s} not clipped`);
        if (s < lo && y !== lo) throw new Error(`${name}: ${s} not clipped`);
        if (Math.abs(s) > 256 && Math.abs(s) < 32000) {
          worstRel = Math.max(worstRel, Math.abs(y - s) / Math.abs(s));
        }
      }
      // Segment steps are 1/16 of the segment base: ≤ ~6 % relative error above the first segments.
      expect(worstRel).toBeLessThan(1 / 16);
      expect(worstRel).toBeGreaterThan(0);
    }
  });
});

describe('decodeInto / encodeInto', () => {
  it('decodes a payload slice into a frame buffer and back', () => {
    const payload = Buffer.from([0x11, 0x22, 0xff, 0x00, 0x80, 0x7e, 0x33]);
    const out = new Int16Array(8).fill(123);
    expect(decodeInto(payload, 2, 4, out, 'ulaw', 1)).toBe(4);
    expect([...out]).toEqual([123, 0, -32124, 32124, -8, 123, 123, 123]);
    const back = new Uint8Array(4);
    expect(encodeInto(out, 1, 4, back, 'ulaw')).toBe(4);
    expect([...back]).toEqual([0xff, 0x00, 0x80, 0x7e]);
  });

  it('never writes past the output buffer', () => {
    const out = new Int16Array(3);
    expect(decodeInto(Buffer.alloc(160, 0xd5), 0, 160, out, 'alaw')).toBe(3);
    expect([...out]).toEqual([8, 8, 8]);
    expect(encodeInto(new Int16Array(10), 0, 10, new Uint8Array(2), 'alaw')).toBe(2);
  });

  it('knows silence bytes and encoding names', () => {
    expect(g711SilenceByte('ulaw')).toBe(0xff);
    expect(g711SilenceByte('alaw')).toBe(0xd5);
    expect(g711LawOfEncoding('pcmu')).toBe('ulaw');
    expect(g711LawOfEncoding('PCMA')).toBe('alaw');
    expect(g711LawOfEncoding('opus')).toBeUndefined();
  });
});
