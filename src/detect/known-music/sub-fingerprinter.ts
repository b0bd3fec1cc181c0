import { RealFft } from '../real-fft.js';

/**
 * Sub-fingerprints of 20 ms telephone-band frames, after Haitsma & Kalker, "A Highly Robust
 * Audio Fingerprinting System" (ISMIR 2002) §4.2, scaled down to 8 kHz G.711 audio:
 * a 64 ms Hann window over the current 160 samples and the 352 before them (so that a few
 * samples of misalignment barely change it), time-folded onto a 256-point FFT, energies in 17
 * log-spaced bands from 300 to 1700 Hz (see HIGH_HZ), summed over the last SMOOTH frames
 * (80 ms), and one bit per adjacent band pair against the sums LAG hops (80 ms) earlier:
 * `bit b = (E[b] − E[b+1]) − (E_prev[b] − E_prev[b+1]) > 0`. The 16 bits are invariant to gain
 * (every term scales alike) and carry the spectral motion that survives codecs and level changes.
 * The smoothing stands in for the paper's 370 ms frames: with single 64 ms frames compared 40 ms
 * apart, a GSM 06.10 → G.711 chain flipped 31 % of the bits; summed over 80 ms and compared
 * 80 ms apart, 21 % (AMR-NB 19 → 14 %, plain G.711 5 → 3 %).
 */

/** Samples per frame (20 ms at 8 kHz). */
export const FRAME_SAMPLES = 160;
/** Bits per sub-fingerprint. */
export const FP_BITS = 16;
/** A frame that carries no bits: silence, or one of a stream's first LAG frames (no history). */
export const NO_BITS = -1;

/** Analysis window (64 ms); folded in time onto the FFT size, which samples its spectrum. */
const WINDOW = 512;
const FFT_SIZE = 256;
/** Frames between the two compared band-difference vectors. */
const LAG = 4;
/** Frames whose band energies are summed before differencing. */
const SMOOTH = 4;
const BANDS = FP_BITS + 1;
const LOW_HZ = 300;
/**
 * Top of the bands: 1700 Hz, not the telephone band's 3400 (until issue 5, stop 30). GSM 06.10
 * and AMR-NB keep the spectrum below 2 kHz and garble the rest, where the bits flipped two to
 * three times as often; bands up to 1700 Hz flip 15 % (GSM) and 17 % (AMR-NB) of the bits on
 * average instead of 19 and 20 %, and music still moves enough there to tell tracks apart.
 * `npm run bench -- known-music --onsets 300`, within 1 s through G.711, GSM, AMR-NB and Opus, at
 * the bar each band top allows (see DEFAULT_MIN_SCORE): 3400 Hz 0.977, 0.907, 0.90, 0.94 (bar
 * 48); 2000 Hz 0.983, 0.96, 0.937, 0.97 (bar 40); 1700 Hz 0.99, 0.957, 0.953, 0.963 (bar 44),
 * with one onset late (by 20 ms, AMR-NB) instead of 7 (by up to 2.7 s). At 1400 Hz the bands
 * grow too narrow (1–2 FFT bins at the bottom): 0.983, 0.947, 0.94, 0.953 at bar 48.
 */
const HIGH_HZ = 1700;
/** Mean square below which a frame is silence (RMS 8 ≈ −72 dBFS, near the µ-law floor). */
const SILENCE_MEAN_SQUARE = 64;

/** Tables shared by every fingerprinter (built once, on first use). */
interface SharedTables {
  readonly fft: RealFft;
  readonly window: Float64Array;
  readonly input: Float64Array;
  readonly spectrum: Float64Array;
  /** Band b covers FFT bins [edges[b], edges[b+1]). */
  readonly edges: Uint16Array;
}

let shared: SharedTables | undefined;

