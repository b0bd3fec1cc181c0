import { FEATURE_COUNT, FEATURE_NAMES } from './window-features.js';

/** The JSON form of the model (src/detect/classifier/weights.json, written by the trainer). */
export interface ModelWeights {
  readonly version: 1;
  readonly features: readonly string[];
  /** Standardisation: x' = clip((x − mean) / std, ±CLIP). */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** Hidden layer (tanh), `hidden[j]` = weights over the features; empty for plain logistic. */
  readonly hidden: readonly (readonly number[])[];
  readonly hiddenBias: readonly number[];
  /** Output (sigmoid) over the hidden units, or over the features when there is no hidden layer. */
  readonly out: readonly number[];
  readonly outBias: number;
  readonly trainedOn?: unknown;
}

/**
 * Standardised inputs are clipped to ±CLIP: audio beyond anything seen in training (a very loud
 * or very clean talker) must not drive the tanh units into regions the training never shaped.
 */
export const CLIP = 3;

/**
 * A tiny MLP (or logistic regression when it has no hidden layer) over the window features:
 * P(music) = σ(out · tanh(W·x' + b) + c). Preallocated; no allocation per call.
 */
export class ScoreModel {
  private readonly mean: Float64Array;
  private readonly invStd: Float64Array;
  private readonly w1: Float64Array;
  private readonly b1: Float64Array;
  private readonly w2: Float64Array;
  private readonly b2: number;
  private readonly nHidden: number;
  private readonly x: Float64Array;
  private readonly h: Float64Array;

  constructor(weights: ModelWeights) {
    const names = weights.features.join(',');
    if (names !== FEATURE_NAMES.join(',')) {
      throw new RangeError(`model features [${names}] differ from [${FEATURE_NAMES.join(',')}]`);
    }
    this.mean = Float64Array.from(weights.mean);
    this.invStd = Float64Array.from(weights.std, (s) => (s > 1e-9 ? 1 / s : 0));
    this.nHidden = weights.hidden.length;
    this.w1 = new Float64Array(this.nHidden * FEATURE_COUNT);
    weights.hidden.forEach((row, j) => {
      this.w1.set(row, j * FEATURE_COUNT);
    });
    this.b1 = Float64Array.from(weights.hiddenBias);
    this.w2 = Float64Array.from(weights.out);
    this.b2 = weights.outBias;
    const expectOut = this.nHidden > 0 ? this.nHidden : FEATURE_COUNT;
    if (this.w2.length !== expectOut || this.b1.length !== this.nHidden) {
      throw new RangeError('model weights have inconsistent sizes');
    }
    this.x = new Float64Array(FEATURE_COUNT);
    this.h = new Float64Array(this.nHidden);
  }

  get stateBytes(): number {
    return this.x.byteLength + this.h.byteLength;
  }

  /** P(music) ∈ (0, 1) for the feature vector `features` (FEATURE_NAMES order). */
  score(features: Float64Array): number {
    const x = this.x;
    const mean = this.mean;
    const invStd = this.invStd;
    for (let i = 0; i < FEATURE_COUNT; i++) {
      const v = (features[i]! - mean[i]!) * invStd[i]!;
      x[i] = v > CLIP ? CLIP : v < -CLIP ? -CLIP : v;
    }
    let z = this.b2;
    const w2 = this.w2;
    if (this.nHidden === 0) {
      for (let i = 0; i < FEATURE_COUNT; i++) z += w2[i]! * x[i]!;
    } else {
      const w1 = this.w1;
      const b1 = this.b1;
      for (let j = 0; j < this.nHidden; j++) {
        let a = b1[j]!;
        const row = j * FEATURE_COUNT;
        for (let i = 0; i < FEATURE_COUNT; i++) a += w1[row + i]! * x[i]!;
        z += w2[j]! * Math.tanh(a);
      }
    }
    return 1 / (1 + Math.exp(-z));
  }
}
