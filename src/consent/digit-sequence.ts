/** Inter-digit timeout of a multi-key sequence (ITU-T Q.23 keypads; a common IVR value). */
export const INTER_DIGIT_TIMEOUT_MS = 3000;

/**
 * Matches a key sequence (e.g. `*9`) at the end of the caller's recent presses, with an
 * inter-digit timeout: a pause longer than that starts over. A one-key sequence matches every
 * press of that key.
 */
export class DigitSequence {
  readonly #target: string;
  #typed = '';
  #lastMs = -Infinity;

  constructor(target: string) {
    this.#target = target;
  }

  /** Feed one press; true when the sequence is now complete. */
  push(digit: string, atMs: number): boolean {
    if (atMs - this.#lastMs > INTER_DIGIT_TIMEOUT_MS) this.#typed = '';
    this.#lastMs = atMs;
    this.#typed = (this.#typed + digit).slice(-this.#target.length);
    if (this.#typed === this.#target) {
      this.#typed = '';
      return true;
    }
    return false;
  }
}