function tables(): SharedTables {
  if (shared) return shared;
  const window = new Float64Array(WINDOW);
  for (let i = 0; i < WINDOW; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / WINDOW);
  const edges = new Uint16Array(BANDS + 1);
  const binHz = 8000 / FFT_SIZE;
  for (let b = 0; b <= BANDS; b++) {
    const hz = LOW_HZ * Math.pow(HIGH_HZ / LOW_HZ, b / BANDS);
    const bin = Math.round(hz / binHz);
    edges[b] = b > 0 && bin <= edges[b - 1]! ? edges[b - 1]! + 1 : bin;
  }
  shared = {
    fft: new RealFft(FFT_SIZE),
    window,
    input: new Float64Array(FFT_SIZE),
    spectrum: new Float64Array(FFT_SIZE / 2 + 1),
    edges,
  };
  return shared;
}

/** The FFT band edges in bins (exported for tests). */
export function bandEdges(): Uint16Array {
  return tables().edges;
}

/**
 * Per-stream sub-fingerprint state: the last WINDOW samples, the last SMOOTH frames' band
 * energies and the previous band differences.
 */
export class SubFingerprinter {
  /** The last WINDOW samples, the newest frame at the end (PCM16 values, exact in float32). */
  private readonly samples = new Float32Array(WINDOW);
  /** Band energies of the last SMOOTH frames (ring of SMOOTH × BANDS). */
  private readonly energies = new Float64Array(SMOOTH * BANDS);
  /**
   * How far each bit of the last fingerprint was from flipping (|difference|, in energy units):
   * the smallest are the bits a codec most likely flipped (Haitsma & Kalker §4.3, soft bits).
   */
  readonly margins = new Float64Array(FP_BITS);
  /** Band differences of the last LAG frames, ring of LAG × FP_BITS. */
  private readonly history = new Float64Array(LAG * FP_BITS);
  private readonly diff = new Float64Array(FP_BITS);
  private frames = 0;

  /** Bytes of per-stream state. */
  static readonly stateBytes = WINDOW * 4 + (SMOOTH * BANDS + (LAG + 2) * FP_BITS) * 8 + 8;

  reset(): void {
    this.samples.fill(0);
    this.energies.fill(0);
    this.history.fill(0);
    this.frames = 0;
  }

  /**
   * Sub-fingerprint of the 160 samples `pcm[start .. start+160)`, or `NO_BITS`.
   * Allocates nothing.
   */
  next(pcm: Int16Array, start: number): number {
    const t = tables();
    const input = t.input;
    const window = t.window;
    const samples = this.samples;
    const slot = this.frames % LAG;
    // The new frame joins the end of the window. A whole 160-sample array (every live frame) is
    // copied by `set`, several times faster than an element loop; a frame inside a longer buffer
    // (a file being fingerprinted) is copied by the loop, as `subarray` would allocate.
    const newest = WINDOW - FRAME_SAMPLES;
    if (start === 0 && pcm.length === FRAME_SAMPLES) samples.set(pcm, newest);
    else for (let i = 0; i < FRAME_SAMPLES; i++) samples[newest + i] = pcm[start + i]!;
    let meanSquare = 0;
    for (let i = newest; i < WINDOW; i++) meanSquare += samples[i]! * samples[i]!;
    meanSquare /= FRAME_SAMPLES;
    const silent = meanSquare < SILENCE_MEAN_SQUARE;
    // Every frame's band energies enter the sums, silent or not: a silent frame's window still
    // holds the tail of what came before, and a note after a gap (sparse, gated passages) is
    // compared against the same history on the reference and on the live side. Only the silent
    // frame's own bits are withheld (on a live line its "silence" is the line's noise).
    // Time-folding the windowed 512 samples onto 256 gives the even bins of their 512-point DFT.
    for (let i = 0; i < FFT_SIZE; i++) {
      input[i] = samples[i]! * window[i]! + samples[FFT_SIZE + i]! * window[FFT_SIZE + i]!;
    }
    t.fft.power(input, t.spectrum, t.edges[BANDS]);
    // The sums are rebuilt from the ring (no drift).
    const spectrum = t.spectrum;
    const edges = t.edges;
    const diff = this.diff;
    const energies = this.energies;
    const row = (this.frames % SMOOTH) * BANDS;
    let prevEnergy = 0;
    for (let b = 0; b < BANDS; b++) {
      let e = 0;
      const end = edges[b + 1]!;
      for (let k = edges[b]!; k < end; k++) e += spectrum[k]!;
      energies[row + b] = e;
      let total = 0;
      for (let r = b; r < SMOOTH * BANDS; r += BANDS) total += energies[r]!;
      if (b > 0) diff[b - 1] = prevEnergy - total;
      prevEnergy = total;
    }
    const base = slot * FP_BITS;
    const history = this.history;
    let fp = NO_BITS;
    if (!silent && this.frames >= LAG) {
      fp = 0;
      const margins = this.margins;
      for (let b = 0; b < FP_BITS; b++) {
        const d = diff[b]! - history[base + b]!;
        // Without branches: the sign of a band difference is a coin toss to the predictor.
        fp |= Number(d > 0) << b;
        margins[b] = Math.abs(d);
      }
    }
    for (let b = 0; b < FP_BITS; b++) history[base + b] = diff[b]!;
    this.frames++;
    samples.copyWithin(0, FRAME_SAMPLES);
    return fp;
  }
}

