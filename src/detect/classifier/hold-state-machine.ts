/** Tuning of the hold state machine; all times in ms. */
export interface HoldStateOptions {
  /** Smoothing time constant of the score (EMA), ms. */
  readonly smoothMs: number;
  /** Enter hold when the smoothed score stays ≥ this for `enterMs`. */
  readonly enterScore: number;
  readonly enterMs: number;
  /** A hold entered with a smoothed score that never reached this is reported `confident: false`. */
  readonly confidentScore: number;
  /** Leave hold when the smoothed score stays < this for `exitMs` (spans queue announcements). */
  readonly exitScore: number;
  readonly exitMs: number;
  /** The onset of a state is backdated by this much before the score crossed (feature lag). */
  readonly enterBackdateMs: number;
  readonly exitBackdateMs: number;
}

export const DEFAULT_HOLD_STATE_OPTIONS: HoldStateOptions = {
  smoothMs: 200,
  enterScore: 0.6,
  enterMs: 400,
  confidentScore: 0.8,
  exitScore: 0.4,
  exitMs: 4000,
  enterBackdateMs: 1000,
  exitBackdateMs: 500,
};

/** What the state machine reports on a change (state or confidence). */
export interface HoldTransition {
  readonly state: 'hold' | 'no-hold';
  readonly onsetMs: number;
  readonly confident: boolean;
}

/**
 * Hold/no-hold with hysteresis over a per-frame music score (issue 5, Build 2): enter after the
 * smoothed score has stayed high for `enterMs`, leave only after it has stayed low for `exitMs`,
 * so a short queue announcement (speech with no music) between music keeps the hold, while an
 * agent who goes on talking with no music under the voice ends it. Onsets are backdated to where
 * the score crossed (less the feature lag); the delay line covers the past.
 * A hold entered in the grey zone is `confident: false`; a later confident score upgrades it
 * (reported as a transition with the same state).
 */
export class HoldStateMachine {
  private readonly o: HoldStateOptions;
  private readonly alpha: number;
  private smoothed = 0;
  private holding = false;
  private confident = true;
  private runStartMs = -1;
  private runPeak = 0;
  private started = false;

  constructor(options: Partial<HoldStateOptions> = {}) {
    this.o = { ...DEFAULT_HOLD_STATE_OPTIONS, ...options };
    this.alpha = Math.min(1, 20 / Math.max(20, this.o.smoothMs));
  }

  get state(): 'hold' | 'no-hold' {
    return this.holding ? 'hold' : 'no-hold';
  }

  get smoothedScore(): number {
    return this.smoothed;
  }

  reset(): void {
    this.smoothed = 0;
    this.holding = false;
    this.confident = true;
    this.runStartMs = -1;
    this.runPeak = 0;
    this.started = false;
  }

  /** Feeds the score of the frame at `timeMs`; returns a transition or undefined. */
  push(score: number, timeMs: number): HoldTransition | undefined {
    this.smoothed = this.started ? this.smoothed + this.alpha * (score - this.smoothed) : score;
    this.started = true;
    const s = this.smoothed;
    const o = this.o;
    if (!this.holding) {
      if (s >= o.enterScore) {
        if (this.runStartMs < 0) {
          this.runStartMs = timeMs;
          this.runPeak = s;
        }
        if (s > this.runPeak) this.runPeak = s;
        if (timeMs - this.runStartMs >= o.enterMs) {
          this.holding = true;
          this.confident = this.runPeak >= o.confidentScore;
          const onsetMs = Math.max(0, this.runStartMs - o.enterBackdateMs);
          this.runStartMs = -1;
          return { state: 'hold', onsetMs, confident: this.confident };
        }
      } else {
        this.runStartMs = -1;
      }
      return undefined;
    }
    if (s < o.exitScore) {
      if (this.runStartMs < 0) this.runStartMs = timeMs;
      if (timeMs - this.runStartMs >= o.exitMs) {
        this.holding = false;
        this.confident = true;
        const onsetMs = Math.max(0, this.runStartMs - o.exitBackdateMs);
        this.runStartMs = -1;
        return { state: 'no-hold', onsetMs, confident: true };
      }
      return undefined;
    }
    this.runStartMs = -1;
    if (!this.confident && s >= o.confidentScore) {
      this.confident = true;
      return { state: 'hold', onsetMs: timeMs, confident: true };
    }
    return undefined;
  }
}
