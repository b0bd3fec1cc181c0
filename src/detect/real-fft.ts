/**
 * A preallocated radix-2 FFT of real input (Cooley–Tukey, iterative, in place), computed as an
 * N/2-point complex FFT of the even/odd-packed signal followed by the split step
 * X[k] = (Z[k] + Z*[N/2−k])/2 − i·e^(−2πik/N)·(Z[k] − Z*[N/2−k])/2.
 * No allocation after construction; one instance may serve many streams (single-threaded).
 */
export class RealFft {
  readonly size: number;
  private readonly half: number;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly cosH: Float64Array;
  private readonly sinH: Float64Array;
  private readonly cosN: Float64Array;
  private readonly sinN: Float64Array;
  private readonly rev: Uint16Array;

  constructor(size: number) {
    if (size < 4 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size ${size}`);
    this.size = size;
    const h = size >> 1;
    this.half = h;
    this.re = new Float64Array(h);
    this.im = new Float64Array(h);
    this.cosH = new Float64Array(h >> 1);
    this.sinH = new Float64Array(h >> 1);
    for (let k = 0; k < h >> 1; k++) {
      this.cosH[k] = Math.cos((2 * Math.PI * k) / h);
      this.sinH[k] = -Math.sin((2 * Math.PI * k) / h);
    }
    this.cosN = new Float64Array(h);
    this.sinN = new Float64Array(h);
    for (let k = 0; k < h; k++) {
      this.cosN[k] = Math.cos((2 * Math.PI * k) / size);
      this.sinN[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    this.rev = new Uint16Array(h);
    const bits = Math.log2(h);
    for (let i = 0; i < h; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
  }

  /**
   * Power spectrum |X[k]|² for k = 0..size/2 of the real signal `input` (length `size`),
   * written to `out` (length ≥ size/2 + 1). Only bins below `bins` (default all) are written
   * beyond DC and Nyquist.
   */
  power(input: Float64Array, out: Float64Array, bins = this.half): void {
    const h = this.half;
    const re = this.re;
    const im = this.im;
    const rev = this.rev;
    for (let i = 0; i < h; i++) {
      const j = rev[i]!;
      re[j] = input[2 * i]!;
      im[j] = input[2 * i + 1]!;
    }
    const cosH = this.cosH;
    const sinH = this.sinH;
    for (let len = 2; len <= h; len <<= 1) {
      const halfLen = len >> 1;
      const step = h / len;
      for (let start = 0; start < h; start += len) {
        for (let k = 0; k < halfLen; k++) {
          const wr = cosH[k * step]!;
          const wi = sinH[k * step]!;
          const a = start + k;
          const b = a + halfLen;
          const xr = re[b]! * wr - im[b]! * wi;
          const xi = re[b]! * wi + im[b]! * wr;
          re[b] = re[a]! - xr;
          im[b] = im[a]! - xi;
          re[a] = re[a]! + xr;
          im[a] = im[a]! + xi;
        }
      }
    }
    // Split step: DC and Nyquist from Z[0], then the pairs.
    const z0r = re[0]!;
    const z0i = im[0]!;
    out[0] = (z0r + z0i) * (z0r + z0i);
    out[h] = (z0r - z0i) * (z0r - z0i);
    const cosN = this.cosN;
    const sinN = this.sinN;
    const last = Math.min(bins, h);
    for (let k = 1; k < last; k++) {
      const zr = re[k]!;
      const zi = im[k]!;
      const cr = re[h - k]!;
      const ci = -im[h - k]!;
      const er = 0.5 * (zr + cr);
      const ei = 0.5 * (zi + ci);
      const dr = 0.5 * (zr - cr);
      const di = 0.5 * (zi - ci);
      // o = -i * d  → (di, -dr); then times w = (cosN, sinN)
      const or_ = di;
      const oi = -dr;
      const wr = cosN[k]!;
      const wi = sinN[k]!;
      const xr = er + or_ * wr - oi * wi;
      const xi = ei + or_ * wi + oi * wr;
      out[k] = xr * xr + xi * xi;
    }
  }
}
