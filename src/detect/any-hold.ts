import type { HoldDecision } from './types.js';

/**
 * Several hold-music detectors as one (issue 5), as a call feeds them to its gate: hold while any
 * of them says hold, no-hold when the last one lets go, from the latest end any of them reported.
 * The last to let go is not always the last to hear music: the classifier lets go seconds after
 * the music stopped and backdates its end, sometimes to before the fingerprint's end; ending there
 * would let the music's last fraction of a second into the recording.
 *
 * Every hold goes out (a later one may upgrade an unsure hold to a sure one); the gate keeps the
 * first onset of an episode. An earlier onset reported later is not waited for: the classifier's
 * onset is backdated generously (up to 2 s before its evidence rose) while a fingerprint match
 * places the music within a frame or two, so "the earliest onset" would mostly cut conversation
 * before the music (measured: 0.9 s in `test/moh-detection.int.test.ts`) to gain nothing on the
 * corpus (`npm run bench -- moh`, `withKnownMusic`).
 */
export class AnyHold {
  readonly #holding: boolean[];
  /** The latest end reported in this episode by a detector that let go while others held. */
  #end = 0;

  constructor(detectors: number) {
    this.#holding = Array.from({ length: detectors }, () => false);
  }

  /** Whether any detector says hold. */
  get holding(): boolean {
    return this.#holding.some(Boolean);
  }

  /** Detector `index` decided `decision`: what the gate hears, if anything. */
  decide(index: number, decision: HoldDecision): HoldDecision | undefined {
    const was = this.holding;
    this.#holding[index] = decision.state === 'hold';
    const still = this.holding;
    if (decision.state === 'hold') {
      if (!was) this.#end = 0;
      return decision;
    }
    if (!was) return undefined;
    if (still) {
      this.#end = Math.max(this.#end, decision.onsetMs);
      return undefined;
    }
    return decision.onsetMs >= this.#end ? decision : { ...decision, onsetMs: this.#end };
  }

  reset(): void {
    this.#holding.fill(false);
    this.#end = 0;
  }
}
