import { RealFft } from '../real-fft.js';

/** Samples per 20 ms frame at 8 kHz. */
export const FRAME_SAMPLES = 160;
/** FFT size: the current frame plus the last 96 samples of the previous one (32 ms, Hann). */
export const FFT_SIZE = 256;
/** Telephone band in FFT bins (31.25 Hz each): 312.5…3375 Hz. */
export const BIN_LO = 10;
export const BIN_HI = 108;
/** Peak ages are capped here (frames) when averaged: 50 frames = 1 s. */
export const AGE_CAP = 50;

/** PCM16 to ±1. */
const PCM_SCALE = 1 / 32768;
/** One-sided band power of a full-scale sine through the Hann window (for dBFS). */
const FULL_SCALE = (FFT_SIZE * FFT_SIZE * 0.375) / 4;
/** Absolute power floor, -90 dBFS per bin: keeps silence and digital zero well defined. */
const FLOOR = FULL_SCALE * 1e-9;
const LN_PROMINENCE = Math.log(4); // 6 dB over the bins two away
const LN_DYNAMIC = Math.log(1e5); // flux ignores bins more than 50 dB below the frame's peak
/** Relative frequency change (%) per frame at which a peak counts as fully gliding. */
export const DRIFT_CAP = 4;

/**
 * Per-frame spectral features of one 20 ms frame (issue 5, Build 2): band energy, spectral
 * flatness, spectral peaks and their persistence (peaks that were already peaks ±1 bin in the
 * previous frame), peak age (how long each peak has lasted: sustained notes vs. gliding speech
 * harmonics), pitch drift (pitch continuity: how far continuing peaks moved in frequency, from
 * parabolic interpolation of the log spectrum; a held note stays put, voiced speech glides) and
 * spectral flux of the log spectrum. One FFT per frame, no allocation per frame.
 */
export class FrameFeatures {
  /** Band energy, dBFS (a full-scale sine is about 0). */
  energyDb = -90;
  /** Spectral flatness in the band: geometric / arithmetic mean of power, 0 (tonal)…1 (white). */
  flatness = 1;
  /** Power-weighted share of this frame's peaks that continue a peak of the previous frame. */
  persistence = 0;
  /** Power-weighted mean age of the peaks, in units of AGE_CAP frames (0…1). */
  peakAge = 0;
  /**
   * Power-weighted mean relative frequency change of the continuing peaks, % per frame, capped
   * at DRIFT_CAP; DRIFT_CAP when no peak continues (no continuity at all).
   */
  pitchDrift = DRIFT_CAP;
  /** Number of spectral peaks in the band. */
  peakCount = 0;
  /** Mean |Δ ln power| per band bin against the previous frame (nats). */
  flux = 0;
  /**
   * Spectral centroid in the band, 0 (BIN_LO)…1 (BIN_HI): the balance point of the power. Speech
   * swings it from voiced sounds (low) to fricatives (high) several times a second; a note or a
   * chord holds it.
   */
  centroid = 0.5;

  private readonly fft = new RealFft(FFT_SIZE);
  /** The Hann window times PCM_SCALE (PCM16 to ±1). */
  private readonly hann = new Float64Array(FFT_SIZE);
  private readonly history = new Float64Array(FFT_SIZE);
  private readonly windowed = new Float64Array(FFT_SIZE);
  private readonly power = new Float64Array(FFT_SIZE / 2 + 1);
  private logNow = new Float64Array(FFT_SIZE / 2 + 1);
  private logPrev = new Float64Array(FFT_SIZE / 2 + 1);
  private ageNow = new Uint8Array(FFT_SIZE / 2 + 1);
  private agePrev = new Uint8Array(FFT_SIZE / 2 + 1);
  /** Interpolated frequency (bins) of the peak at each bin, this and the previous frame. */
  private freqNow = new Float64Array(FFT_SIZE / 2 + 1);
  private freqPrev = new Float64Array(FFT_SIZE / 2 + 1);
  private frames = 0;

