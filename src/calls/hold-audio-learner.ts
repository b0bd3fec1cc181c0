import { DEFAULT_HOLD_STATE_OPTIONS, releaseLagMs } from '../detect/classifier/index.js';
import type { HoldDecision } from '../detect/types.js';

/** Hold music shorter than this is not worth learning (s). */
const MIN_SECONDS = 5;
/** Audio is handed over in chunks of this much (s): bounds memory per call while on hold. */
const CHUNK_SECONDS = 20;
const RATE = 8000;
const CHUNK_SAMPLES = CHUNK_SECONDS * RATE;

/** The hold-back for the classifier with its default `exitMs` and `voiceOverMs` (26 s). */
const DEFAULT_HOLDBACK_SECONDS = Math.ceil(releaseLagMs(DEFAULT_HOLD_STATE_OPTIONS.exitMs) / 1000);

/**
 * Learning (issue 5, Build item 3): audio the music classifier judged hold, and no known track
 * matched, is collected from the frame where the classifier decided the hold and handed to
 * `learn` in chunks of 20 s and at the episode's end, so the queue's known-music library
 * recognises that music on later calls. Both ends are where the music surely played, not where
 * the gate pauses:
 * - the start is the decision, not the onset it is dated back to: that onset fails closed, up to
 *   some 3 s early, into the agent's last words before the hold (learned, they matched the next
 *   call's agent as hold music: `npm run bench -- learning --unseen`, stop 16);
 * - the end is the release's `musicEndMs`, not where the release was decided: the seconds of the
 *   agent's voice the classifier needed to let go are not learned either. A chunk goes out only
 *   once `holdbackSeconds` more have come in (the classifier's `releaseLagMs`: 26 s for the default
 *   `exitMs` and `voiceOverMs`), so that cut can still reach it.
 * The episode buffer (20 s + the hold-back: 736 KiB by default) is allocated when an episode
 * starts and dropped when it ends.
 */
export class HoldAudioLearner {
  readonly #learn: (name: string, pcm: Int16Array) => void;
  readonly #name: string;
  /** Call time (ms) of the end of the newest frame. */
  #nowMs = 0;
  #buffer: Int16Array | undefined;
  #length = 0;
  #chunks = 0;
  #known = false;
  readonly #holdbackSeconds: number;

  constructor(
    name: string,
    learn: (name: string, pcm: Int16Array) => void,
    holdbackSeconds = DEFAULT_HOLDBACK_SECONDS,
  ) {
    this.#name = name;
    this.#learn = learn;
    this.#holdbackSeconds = holdbackSeconds;
  }

  /** A detector decision: classifier holds start/end an episode; a known-music hold spoils it. */
  decision(decision: HoldDecision): void {
    if (decision.cause === 'known-music') {
      this.#known = decision.state === 'hold';
      if (this.#known) this.#buffer = undefined; // already known: nothing to learn
      return;
    }
    if (decision.cause !== 'music-classifier') return;
    if (decision.state === 'hold' && decision.confident && !this.#known) {
      if (this.#buffer === undefined) {
        this.#buffer = new Int16Array((CHUNK_SECONDS + this.#holdbackSeconds) * RATE);
        this.#length = 0;
      }
    } else if (decision.state === 'no-hold') {
      this.#finish(decision.musicEndMs ?? decision.onsetMs);
    }
  }

  /** One 20 ms frame of what the caller hears, with its call time. */
  frame(pcm: Int16Array, timeMs: number): void {
    this.#nowMs = timeMs + (pcm.length * 1000) / RATE;
    if (this.#buffer) this.#append(pcm, 0, pcm.length);
  }

  /**
   * The source changed (a new SSRC on what the caller hears): an episode in progress ends with the
   * music surely playing up to `musicEndMs`, and a known match no longer holds.
   */
  sourceChanged(musicEndMs: number): void {
    this.#known = false;
    this.#finish(musicEndMs);
  }

  /** Call end: an episode still open counts too. */
  close(): void {
    this.#finish(Infinity);
  }

  #append(pcm: Int16Array, from: number, to: number): void {
    const buffer = this.#buffer!;
    for (let i = from; i < to; i++) {
      buffer[this.#length++] = pcm[i]!;
      if (this.#length === buffer.length) this.#handOver();
    }
  }

  /**
   * The buffer is full: its first 20 s go to the library, the held-back rest moves to the front
   * and the episode goes on.
   */
  #handOver(): void {
    const buffer = this.#buffer!;
    this.#emit(buffer.slice(0, CHUNK_SAMPLES));
    buffer.copyWithin(0, CHUNK_SAMPLES, this.#length);
    this.#length -= CHUNK_SAMPLES;
  }

  #emit(pcm: Int16Array): void {
    this.#chunks += 1;
    this.#learn(`${this.#name}#${this.#chunks}`, pcm);
  }

  /**
   * The episode's end: what it holds up to `musicEndMs` goes to the library unless it is too
   * short to learn.
   */
  #finish(musicEndMs: number): void {
    if (this.#buffer) {
      const after = Math.max(0, Math.round(((this.#nowMs - musicEndMs) * RATE) / 1000));
      const keep = Math.max(0, this.#length - after);
      let from = 0;
      for (; keep - from > CHUNK_SAMPLES; from += CHUNK_SAMPLES) {
        this.#emit(this.#buffer.slice(from, from + CHUNK_SAMPLES));
      }
      if (keep - from >= MIN_SECONDS * RATE) this.#emit(this.#buffer.slice(from, keep));
    }
    this.#buffer = undefined;
  }
}
