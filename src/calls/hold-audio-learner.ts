import type { HoldDecision } from '../detect/types.js';

/** Hold music shorter than this is not worth learning (s). */
const MIN_SECONDS = 5;
/** At most this much of an episode is kept (s): bounds memory per call while on hold. */
const MAX_SECONDS = 20;
const RATE = 8000;

/**
 * Learning (issue 5, Build item 3): audio the music classifier judged hold, and no known track
 * matched, is collected while the episode lasts and handed to `learn` when it ends, so the
 * queue's known-music library recognises that music on later calls. The buffer is allocated
 * when an episode starts and dropped when it ends.
 */
export class HoldAudioLearner {
  readonly #learn: (name: string, pcm: Int16Array) => void;
  readonly #name: string;
  #buffer: Int16Array | undefined;
  #length = 0;
  #episodes = 0;
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
      this.#buffer ??= new Int16Array(MAX_SECONDS * RATE);
      this.#length = 0;
    } else if (decision.state === 'no-hold') {
      this.#finish();
    }
  }

  /** One 20 ms frame of what the caller hears. */
  frame(pcm: Int16Array): void {
    const buffer = this.#buffer;
    if (!buffer || this.#length + pcm.length > buffer.length) return;
    buffer.set(pcm, this.#length);
    this.#length += pcm.length;
  }

  /** Call end: an episode still open counts too. */
  close(): void {
    this.#finish();
  }

  #finish(): void {
    const buffer = this.#buffer;
    this.#buffer = undefined;
    if (!buffer || this.#length < MIN_SECONDS * RATE) return;
    this.#episodes += 1;
    this.#learn(`${this.#name}#${this.#episodes}`, buffer.slice(0, this.#length));
  }
}