/**
 * Number of differing bits between two sub-fingerprints (popcount of the xor): the plain distance,
 * for tests of the fingerprint itself; the detector weighs each bit ({@link weightedBitErrors}).
 */
export function bitErrors(a: number, b: number): number {
  let v = (a ^ b) & 0xffff;
  v = v - ((v >> 1) & 0x5555);
  v = (v & 0x3333) + ((v >> 2) & 0x3333);
  v = (v + (v >> 4)) & 0x0f0f;
  return (v + (v >> 8)) & 0x1f;
}

/**
 * How often each bit flipped (bit 0: the lowest band pair; bit 15: the highest) between a track
 * and the same track through a speech codec before G.711 and a gain, with the bands up to
 * 3400 Hz used until issue 5, stop 30: the mean of the GSM 06.10 and AMR-NB 12.2 rows of
 * `npm run bench -- known-music --onsets 300` (`bitFlipRate`), rounded to 0.005. The weights
 * were kept with the bands up to 1700 Hz, whose own rates are lower and flatter (0.10–0.24):
 * refitted to those, the detector matched later (within 1 s at its bar of 40: 0.953 GSM, 0.95
 * AMR-NB, 3 onsets late by up to 1.3 s; these weights at their bar of 44: 0.957, 0.953, one late by
 * 20 ms). They still weigh an error in a low band pair, which codecs keep best, over one in a
 * high pair.
 */
export const CODEC_BIT_FLIP_RATE: readonly number[] = [
  0.095, 0.125, 0.095, 0.1, 0.105, 0.115, 0.15, 0.155, 0.155, 0.195, 0.195, 0.275, 0.31, 0.355,
  0.31, 0.315,
];

/**
 * Bit weights ln((1 − p) / p) for p = CODEC_BIT_FLIP_RATE, scaled to a mean of 1: a disagreement
 * on bit b is that much evidence against a match (a matching frame flips the bit with probability
 * p, unrelated audio with 1/2), so the weighted error count is, up to scale and offset, a frame's
 * log-likelihood ratio of "unrelated" against "this alignment" (Haitsma & Kalker §4.3 weigh bits
 * by reliability in the same spirit). Looked up a byte at a time.
 */
const WEIGHT_LOW = new Float64Array(256);
const WEIGHT_HIGH = new Float64Array(256);
{
  const w = CODEC_BIT_FLIP_RATE.map((p) => Math.log((1 - p) / p));
  const mean = w.reduce((a, b) => a + b, 0) / FP_BITS;
  for (let x = 0; x < 256; x++) {
    for (let b = 0; b < 8; b++) {
      if (!(x & (1 << b))) continue;
      WEIGHT_LOW[x]! += w[b]! / mean;
      WEIGHT_HIGH[x]! += w[b + 8]! / mean;
    }
  }
}

/**
 * Differing bits between two sub-fingerprints, each weighted by how rarely a codec flips it (see
 * WEIGHT_LOW): 0 for equal fingerprints, 8 on average for an unrelated pair and 16 when every bit
 * differs, as {@link bitErrors}. What the detector scores a frame by.
 */
export function weightedBitErrors(a: number, b: number): number {
  const x = (a ^ b) & 0xffff;
  return WEIGHT_LOW[x & 0xff]! + WEIGHT_HIGH[x >> 8]!;
}
