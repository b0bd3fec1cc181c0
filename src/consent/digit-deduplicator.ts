import type { DtmfDigit } from '../media/dtmf/index.js';

/** Where a key press was heard. */
export type DigitSource = 'rfc4733' | 'inband' | 'info';

/** A press of the same key from another source within this window is the same press. */
export const CROSS_SOURCE_WINDOW_MS = 300;

/** Presses kept for matching; a burst faster than this many keys per window is not expected. */
const MAX_RECENT = 16;

const SOURCE_BIT: Record<DigitSource, number> = { rfc4733: 1, inband: 2, info: 4 };

interface Recent {
  readonly digit: DtmfDigit;
  readonly source: DigitSource;
  readonly atMs: number;
  /** Bits of the other sources whose report of this press was already folded into it. */
  folded: number;
}

/**
 * One key press may reach holdgate twice: a phone configured for both SIP INFO and RFC 4733, or
 * RFC 4733 whose tone also survives in the audio (RFC 4733 §2.6 asks senders not to, not all
 * comply). The media worker already reports RFC 4733 and in-band of one stream once; this folds
 * INFO against the media path: the same key from a *different* source within
 * {@link CROSS_SOURCE_WINDOW_MS} of a counted press is that press, and each counted press absorbs
 * at most one report per other source, so interleaved bursts (`9`,`5` by RFC 4733, then `9`,`5`
 * by INFO) and quick double presses are counted once per press (issue 6, Proof: "digit bursts
 * counted right"). Repeats from the same source are separate presses (the detectors already
 * merge the packets and segments of one press, RFC 4733 §2.5.1).
 */
export class DigitDeduplicator {
  readonly #recent: Recent[] = [];

  /** True when the press is new, false when it repeats one already counted. */
  accept(digit: DtmfDigit, source: DigitSource, atMs: number): boolean {
    const bit = SOURCE_BIT[source];
    let match: Recent | undefined;
    for (const r of this.#recent) {
      if (r.digit !== digit || r.source === source || (r.folded & bit) !== 0) continue;
      const gap = Math.abs(atMs - r.atMs);
      if (gap > CROSS_SOURCE_WINDOW_MS) continue;
      if (match === undefined || gap < Math.abs(atMs - match.atMs)) match = r;
    }
    if (match !== undefined) {
      match.folded |= bit;
      return false;
    }
    // Forget presses too old to match anything from now on (arrivals may be slightly out of order).
    while (
      this.#recent.length > 0 &&
      (this.#recent.length >= MAX_RECENT ||
        this.#recent[0]!.atMs < atMs - 2 * CROSS_SOURCE_WINDOW_MS)
    ) {
      this.#recent.shift();
    }
    this.#recent.push({ digit, source, atMs, folded: 0 });
    return true;
  }
}
