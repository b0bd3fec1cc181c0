/**
 * A small preallocated radix-2 FFT for real frames (iterative Cooley–Tukey on an N/2-point
 * complex sequence packed from even/odd samples, then the real-signal split
 * X[k] = ½(Z[k] + Z̄[M−k]) − ½i·W_N^k·(Z[k] − Z̄[M−k]), M = N/2). Produces the power spectrum only.
 * No allocation after construction.
 */
export class PowerFft {
  readonly size: number;
  private readonly m: number;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly twRe: Float64Array;
  private readonly twIm: Float64Array;
  private readonly splitRe: Float64Array;
  private readonly splitIm: Float64Array;
  private readonly bitrev: Uint16Array;

  constructor(size: number) {
    if (size < 8 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size ${size}`);
    this.size = size;
    const m = size >> 1;
    this.m = m;
    this.re = new Float64Array(m);
    this.im = new Float64Array(m);
    this.twRe = new Float64Array(m >> 1);
    this.twIm = new Float64Array(m >> 1);
    for (let k = 0; k < m >> 1; k++) {
      this.twRe[k] = Math.cos((2 * Math.PI * k) / m);
      this.twIm[k] = -Math.sin((2 * Math.PI * k) / m);
    }
    this.splitRe = new Float64Array(m);
    this.splitIm = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      this.splitRe[k] = Math.cos((2 * Math.PI * k) / size);
      this.splitIm[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    this.bitrev = new Uint16Array(m);
    const bits = Math.round(Math.log2(m));
    for (let i = 0; i < m; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitrev[i] = r;
    }
  }

  /** |X[k]|² for k = 0..size/2 of the real `input` (length size) into `out` (length ≥ size/2+1). */
  power(input: Float64Array, out: Float64Array): void {
    const m = this.m;
    const re = this.re;
    const im = this.im;
    for (let i = 0; i < m; i++) {
      const j = this.bitrev[i]!;
      re[j] = input[2 * i]!;
      im[j] = input[2 * i + 1]!;
    }
    for (let len = 2; len <= m; len <<= 1) {
      const half = len >> 1;
      const step = m / len;
      for (let s = 0; s < m; s += len) {
        for (let k = 0, t = 0; k < half; k++, t += step) {
          const wr = this.twRe[t]!;
          const wi = this.twIm[t]!;
          const a = s + k;
          const b = a + half;
          const br = re[b]!;
          const bi = im[b]!;
          const xr = br * wr - bi * wi;
          const xi = br * wi + bi * wr;
          const ar = re[a]!;
          const ai = im[a]!;
          re[b] = ar - xr;
          im[b] = ai - xi;
          re[a] = ar + xr;
          im[a] = ai + xi;
        }
      }
    }
    // k = 0 and k = M (Nyquist) from Z[0].
    const z0r = re[0]!;
    const z0i = im[0]!;
    out[0] = (z0r + z0i) * (z0r + z0i);
    out[m] = (z0r - z0i) * (z0r - z0i);
    for (let k = 1; k < m; k++) {
      const zr = re[k]!;
      const zi = im[k]!;
      const cr = re[m - k]!;
      const ci = -im[m - k]!;
      const er = 0.5 * (zr + cr);
      const ei = 0.5 * (zi + ci);
      const dr = 0.5 * (zr - cr);
      const di = 0.5 * (zi - ci);
      // X = E − i·W·D
      const wr = this.splitRe[k]!;
      const wi = this.splitIm[k]!;
      const pr = wr * dr - wi * di;
      const pi = wr * di + wi * dr;
      const xr = er + pi;
      const xi = ei - pr;
      out[k] = xr * xr + xi * xi;
    }
  }
}
