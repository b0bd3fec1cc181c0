import { DEFAULT_HOLD_STATE_OPTIONS, releaseLagMs } from '../detect/classifier/index.js';
import type { HoldDecision } from '../detect/types.js';

/** Hold music shorter than this is not worth learning (s). */
const MIN_SECONDS = 5;
/** Audio is handed over in chunks of this much (s): bounds memory per call while on hold. */
const CHUNK_SECONDS = 20;
const RATE = 8000;
const CHUNK_SAMPLES = CHUNK_SECONDS * RATE;
/**
 * A stream's first seconds are kept this long (s): a classifier hold decided within them is
 * learned from the stream's first frame (see {@link HoldAudioLearner}).
 */
export const STREAM_START_SECONDS = 15;
const START_SAMPLES = STREAM_START_SECONDS * RATE;

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
 *
 * One exception to the start: a hold decided within a stream's first {@link STREAM_START_SECONDS}
 * is learned from the stream's first frame (issue 5, stop 43). What a PBX plays when it answers a
 * queue call is the same on every call: the track from its first note, or a welcome spoken over
 * it. When the classifier hears that music only seconds in (a quiet intro, a voice over quiet
 * music), those seconds were written on every call, since what was learned began later, at the
 * decision; learned from the stream's start, the next call's start is matched as known within
 * about a second, inside the delay line. A live agent who answers and puts the caller on hold
 * within those seconds is learned too, but a live voice never comes again sample for sample: only
 * a recording the PBX plays can match. The stream's first seconds are kept until a hold begins or
 * they are over (240 KiB, from the stream's first frame; again after a new source).
 */
export class HoldAudioLearner {
  readonly #learn: (name: string, pcm: Int16Array, musicFromSample: number) => void;
  readonly #name: string;
  /** Call time (ms) of the end of the newest frame. */
  #nowMs = 0;
  #buffer: Int16Array | undefined;
  #length = 0;
  #chunks = 0;
  #known = false;
  readonly #holdbackSeconds: number;
  /** The stream's first frames while they may still be learned; undefined once spent. */
  #start: Int16Array | undefined;
  #startLength = 0;
  /** Whether the stream's start is still open: no episode yet, and not past its first seconds. */
  #startOpen = true;
  /** Samples of the stream's start at the front of the episode's next chunk (0: none). */
  #musicFrom = 0;

  constructor(
    name: string,
    learn: (name: string, pcm: Int16Array, musicFromSample: number) => void,
    holdbackSeconds = DEFAULT_HOLDBACK_SECONDS,
  ) {
    this.#name = name;
    this.#learn = learn;
    this.#holdbackSeconds = holdbackSeconds;
  }

  /** A detector decision: classifier holds start/end an episode; a known-music hold spoils it. */
  decision(decision: HoldDecision): void {
    if (decision.cause === 'known-music') {
      // A provisional match (on a learned stream start, before its music) is not known yet.
      if (decision.provisional) return;
      this.#known = decision.state === 'hold';
      if (this.#known) {
        this.#buffer = undefined; // already known: nothing to learn
        this.#closeStart();
      }
      return;
    }
    if (decision.cause !== 'music-classifier') return;
    if (decision.state === 'hold' && decision.confident && !this.#known) {
      if (this.#buffer === undefined) {
        this.#buffer = new Int16Array((CHUNK_SECONDS + this.#holdbackSeconds) * RATE);
        this.#length = 0;
        // Decided within the stream's first seconds: learned from the stream's first frame.
        if (this.#start !== undefined) {
          this.#musicFrom = this.#startLength;
          this.#append(this.#start, 0, this.#startLength);
        }
      }
      this.#closeStart();
    } else if (decision.state === 'no-hold') {
      this.#finish(decision.musicEndMs ?? decision.onsetMs);
    }
  }

  /** One 20 ms frame of what the caller hears, with its call time. */
  frame(pcm: Int16Array, timeMs: number): void {
    this.#nowMs = timeMs + (pcm.length * 1000) / RATE;
    if (this.#buffer) this.#append(pcm, 0, pcm.length);
    else if (this.#startOpen) this.#keepStart(pcm);
  }

  /** Keeps a frame of the stream's start; once its first seconds are over, lets them go. */
  #keepStart(pcm: Int16Array): void {
    const start = (this.#start ??= new Int16Array(START_SAMPLES));
    const n = Math.min(pcm.length, START_SAMPLES - this.#startLength);
    start.set(n === pcm.length ? pcm : pcm.subarray(0, n), this.#startLength);
    this.#startLength += n;
    if (this.#startLength === START_SAMPLES) this.#closeStart();
  }

  /** The stream's start can no longer be learned: an episode began, or its seconds are over. */
  #closeStart(): void {
    this.#start = undefined;
    this.#startLength = 0;
    this.#startOpen = false;
  }

  /**
   * The source changed (a new SSRC on what the caller hears): an episode in progress ends with the
   * music surely playing up to `musicEndMs`, and a known match no longer holds.
   */
  sourceChanged(musicEndMs: number): void {
    this.#known = false;
    this.#finish(musicEndMs);
    this.#closeStart();
    this.#startOpen = true;
  }

  /** Call end: an episode still open counts too. */
  close(): void {
    this.#finish(Infinity);
    this.#closeStart();
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
    this.#learn(`${this.#name}#${this.#chunks}`, pcm, this.#musicFrom);
    this.#musicFrom = 0;
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
      // Too short to learn; or the stream's start with none of the music after it, which a later
      // call's match could never reach.
      if (keep - from >= MIN_SECONDS * RATE && keep - from > this.#musicFrom) {
        this.#emit(this.#buffer.slice(from, keep));
      }
    }
    this.#buffer = undefined;
    this.#musicFrom = 0;
  }
}
