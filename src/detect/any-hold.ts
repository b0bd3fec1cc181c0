import type { HoldDecision, HoldMusicDetector } from './types.js';

/**
 * How much earlier than an open onset the episode starts. Measured with `npm run bench --
 * learning --unseen` (51 tracks, calls 2–8, 357 episodes): of 28 episodes that leaked, 18 were
 * caught first by known music on learned audio; with every match on learned audio open, 250 ms
 * leave 15 leaks, 500 ms 12 (3 of them known music decided 2–3.8 s after the music, past the delay
 * line), 1000 ms and 2500 ms 12 and 11. The price is what precedes the music: 0.42–0.69 s of it
 * were paused per episode (mean per call), 0.82–0.92 s with 500 ms, about what a first call,
 * where only the classifier catches the music, pauses (0.89 s).
 */
export const OPEN_ONSET_BACKDATE_MS = 500;

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
 *
 * Except when the first hold's onset is open (`HoldDecision.onsetOpen`: a match against learned
 * audio, a fragment of the track, so the music may have begun before the part that matched): then
 * the episode starts {@link OPEN_ONSET_BACKDATE_MS} before that onset, or at the earliest onset
 * the other detectors are gathering evidence for (`pendingOnsetMs`), if earlier still.
 *
 * And when another detector still holds the stream's start open (`openStartMs`: the silent start,
 * judging the stream's first sound), a first hold begins at that start (issue 5, stop 40): what
 * lies between is the stream's silence, or the time before the PBX's first packet, which the
 * classifier does not hear; its stream-start look holds from the first packet.
 */
export class AnyHold {
  readonly #detectors: readonly HoldMusicDetector[];
  readonly #holding: boolean[];
  /** The latest end reported in this episode by a detector that let go while others held. */
  #end = 0;

  /** `detectors`: the detectors in the order of `decide`'s index. */
  constructor(detectors: readonly HoldMusicDetector[]) {
    this.#detectors = detectors;
    this.#holding = detectors.map(() => false);
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
      if (was) return decision;
      this.#end = 0;
      return this.#fromOpenStart(
        index,
        decision.onsetOpen === true ? this.#earliest(index, decision) : decision,
      );
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

  /**
   * `decision` (a first hold from detector `index`) from the start of the stream, if another
   * detector still holds that start open (`openStartMs`).
   */
  #fromOpenStart(index: number, decision: HoldDecision): HoldDecision {
    const onsetMs = this.#earliestOf('openStartMs', index, decision.onsetMs);
    return onsetMs === decision.onsetMs ? decision : { ...decision, onsetMs };
  }

  /**
   * `decision` (an open onset from detector `index`) from OPEN_ONSET_BACKDATE_MS before its onset,
   * or from the earliest pending onset, if earlier.
   */
  #earliest(index: number, decision: HoldDecision): HoldDecision {
    const backdated = Math.max(0, decision.onsetMs - OPEN_ONSET_BACKDATE_MS);
    return { ...decision, onsetMs: this.#earliestOf('pendingOnsetMs', index, backdated) };
  }

  /** The earliest of `onsetMs` and what the detectors other than `index` report as `onset`. */
  #earliestOf(onset: 'openStartMs' | 'pendingOnsetMs', index: number, onsetMs: number): number {
    let earliest = onsetMs;
    for (let i = 0; i < this.#detectors.length; i++) {
      const t = i === index ? undefined : this.#detectors[i]![onset];
      if (t !== undefined && t < earliest) earliest = t;
    }
    return earliest;
  }
}
