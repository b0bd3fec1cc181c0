import { describe, it, expect } from 'vitest';
import { RealFft } from './real-fft.js';

describe('RealFft', () => {
  // 8: the fused first pass alone; 32 and 128: radix-4 passes only; 16, 64, 256 and 512: with a
  // last radix-2 stage.
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

  it('rejects sizes that are not powers of two', () => {
    expect(() => new RealFft(100)).toThrow(RangeError);
    // The fused first pass is radix 4 over N/2 complex points: N = 8 is the smallest.
    expect(() => new RealFft(4)).toThrow(RangeError);
  });
});
