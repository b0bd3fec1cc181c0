import type { HoldDecision } from '../detect/types.js';
import { FRAME_SAMPLES } from '../gate/index.js';

/** Hold music shorter than this is not worth learning (s). */
const MIN_SECONDS = 5;
/** Audio is handed over in chunks of this much (s): bounds memory per call while on hold. */
const CHUNK_SECONDS = 20;
/**
 * The newest this much (s) is held back from a chunk: the classifier decides a release up to some
 * 10 s after the agent began, and that stretch must be cut off, not learned as hold music.
 */
const HOLDBACK_SECONDS = 12;
/**
 * The classifier decides a second or two after the music began and dates the onset back; this
 * much of what came before the decision is kept so a learned episode starts at that onset (s).
 * The same as the delay line's default D: no detector dates an onset back further.
 */
const PRE_ROLL_SECONDS = 2.5;
const RATE = 8000;
const CHUNK_SAMPLES = CHUNK_SECONDS * RATE;

/**
 * Learning (issue 5, Build item 3): audio the music classifier judged hold, and no known track
 * matched, is collected from the episode's onset and handed to `learn` in chunks of 20 s and at
 * the episode's end, so the queue's known-music library recognises that music on later calls.
 * The episode ends at the release's `musicEndMs`, not where the release was decided: the seconds
 * of the agent's voice the classifier needed to let go are not learned (else the agent's next
 * greeting would match as hold music). A chunk goes out only once 12 s more have come in.
 * A ring keeps the last 2.5 s of every call (40 KiB); the episode buffer (32 s, 512 KiB) is
 * allocated when an episode starts and dropped when it ends.
 */
export class HoldAudioLearner {
  readonly #learn: (name: string, pcm: Int16Array) => void;
  readonly #name: string;
  readonly #ring = new Int16Array(Math.round(PRE_ROLL_SECONDS * RATE));
  /** Call time (ms) of the frame after the newest in the ring; the ring holds `#ringFill` samples. */
  #ringEndMs = 0;
  #ringFill = 0;
  #ringAt = 0;
  #buffer: Int16Array | undefined;
  #length = 0;
  #chunks = 0;
  #known = false;

  constructor(name: string, learn: (name: string, pcm: Int16Array) => void) {
    this.#name = name;
    this.#learn = learn;
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
        this.#buffer = new Int16Array((CHUNK_SECONDS + HOLDBACK_SECONDS) * RATE);
        this.#length = 0;
        this.#preRoll(decision.onsetMs);
      }
    } else if (decision.state === 'no-hold') {
      this.#finish(decision.musicEndMs ?? decision.onsetMs);
    }
  }

  /** One 20 ms frame of what the caller hears, with its call time. */
  frame(pcm: Int16Array, timeMs: number): void {
    const ring = this.#ring;
    let at = this.#ringAt;
    for (let i = 0; i < pcm.length; i++) {
      ring[at] = pcm[i]!;
      if (++at === ring.length) at = 0;
    }
    this.#ringAt = at;
    this.#ringFill = Math.min(ring.length, this.#ringFill + pcm.length);
    this.#ringEndMs = timeMs + (pcm.length * 1000) / RATE;
    if (this.#buffer) this.#append(pcm, 0, pcm.length);
  }

  /** Call end: an episode still open counts too. */
  close(): void {
    this.#finish(Infinity);
  }

  /** Copies what the ring holds from `onsetMs` on into the (empty) episode buffer. */
  #preRoll(onsetMs: number): void {
    const ring = this.#ring;
    const back =
      Math.round(((this.#ringEndMs - onsetMs) * RATE) / 1000 / FRAME_SAMPLES) * FRAME_SAMPLES;
    const take = Math.max(0, Math.min(this.#ringFill, back));
    const start = (this.#ringAt - take + ring.length) % ring.length;
    const first = Math.min(take, ring.length - start);
    this.#append(ring, start, start + first);
    this.#append(ring, 0, take - first);
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
      const after = Math.max(0, Math.round(((this.#ringEndMs - musicEndMs) * RATE) / 1000));
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
