import { describe, it, expect } from 'vitest';
import { RealFft } from './real-fft.js';

describe('RealFft', () => {
  // 8 and 16: the fused radix-4 and radix-8 first passes alone; 32, 128 and 512 begin with the
  // radix-4 pass, 64 and 256 with the radix-8 one.
  it.each([8, 16, 32, 64, 128, 256, 512])(
    'matches a direct DFT on a random real signal of %i samples',
    (n) => {
      const x = new Float64Array(n);
      let s = 12345;
      for (let i = 0; i < n; i++) {
        s = (s * 1103515245 + 12345) % 2147483648;
        x[i] = s / 2147483648 - 0.5;
      }
      const out = new Float64Array(n / 2 + 1);
      new RealFft(n).power(x, out);
      for (let k = 0; k <= n / 2; k++) {
        let re = 0;
        let im = 0;
        for (let i = 0; i < n; i++) {
          re += x[i]! * Math.cos((2 * Math.PI * k * i) / n);
          im -= x[i]! * Math.sin((2 * Math.PI * k * i) / n);
        }
        expect(out[k]).toBeCloseTo(re * re + im * im, 9);
      }
    },
  );

  it('puts a 1 kHz tone in bin 32 of 256 at 8 kHz', () => {
    const x = Float64Array.from({ length: 256 }, (_, i) =>
      Math.sin((2 * Math.PI * 1000 * i) / 8000),
    );
    const out = new Float64Array(129);
    new RealFft(256).power(x, out);
    expect(out.indexOf(Math.max(...out))).toBe(32);
    expect(out[32]).toBeCloseTo(128 * 128, 6);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => new RealFft(100)).toThrow(RangeError);
    // The fused first pass is radix 4 over N/2 complex points: N = 8 is the smallest.
    expect(() => new RealFft(4)).toThrow(RangeError);
  });
});
