import type { HoldDecision, HoldMusicDetector } from '../types.js';
import { HoldStateMachine, type HoldStateOptions } from './hold-state-machine.js';
import { ScoreModel, type ModelWeights } from './score-model.js';
import { WindowFeatures } from './window-features.js';
import trainedWeights from './weights.json' with { type: 'json' };

export const MUSIC_CLASSIFIER_CAUSE = 'music-classifier';

/**
 * Frames (0.5 s) before the score counts: until the 1 s window has filled its statistics rest on a
 * handful of frames and are unreliable. Hold music from the very start of a stream is still
 * caught from its start: the state machine backdates the onset, and the delay line covers it.
 */
export const WARMUP_FRAMES = 25;

export interface MusicClassifierOptions {
  /** Model weights; default: the committed weights.json. */
  readonly weights?: ModelWeights;
  readonly state?: Partial<HoldStateOptions>;
}

/**
 * Unknown hold music (issue 5, Build 2): per 20 ms frame one FFT → frame features → 1 s / 3 s
 * window statistics → a small trained model's P(music) → the hysteresis state machine.
 * Pure and allocation-free per frame: PCM in, a decision out only on a change.
 */
export class MusicClassifierDetector implements HoldMusicDetector {
  private readonly features = new WindowFeatures();
  private readonly model: ScoreModel;
  private readonly machine: HoldStateMachine;
  /** The last frame's raw model score (for tools and the benchmark). */
  lastScore = 0;
  private frames = 0;

  constructor(options: MusicClassifierOptions = {}) {
    this.model = new ScoreModel(options.weights ?? (trainedWeights as ModelWeights));
    this.machine = new HoldStateMachine(options.state);
  }

  get stateBytes(): number {
    return this.features.stateBytes + this.model.stateBytes + 64;
  }

  get state(): 'hold' | 'no-hold' {
    return this.machine.state;
  }

  push(frame: Int16Array, callTimeMs: number): HoldDecision | undefined {
    const x = this.features.push(frame);
    const p = this.model.score(x);
    this.lastScore = p;
    const t = this.machine.push(this.frames < WARMUP_FRAMES ? 0 : p, callTimeMs);
    this.frames++;
    if (t === undefined) return undefined;
    return {
      state: t.state,
      onsetMs: t.onsetMs,
      cause: MUSIC_CLASSIFIER_CAUSE,
      confident: t.confident,
    };
  }

  reset(): void {
    this.features.reset();
    this.machine.reset();
    this.lastScore = 0;
    this.frames = 0;
  }
}
