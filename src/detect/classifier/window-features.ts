import { FrameFeatures } from './frame-features.js';

/** Frames in the short (1 s) and long (3 s) windows. */
export const SHORT_FRAMES = 50;
export const LONG_FRAMES = 150;
/** A frame is a "pause" when it is this many dB below the 3 s mean energy. */
const QUIET_DB = 6;

/** Names of the model's input features, in order (weights.json must list the same). */
export const FEATURE_NAMES = [
  'persistence1',
  'persistence3',
  'peakAge1',
  'peakAge3',
  'flatness1',
  'flatness3',
  'flux1',
  'flux3',
  'energyStd1',
  'energyStd3',
  'quietFrac3',
  'quietPersistence3',
  'quietFlatness3',
  'peakCount1',
] as const;
export const FEATURE_COUNT = FEATURE_NAMES.length;

// Per-frame channels kept in the 3 s ring.
const CH_PERS = 0;
const CH_AGE = 1;
const CH_FLAT = 2;
const CH_FLUX = 3;
const CH_E = 4;
const CH_E2 = 5;
const CH_QUIET = 6;
const CH_QPERS = 7;
const CH_QFLAT = 8;
const CH_PEAKS = 9;
const CHANNELS = 10;

/**
 * 1 s and 3 s window statistics over the per-frame features, kept as running sums over one ring
 * (no allocation per frame): means of persistence, peak age, flatness, flux and peak count; the
 * spread of the energy (speech's syllable rhythm); and what fills the pauses (frames 6 dB under
 * the 3 s mean): tonal, persistent energy under a voice means music under it.
 */
export class WindowFeatures {
  readonly frame = new FrameFeatures();
  /** The current feature vector, FEATURE_NAMES order; rewritten by every push. */
  readonly vector = new Float64Array(FEATURE_COUNT);
  private readonly ring = new Float64Array(LONG_FRAMES * CHANNELS);
  private readonly sum1 = new Float64Array(CHANNELS);
  private readonly sum3 = new Float64Array(CHANNELS);
  private pos = 0;
  private count = 0;

  get stateBytes(): number {
    return (
      this.frame.stateBytes +
      this.vector.byteLength +
      this.ring.byteLength +
      this.sum1.byteLength +
      this.sum3.byteLength +
      16
    );
  }

  reset(): void {
    this.frame.reset();
    this.ring.fill(0);
    this.sum1.fill(0);
    this.sum3.fill(0);
    this.vector.fill(0);
    this.pos = 0;
    this.count = 0;
  }

  /** Feeds one 20 ms frame; returns `vector`, updated. */
  push(pcm: Int16Array): Float64Array {
    const f = this.frame;
    f.push(pcm);
    const ring = this.ring;
    const s1 = this.sum1;
    const s3 = this.sum3;
    const n3 = this.count < LONG_FRAMES ? this.count : LONG_FRAMES;
    const meanE = n3 > 0 ? s3[CH_E]! / n3 : f.energyDb;
    const quiet = f.energyDb < meanE - QUIET_DB ? 1 : 0;

    const base = this.pos * CHANNELS;
    const old1 = ((this.pos - SHORT_FRAMES + LONG_FRAMES) % LONG_FRAMES) * CHANNELS;
    const e = f.energyDb < -90 ? -90 : f.energyDb;
    for (let c = 0; c < CHANNELS; c++) {
      let v: number;
      switch (c) {
        case CH_PERS:
          v = f.persistence;
          break;
        case CH_AGE:
          v = f.peakAge;
          break;
        case CH_FLAT:
          v = f.flatness;
          break;
        case CH_FLUX:
          v = f.flux;
          break;
        case CH_E:
          v = e;
          break;
        case CH_E2:
          v = e * e;
          break;
        case CH_QUIET:
          v = quiet;
          break;
        case CH_QPERS:
          v = quiet * f.persistence;
          break;
        case CH_QFLAT:
          v = quiet * f.flatness;
          break;
        default:
          v = f.peakCount;
      }
      // Values leaving the windows: the 3 s one at this slot, the 1 s one SHORT_FRAMES back.
      if (this.count >= LONG_FRAMES) s3[c] = s3[c]! - ring[base + c]!;
      if (this.count >= SHORT_FRAMES) s1[c] = s1[c]! - ring[old1 + c]!;
      ring[base + c] = v;
      s3[c] = s3[c]! + v;
      s1[c] = s1[c]! + v;
    }
    this.pos = (this.pos + 1) % LONG_FRAMES;
    this.count++;

    const k1 = 1 / (this.count < SHORT_FRAMES ? this.count : SHORT_FRAMES);
    const k3 = 1 / (this.count < LONG_FRAMES ? this.count : LONG_FRAMES);
    const x = this.vector;
    x[0] = s1[CH_PERS]! * k1;
    x[1] = s3[CH_PERS]! * k3;
    x[2] = s1[CH_AGE]! * k1;
    x[3] = s3[CH_AGE]! * k3;
    x[4] = s1[CH_FLAT]! * k1;
    x[5] = s3[CH_FLAT]! * k3;
    x[6] = s1[CH_FLUX]! * k1;
    x[7] = s3[CH_FLUX]! * k3;
    const m1 = s1[CH_E]! * k1;
    const m3 = s3[CH_E]! * k3;
    x[8] = Math.sqrt(Math.max(0, s1[CH_E2]! * k1 - m1 * m1)) / 10;
    x[9] = Math.sqrt(Math.max(0, s3[CH_E2]! * k3 - m3 * m3)) / 10;
    const q = s3[CH_QUIET]!;
    x[10] = q * k3;
    x[11] = q > 0 ? s3[CH_QPERS]! / q : 0;
    x[12] = q > 0 ? s3[CH_QFLAT]! / q : 1;
    x[13] = (s1[CH_PEAKS]! * k1) / 20;
    return x;
  }
}
