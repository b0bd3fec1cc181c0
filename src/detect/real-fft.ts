/**
 * A preallocated FFT of real input (Cooley–Tukey, iterative, in place; the bit-reversed load and
 * the first two radix-2 stages fused into one radix-4 pass with no products, the later stages taken
 * two at a time as radix-4 passes, and one radix-2 stage when their number is odd), computed as
 * an N/2-point complex FFT of the even/odd-packed signal (N ≥ 8) followed by the split step
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
    if (size < 8 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size ${size}`);
    this.size = size;
    const h = size >> 1;
    this.half = h;
    this.re = new Float64Array(h);
    this.im = new Float64Array(h);
    // A full turn of W_h^k: the radix-4 passes reach W_2len^3k, up to three quarters of it.
    this.cosH = new Float64Array(h);
    this.sinH = new Float64Array(h);
    for (let k = 0; k < h; k++) {
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
    // Bit-reversed load fused with stages 1 and 2 as one radix-4 pass: their twiddles are 1 and
    // −i, no multiplication. Slot a + j of the reordered array holds input pair rev[a + j].
    for (let a = 0; a < h; a += 4) {
      const p0 = 2 * rev[a]!;
      const p1 = 2 * rev[a + 1]!;
      const p2 = 2 * rev[a + 2]!;
      const p3 = 2 * rev[a + 3]!;
      const r0 = input[p0]! + input[p1]!;
      const i0 = input[p0 + 1]! + input[p1 + 1]!;
      const r1 = input[p0]! - input[p1]!;
      const i1 = input[p0 + 1]! - input[p1 + 1]!;
      const r2 = input[p2]! + input[p3]!;
      const i2 = input[p2 + 1]! + input[p3 + 1]!;
      const r3 = input[p2]! - input[p3]!;
      const i3 = input[p2 + 1]! - input[p3 + 1]!;
      re[a] = r0 + r2;
      im[a] = i0 + i2;
      re[a + 2] = r0 - r2;
      im[a + 2] = i0 - i2;
      // (r3, i3) × −i = (i3, −r3)
      re[a + 1] = r1 + i3;
      im[a + 1] = i1 - r3;
      re[a + 3] = r1 - i3;
      im[a + 3] = i1 + r3;
    }
    const cosH = this.cosH;
    const sinH = this.sinH;
    // The radix-2 stages len = 8, 16, … h, taken two at a time (len and 2·len as one radix-4
    // pass over the array): each element is loaded and stored once per pair, and the second
    // stage's twiddles fold into the inputs' (x2·W^k, x3·W^3k, with W^(k + len/2) = −i·W^k), so
    // three complex multiplications per four outputs instead of four.
    let len = 8;
    for (; 2 * len <= h; len <<= 2) {
      const half = len >> 1;
      const step = h / len;
      const step2 = step >> 1;
      for (let k = 0; k < half; k++) {
        // W_len^k = W_2len^2k for x1, W_2len^k for x2, W_2len^3k for x3.
        const w1r = cosH[k * step]!;
        const w1i = sinH[k * step]!;
        const w2r = cosH[k * step2]!;
        const w2i = sinH[k * step2]!;
        const w3r = cosH[3 * k * step2]!;
        const w3i = sinH[3 * k * step2]!;
        for (let a = k; a < h; a += 2 * len) {
          const i1 = a + half;
          const i2 = a + len;
          const i3 = i2 + half;
          const tr = re[i1]! * w1r - im[i1]! * w1i;
          const ti = re[i1]! * w1i + im[i1]! * w1r;
          const pr = re[i2]! * w2r - im[i2]! * w2i;
          const pi = re[i2]! * w2i + im[i2]! * w2r;
          const qr = re[i3]! * w3r - im[i3]! * w3i;
          const qi = re[i3]! * w3i + im[i3]! * w3r;
          const y0r = re[a]! + tr;
          const y0i = im[a]! + ti;
          const y1r = re[a]! - tr;
          const y1i = im[a]! - ti;
          const sr = pr + qr;
          const si = pi + qi;
          // (p − q)·(−i)
          const dr = pi - qi;
          const di = qr - pr;
          re[a] = y0r + sr;
          im[a] = y0i + si;
          re[i2] = y0r - sr;
          im[i2] = y0i - si;
          re[i1] = y1r + dr;
          im[i1] = y1i + di;
          re[i3] = y1r - dr;
          im[i3] = y1i - di;
        }
      }
    }
    // An odd number of stages leaves the last one (len = h) on its own.
    if (len <= h) {
      const halfLen = len >> 1;
      const step = h / len;
      for (let k = 0; k < halfLen; k++) {
        const wr = cosH[k * step]!;
        const wi = sinH[k * step]!;
        for (let a = k; a < h; a += len) {
          const b = a + halfLen;
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