  constructor() {
    for (let i = 0; i < FFT_SIZE; i++)
      this.hann[i] = (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FFT_SIZE)) * PCM_SCALE;
  }

  /** Bytes of state per stream. */
  get stateBytes(): number {
    return (
      this.hann.byteLength +
      this.history.byteLength +
      this.windowed.byteLength +
      this.power.byteLength +
      2 * this.logNow.byteLength +
      2 * this.ageNow.byteLength +
      2 * this.freqNow.byteLength +
      this.fft.size * 8 * 3 // FFT work buffers and twiddles (approx.)
    );
  }

  reset(): void {
    this.history.fill(0);
    this.logPrev.fill(0);
    this.agePrev.fill(0);
    this.ageNow.fill(0);
    this.frames = 0;
    this.pitchDrift = DRIFT_CAP;
    this.centroid = 0.5;
  }

  /** Computes the features of `frame` (160 samples PCM16) into this object's fields. */
  push(frame: Int16Array): void {
    // The history holds raw samples; the 2^−15 to ±1 is in the window (exact: a power of two).
    // A whole 160-sample frame (every live one) is converted by `set`, several times faster than
    // an element loop.
    const h = this.history;
    h.copyWithin(0, FRAME_SAMPLES);
    const off = FFT_SIZE - FRAME_SAMPLES;
    if (frame.length === FRAME_SAMPLES) h.set(frame, off);
    else {
      const n = Math.min(frame.length, FRAME_SAMPLES);
      for (let i = 0; i < n; i++) h[off + i] = frame[i]!;
      for (let i = n; i < FRAME_SAMPLES; i++) h[off + i] = 0;
    }
    const w = this.windowed;
    const hann = this.hann;
    for (let i = 0; i < FFT_SIZE; i++) w[i] = h[i]! * hann[i]!;
    const p = this.power;
    // Bins past BIN_HI + 2 (the prominence test's guard) are never read.
    this.fft.power(w, p, BIN_HI + 3);

    // Swap ping-pong buffers: *Prev now holds the previous frame.
    const lp = this.logNow;
    this.logNow = this.logPrev;
    this.logPrev = lp;
    const ap = this.ageNow;
    this.ageNow = this.agePrev;
    this.agePrev = ap;
    const fq = this.freqNow;
    this.freqNow = this.freqPrev;
    this.freqPrev = fq;
    const freqNow = this.freqNow;
    const freqPrev = this.freqPrev;
    const logNow = this.logNow;
    const logPrev = this.logPrev;
    const ageNow = this.ageNow;
    const agePrev = this.agePrev;

    let sum = 0;
    let sumLog = 0;
    let sumK = 0;
    let max = 0;
    for (let k = BIN_LO; k <= BIN_HI; k++) {
      const v = p[k]! + FLOOR;
      sum += v;
      sumK += v * (k - BIN_LO);
      const l = Math.log(v);
      logNow[k] = l;
      sumLog += l;
      max = Math.max(max, v);
    }
    // Two guard bins each side for the prominence test at the band edges.
    logNow[BIN_LO - 1] = Math.log(p[BIN_LO - 1]! + FLOOR);
    logNow[BIN_LO - 2] = Math.log(p[BIN_LO - 2]! + FLOOR);
    logNow[BIN_HI + 1] = Math.log(p[BIN_HI + 1]! + FLOOR);
    logNow[BIN_HI + 2] = Math.log(p[BIN_HI + 2]! + FLOOR);
    const bins = BIN_HI - BIN_LO + 1;
    this.energyDb = 10 * Math.log10(sum / FULL_SCALE);
    this.flatness = Math.min(1, Math.exp(sumLog / bins) / (sum / bins));
    this.centroid = sumK / sum / (bins - 1);

    // Peaks, their persistence and age.
    const minPeak = Math.max(max * 1e-3, FLOOR * 100);
    let peakPower = 0;
    let persistentPower = 0;
    let agePower = 0;
    let driftPower = 0;
    let count = 0;
    ageNow[BIN_LO] = 0;
    ageNow[BIN_HI] = 0;
    for (let k = BIN_LO + 1; k < BIN_HI; k++) {
      const v = p[k]!;
      // The four tests are all evaluated and combined into one branch: each alone is taken
      // at random from bin to bin, and short-circuit `&&` would mispredict on each of them.
      const isPeak =
        Number(v > p[k - 1]!) &
        Number(v >= p[k + 1]!) &
        Number(v > minPeak) &
        Number(logNow[k]! - 0.5 * (logNow[k - 2]! + logNow[k + 2]!) > LN_PROMINENCE);
      if (isPeak === 0) {
        ageNow[k] = 0;
        continue;
      }
      // Parabolic interpolation of the log spectrum: the peak's frequency in bins.
      const la = logNow[k - 1]!;
      const lb = logNow[k]!;
      const lc = logNow[k + 1]!;
      const den = la - 2 * lb + lc;
      const fk = den < 0 ? k + (0.5 * (la - lc)) / den : k;
      freqNow[k] = fk;
      const aL = agePrev[k - 1]!;
      const aM = agePrev[k]!;
      const aR = agePrev[k + 1]!;
      const prev = aL > aM ? (aL > aR ? aL : aR) : aM > aR ? aM : aR;
      const age = prev < 255 ? prev + 1 : 255;
      ageNow[k] = age;
      count++;
      peakPower += v;
      if (prev > 0) {
        persistentPower += v;
        // The nearest continuing peak of the previous frame.
        let best = DRIFT_CAP;
        for (let j = k - 1; j <= k + 1; j++) {
          if (agePrev[j]! === 0) continue;
          const d = (100 * Math.abs(fk - freqPrev[j]!)) / fk;
          if (d < best) best = d;
        }
        driftPower += v * best;
      }
      agePower += v * (age < AGE_CAP ? age : AGE_CAP);
    }
    this.peakCount = count;
    this.persistence = peakPower > 0 ? persistentPower / peakPower : 0;
    this.peakAge = peakPower > 0 ? agePower / peakPower / AGE_CAP : 0;
    this.pitchDrift = persistentPower > 0 ? driftPower / persistentPower : DRIFT_CAP;

    // Flux of the log spectrum over bins within 50 dB of the frame's peak.
    if (this.frames > 0) {
      const lmin = Math.log(max) - LN_DYNAMIC;
      let f = 0;
      // Math.max and Math.abs compile without branches: the comparisons they replace were
      // taken at random from bin to bin, and their mispredictions were most of this loop's cost.
      // (The same values: the logs are finite, and a − b and b − a differ only in sign.)
      for (let k = BIN_LO; k <= BIN_HI; k++) {
        f += Math.abs(Math.max(logNow[k]!, lmin) - Math.max(logPrev[k]!, lmin));
      }
      this.flux = f / bins;
    } else {
      this.flux = 0;
    }
    this.frames++;
  }
}
