import type { HoldDecision } from '../detect/types.js';
import { FRAME_SAMPLES } from '../gate/index.js';

/** Hold music shorter than this is not worth learning (s). */
const MIN_SECONDS = 5;
/** Audio is handed over in chunks of this much (s): bounds memory per call while on hold. */
const CHUNK_SECONDS = 20;
/**
 * The classifier decides a second or two after the music began and dates the onset back; this
 * much of what came before the decision is kept so a learned episode starts at that onset (s).
 * The same as the delay line's default D: no detector dates an onset back further.
 */
const PRE_ROLL_SECONDS = 2.5;
const RATE = 8000;

/**
 * Learning (issue 5, Build item 3): audio the music classifier judged hold, and no known track
 * matched, is collected from the episode's onset and handed to `learn` in chunks of 20 s and at
 * the episode's end, so the queue's known-music library recognises that music on later calls.
 * A ring keeps the last 2.5 s of every call (40 KiB); the chunk buffer (320 KiB) is allocated
 * when an episode starts and dropped when it ends.
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
        this.#buffer = new Int16Array(CHUNK_SECONDS * RATE);
        this.#length = 0;
        this.#preRoll(decision.onsetMs);
      }
    } else if (decision.state === 'no-hold') {
      this.#finish();
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
    this.#finish();
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

  /** A full chunk goes to the library; the episode goes on in the same buffer. */
  #handOver(): void {
    this.#chunks += 1;
    this.#learn(`${this.#name}#${this.#chunks}`, this.#buffer!.slice(0, this.#length));
    this.#length = 0;
  }

  /** The episode's end: what is left goes to the library unless it is too short to learn. */
  #finish(): void {
    if (this.#buffer && this.#length >= MIN_SECONDS * RATE) this.#handOver();
    this.#buffer = undefined;
  }
}
