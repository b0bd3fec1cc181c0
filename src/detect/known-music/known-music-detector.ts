import type { HoldDecision, HoldMusicDetector } from '../types.js';
import { OPEN_ONSET_BACKDATE_MS } from '../any-hold.js';
import type { KnownMusicLibrary } from './known-music-library.js';
import {
  FP_BITS,
  FRAME_SAMPLES,
  NO_BITS,
  SubFingerprinter,
  weightedBitErrors,
} from './sub-fingerprinter.js';

/** Live frames remembered (2.56 s: covers the look-back to a music onset). */
const RING = 128;
const RING_MASK = RING - 1;
/**
 * Vote table slots (power of two; the hash keeps log2 of it); two probes per offset (`addVote`).
 * Each frame cast some 60 votes with one track, some 200 with Asterisk's five (with four
 * reference phases; with two, some 120 with the five), so a smaller table evicts a right offset
 * before its second vote arrives. Two probes, not four: on 900 onsets
 * (`npm run bench -- known-music --onsets 300`, three codec chains) detection latency and onsets
 * stay within a frame or two of four probes' (amr-nb p95 1.52 s against 1.38 s, share within 1 s
 * 0.887 against 0.883), `bench learning --unseen` is unchanged, and the search costs 0.85 µs a
 * frame less (5.1 → 4.3 µs with the five tracks). A 512-slot table matched slightly sooner
 * (amr-nb p95 1.34 s) for 0.55 µs more.
 */
const VOTE_BITS = 8;
/**
 * Index entries per 2^VOTE_BITS vote slots: a larger library casts proportionally more votes per
 * frame, and the table doubles per doubling past this (up to 2^MAX_VOTE_BITS slots). With a fixed
 * 256 slots and Wesnoth's 30 tracks added to the bench's 3 Asterisk tracks (631,147 entries), a
 * right offset was evicted before its second vote so often that `bench known-music --onsets 300
 * --known-extra /usr/share/games/wesnoth/1.16/data/core/music --known-extra-count 30` matched
 * within 1 s in 0.977 / 0.86 / 0.857 / 0.903 of onsets (G.711 / GSM / AMR-NB / Opus), 1 / 5 / 6 / 3
 * of them late (hold audio written, up to 3 s), against 0.99 / 0.957 / 0.953 / 0.963 with the 3
 * alone; with 2048 slots and that library's bar (49.7, see MIN_SCORE_PER_DOUBLING), 0.99 / 0.95 /
 * 0.933 / 0.947, 0 / 0 / 2 / 1 late. The price: more chance pairs of votes to verify, 14.7 µs a
 * frame for the search on the unseen corpus against 10.1 µs with 256 slots (Asterisk's 5 and the
 * 30, `bench moh --known-extra`). Asterisk's five tracks (109,215 entries) keep 256 slots.
 */
const ENTRIES_PER_BASE_TABLE = 1 << 17;
const MAX_VOTE_BITS = 14;
/**
 * Besides the one-bit neighbours, every combination of two or more of this many least reliable
 * bits is looked up: a codec's flips gather in the bits whose band differences were nearly equal.
 */
const WEAK_BITS = 4;
const WEAK_MASKS = Array.from({ length: 1 << WEAK_BITS }, (_, m) => m).filter(
  (m) => (m & (m - 1)) !== 0,
);
/** Votes older than this many frames no longer count. */
const VOTE_WINDOW = 50;
/** Votes for one offset before it is verified. */
const VOTE_MIN = 2;
/** Index buckets larger than this are stop-words (steady tones, all-same bits): skipped. */
const MAX_BUCKET = 256;
/**
 * Per-frame score is TAU − bit errors: matching frames (BER ≲ 0.2) gain, random ones (≈8) lose.
 * Errors are weighted by how rarely a codec flips each bit (`weightedBitErrors`, mean weight 1), so
 * an error in a band a codec keeps counts more than one in a band it garbles: that is the frame's
 * log-likelihood ratio, whose offset TAU = 5 is for the flip rates of `CODEC_BIT_FLIP_RATE`.
 */
export const TAU = 5;
/** While locked the bar is one bit lower: quiet or steady passages match at BER ≈ 0.3–0.35. */
const TAU_TRACK = 6;
/**
 * The onset is where the maximum-score suffix starts with this bar: a late onset leaks hold audio
 * while an early one costs a few frames of what came before, so the music's first frames, whose
 * windows straddle the onset and which a codec chain garbles most (BER up to 0.4), must still
 * count. Unrelated audio (BER 0.5, 8 errors) loses a point per frame and ends the suffix soon.
 */
const TAU_ONSET = 7;
/**
 * A candidate needs this many non-silent matching frames, a (weighted) BER below BER_MAX over them
 * and a score of DEFAULT_MIN_SCORE (e.g. 17 frames at BER 0.13).
 */
const MIN_MATCH_FRAMES = 15;
const BER_MAX = 0.3;
/**
 * The bar: the lowest multiple of 4 at which other audio never matches. On the five renders of
 * the two corpora (10.66 h of speech, IVRs, tones, noise and other music), `npm run bench --
 * known-music --onsets 300 --negatives …` counts, with the bands up to 1700 Hz (stop 30), none at
 * 44, 1 hold at 40, 5 at 36, 12 at 32. With the bands up to 3400 Hz the bar was 48 (1 hold at 44,
 * 2 at 40, 8 at 36); with unweighted bit errors it was 36. At 44, 300 onsets per chain match
 * within 1 s in 0.99 (G.711), 0.957 (GSM), 0.953 (AMR-NB) and 0.963 (Opus) of onsets, the slowest
 * 2.8 s after the music.
 */
export const DEFAULT_MIN_SCORE = 44;

/**
 * Bar points added per doubling of the library's index past ENTRIES_PER_BASE_TABLE: every
 * reference frame is another chance for unrelated audio to line up, so the chance of a false
 * match grows with the library, and the bar with its logarithm. Below the committed bar the false
 * holds on other audio fell about 3.5-fold per 4 points (12, 5, 1 at 32, 36, 40 with Asterisk's
 * five tracks), about 2.2 points per halving. With Wesnoth's 30 tracks added to the bench's 3
 * (631,147 entries, 2.27 doublings past the base) and the bar left at 44, the unseen renders'
 * 7.92 h of other audio held once; none at 48 (`bench known-music --known-extra … --negatives
 * /tmp/unseen:/tmp/us7`). 2.5 points per doubling puts that library's bar at 49.7. Between the two
 * (stop 33): with 10 and 20 of Wesnoth's tracks (bars 45.7, 48.4) other audio held none at 44 and
 * 2 and 4 times at 40 (`--negatives /tmp/unseen:<development corpus>`, 4.81 h, and
 * `/tmp/unseen:/tmp/us7`, 7.92 h).
 */
const MIN_SCORE_PER_DOUBLING = 2.5;

/** The bar for a library of `entries` index entries (see MIN_SCORE_PER_DOUBLING). */
export function defaultMinScore(entries: number): number {
  return entries <= ENTRIES_PER_BASE_TABLE
    ? DEFAULT_MIN_SCORE
    : DEFAULT_MIN_SCORE + MIN_SCORE_PER_DOUBLING * Math.log2(entries / ENTRIES_PER_BASE_TABLE);
}
/** Lost after 75 non-silent frames (1.5 s) without improving the match, or 5 s of anything. */
const LOST_FRAMES = 75;
const LOST_TOTAL_FRAMES = 250;
const FRAME_MS = 20;
/**
 * How long before the first matching frame the onset is placed. That frame starts about 180 ms
 * after the music (its 64 ms window, the 80 ms of frames summed with it and those four frames
 * earlier must all hold music), but a codec can garble the music's first frames past TAU_ONSET.
 * With a lead of 180 ms, `npm run bench -- known-music --onsets 300` placed the onset late (hold
 * audio written) in 2, 12, 12 and 2 of 300 onsets through G.711, GSM, AMR-NB and Opus, by up to
 * 120, 400, 2000 and 120 ms, and never more than 180 ms early; with 300 ms, in 0, 1, 6 and 0
 * (five of AMR-NB's by 0.4–1.9 s, in matches 1.2–4 s after the music whose first second or more
 * the codec garbled), for 120 ms more of what came before each hold. Early is the safe side: it
 * leaks nothing. (Measured with four reference phases and the bands up to 3400 Hz. With the two
 * phases and the bands up to 1700 Hz of stop 30, one onset is late: by 20 ms, through AMR-NB. In
 * `test/moh-detection.int.test.ts`, clean G.711, the first matching frame starts 60 ms after the
 * music, so the pause starts 240 ms before it.)
 */
export const ONSET_LEAD_MS = 300;

const CAUSE = 'known-music';

/**
 * Default of {@link KnownMusicOptions.holdOverMs}: Asterisk's stock `queue-periodic-announce` is
 * 7.8 s, and the music must then play for up to a second before it is matched again.
 */
export const DEFAULT_HOLD_OVER_MS = 10_000;

export interface KnownMusicOptions {
  /**
   * How long known music may stop and still be the same hold: a PBX plays queue announcements
   * between its music ("you are caller number 3", "thank you for waiting"), and the caller is on
   * hold throughout. The release comes this long after the music's end, unless the music is
   * matched again first; so every hold costs up to this much of what follows it (the agent's
   * first words). 0: release at the music's end, backdated there from the moment the match was
   * lost (up to 1.5 s, or 5 s of silence), which records the caller during every announcement.
   */
  readonly holdOverMs?: number;
  /**
   * The score a candidate alignment needs to be a match (default {@link DEFAULT_MIN_SCORE}). Lower
   * it only to measure how near other audio comes to matching (`npm run bench -- known-music
   * --negatives`).
   */
  readonly minScore?: number;
}

/**
 * Recognises known hold music (issue 5, Build item 1) in the PBX→caller audio: each frame's
 * sub-fingerprint and its 16 one-bit neighbours are looked up in the library's index; every hit
 * votes for an alignment `offset = referenceFrame − liveFrame` in a small hashed vote table; an
 * offset with enough recent votes is verified by the bit error rate over the live ring, taking
 * the maximum-score suffix (the frames since the music began) as the match, whose first frame
 * is the onset. While locked each frame extends the score; when it has not improved for 1.5 s
 * of non-silent audio the match is lost. The hold ends `holdOverMs` after the last improving
 * frame (announcements between music are still hold) unless music is matched again by then.
 * Silence frames carry no bits: they neither confirm nor break a match for up to 5 s.
 * A match that begins on a learned stream start before its music (`KnownRun.musicFrom`: what a
 * queue's stream played before the classifier heard the music, a welcome spoken over it, a quiet
 * intro) is a provisional hold, unsure: it becomes sure once the match runs on into the music, and
 * is retracted to its onset, with no hold-over, if it is lost or gives way to another alignment
 * first (the stream only began like the learned one: a recorded greeting, then a live agent).
 * Other frame lengths are re-chunked into 160-sample frames. No allocation per frame.
 */
export class KnownMusicDetector implements HoldMusicDetector {
  private readonly library: KnownMusicLibrary;
  private readonly fper = new SubFingerprinter();
  private readonly ringFp = new Int32Array(RING);
  private readonly ringTime = new Float64Array(RING);
  private readonly voteOffset: Int32Array;
  private readonly voteCount: Int32Array;
  private readonly voteLast: Int32Array;
  /** 32 − log2 of the vote table's slots (the hash's shift), and slots − 1. */
  private readonly voteShift: number;
  private readonly voteMask: number;
  private readonly pending = new Int16Array(FRAME_SAMPLES);
  private readonly weak = new Uint8Array(WEAK_BITS);
  /** The keys a frame looks up: its sub-fingerprint, its one-bit neighbours, its weak flips. */
  private readonly keys = new Int32Array(1 + FP_BITS + WEAK_MASKS.length);
  private readonly weakMargin = new Float64Array(WEAK_BITS);
  private pendingLength = 0;
  private pendingTime = 0;
  /** Index of the next live frame. */
  private n = 0;
  private locked = false;
  private lockOffset = 0;
  private score = 0;
  private maxScore = 0;
  private bestFrame = 0;
  private bestEndMs = 0;
  private nonSilentSinceBest = 0;
  /** Where the last verification found the match to start (frame, time). */
  private matchStartFrame = 0;
  private matchStartMs = 0;
  private matchScore = 0;
  private readonly holdOverMs: number;
  private readonly minScore: number;
  /**
   * Match lost, hold kept: the release is due `holdOverMs` after `bestEndMs` (the music's end,
   * unchanged until a new match) unless music is matched again.
   */
  private holdingOver = false;
  /**
   * A provisional hold (a match on a learned stream start, before its music): the global frame
   * where the matched run's music begins; −1: the hold is not provisional.
   */
  private provisionalUntil = -1;
  /** The onset of the provisional hold, where a retraction resumes. */
  private provisionalOnsetMs = 0;

  readonly stateBytes: number;

  constructor(library: KnownMusicLibrary, options: KnownMusicOptions = {}) {
    const holdOverMs = options.holdOverMs ?? DEFAULT_HOLD_OVER_MS;
    if (!(holdOverMs >= 0)) throw new RangeError(`holdOverMs must be ≥ 0, not ${holdOverMs}`);
    this.library = library;
    // The vote table is sized to the library when the detector is made (a call's detector keeps
    // its table while the library learns).
    let voteBits = VOTE_BITS;
    while (
      voteBits < MAX_VOTE_BITS &&
      library.entries.length > ENTRIES_PER_BASE_TABLE << (voteBits - VOTE_BITS)
    ) {
      voteBits++;
    }
    const voteSlots = 1 << voteBits;
    this.voteOffset = new Int32Array(voteSlots);
    this.voteCount = new Int32Array(voteSlots);
    this.voteLast = new Int32Array(voteSlots);
    this.voteShift = 32 - voteBits;
    this.voteMask = voteSlots - 1;
    this.stateBytes =
      SubFingerprinter.stateBytes +
      RING * (4 + 8) +
      voteSlots * 12 +
      FRAME_SAMPLES * 2 +
      (1 + FP_BITS + WEAK_MASKS.length) * 4 +
      17 * 8;
    this.holdOverMs = holdOverMs;
    this.minScore = options.minScore ?? defaultMinScore(library.entries.length);
    if (!(this.minScore > 0)) throw new RangeError(`minScore must be > 0, not ${this.minScore}`);
    this.reset();
  }

  /** The track of the current match, if locked (for logs and `classify`). */
  get matchedTrack(): string | undefined {
    return this.locked ? this.library.runAt(this.lockOffset + this.n - 1)?.track : undefined;
  }

  reset(): void {
    this.fper.reset();
    this.ringFp.fill(NO_BITS);
    this.ringTime.fill(0);
    this.voteCount.fill(0);
    this.voteLast.fill(-VOTE_WINDOW - 1);
    this.pendingLength = 0;
    this.n = 0;
    this.locked = false;
    this.holdingOver = false;
    this.score = 0;
    this.maxScore = 0;
    this.nonSilentSinceBest = 0;
    this.provisionalUntil = -1;
  }

  push(frame: Int16Array, callTimeMs: number): HoldDecision | undefined {
    if (this.pendingLength === 0 && frame.length === FRAME_SAMPLES) {
      return this.frame(frame, 0, callTimeMs);
    }
    let decision: HoldDecision | undefined;
    for (let i = 0; i < frame.length; i++) {
      if (this.pendingLength === 0) this.pendingTime = callTimeMs + (i * 1000) / 8000;
      this.pending[this.pendingLength++] = frame[i]!;
      if (this.pendingLength === FRAME_SAMPLES) {
        this.pendingLength = 0;
        decision = this.frame(this.pending, 0, this.pendingTime) ?? decision;
      }
    }
    return decision;
  }

  private frame(pcm: Int16Array, start: number, timeMs: number): HoldDecision | undefined {
    const fp = this.fper.next(pcm, start);
    const n = this.n;
    const slot = n & RING_MASK;
    this.ringFp[slot] = fp;
    this.ringTime[slot] = timeMs;
    this.n = n + 1;
    let decision: HoldDecision | undefined;
    let search = !this.locked;
    if (this.locked) {
      const e = this.errorsAt(n, this.lockOffset);
      if (e >= 0) {
        this.score += TAU_TRACK - e;
        if (this.score > this.maxScore) {
          this.maxScore = this.score;
          this.bestFrame = n;
          this.bestEndMs = timeMs + FRAME_MS;
          this.nonSilentSinceBest = 0;
        } else {
          this.nonSilentSinceBest++;
        }
        search = e > TAU_TRACK;
      }
      if (this.nonSilentSinceBest >= LOST_FRAMES || n - this.bestFrame >= LOST_TOTAL_FRAMES) {
        this.locked = false;
        search = true;
        if (this.provisionalUntil >= 0) decision = this.retract();
        else this.holdingOver = true;
      } else if (
        this.provisionalUntil >= 0 &&
        this.bestFrame + this.lockOffset >= this.provisionalUntil
      ) {
        decision = this.confirm();
      }
    }
    if (this.holdingOver && timeMs >= this.bestEndMs + this.holdOverMs) {
      this.holdingOver = false;
      decision = {
        state: 'no-hold',
        onsetMs: this.bestEndMs + this.holdOverMs,
        cause: CAUSE,
        confident: true,
        musicEndMs: this.bestEndMs,
      };
    }
    if (search && fp !== NO_BITS) {
      const found = this.vote(fp, n);
      if (found !== undefined && !(this.locked && found === this.lockOffset)) {
        const wasLocked = this.locked;
        const wasProvisional = wasLocked && this.provisionalUntil >= 0;
        this.locked = true;
        this.lockOffset = found;
        this.score = this.matchScore;
        this.maxScore = this.matchScore;
        this.bestFrame = n;
        this.bestEndMs = timeMs + FRAME_MS;
        this.nonSilentSinceBest = 0;
        const g = this.matchStartFrame + found;
        const until = this.musicFromAt(g);
        if (wasProvisional && this.sameRecording(g, this.provisionalUntil - 1)) {
          // Another alignment in the same learned start (its other phase, a phrase it repeats):
          // still provisional, or sure once on its music.
          if (until >= 0) this.provisionalUntil = until;
          else decision = this.confirm();
        } else if (decision?.provisional || wasProvisional) {
          // A provisional match gave way to another alignment: what it matched did not lead on
          // into the learned music. It is retracted; the new match is found afresh next frame,
          // with its own onset.
          decision = decision ?? this.retract();
          this.locked = false;
        } else if (!wasLocked) {
          if (decision || this.holdingOver) {
            // Matched again within the hold-over (or in the frame that ended it): still hold.
            decision = undefined;
            this.holdingOver = false;
          } else if (until >= 0) {
            this.provisionalUntil = until;
            this.provisionalOnsetMs = this.matchStartMs;
            decision = {
              state: 'hold',
              onsetMs: this.matchStartMs,
              cause: CAUSE,
              confident: false,
              provisional: true,
              onsetOpen: true,
            };
          } else {
            decision = {
              state: 'hold',
              onsetMs: this.matchStartMs,
              cause: CAUSE,
              confident: true,
              ...(this.onsetOpen() ? { onsetOpen: true } : {}),
            };
          }
        }
      }
    }
    return decision;
  }

  /**
   * Where the music begins in the run under global frame `g`, if `g` lies before it (a learned
   * stream start, see `KnownRun.musicFrom`); −1 if `g` is music.
   */
  private musicFromAt(g: number): number {
    const run = this.library.runAt(g);
    if (run === undefined || run.musicFrom === 0) return -1;
    const from = run.start + run.musicFrom;
    return g < from ? from : -1;
  }

  /** Whether global frames `g` and `h` lie in runs of one `learn` call (its phases). */
  private sameRecording(g: number, h: number): boolean {
    return this.library.runAt(g)?.track === this.library.runAt(h)?.track;
  }

  /**
   * The provisional hold's match reached the run's music: the audio is the same as where the
   * classifier heard the music on the call that learned it, so the hold is sure (an upgrade).
   */
  private confirm(): HoldDecision {
    this.provisionalUntil = -1;
    return { state: 'hold', onsetMs: this.provisionalOnsetMs, cause: CAUSE, confident: true };
  }

  /**
   * The provisional hold's match was lost before the run's music: what this stream plays only
   * began like the learned start (a recorded greeting, words a prompt shares), so the pause ends
   * where it began, as far back as the call began it (`AnyHold` starts a match on learned audio
   * OPEN_ONSET_BACKDATE_MS early), and the delay line gives back what it still holds. No hold-over.
   */
  private retract(): HoldDecision {
    this.provisionalUntil = -1;
    return {
      state: 'no-hold',
      onsetMs: Math.max(0, this.provisionalOnsetMs - OPEN_ONSET_BACKDATE_MS),
      cause: CAUSE,
      confident: true,
      provisional: true,
    };
  }

  /**
   * Whether the match just found lies on learned audio, so that the music may have played before
   * it (see `HoldDecision.onsetOpen`). Learned audio is a fragment of a track, cut where the
   * classifier decided a hold: a later call matches it only from where the fragment begins if it
   * joined the music earlier, and only from a repeated phrase on if the fragment holds the phrase
   * but not what led into it on this call. A configured file holds its whole track: where its
   * match begins, the music began. Once per hold decision.
   */
  private onsetOpen(): boolean {
    const run = this.library.runAt(this.matchStartFrame + this.lockOffset);
    return run !== undefined && run.learned;
  }

  /** Weighted bit errors of live frame `m` against reference `m + offset`; −1: either lacks bits. */
  private errorsAt(m: number, offset: number): number {
    const fp = this.ringFp[m & RING_MASK]!;
    if (fp === NO_BITS) return -1;
    const g = m + offset;
    if (g < 0 || g >= this.library.frames) return FP_BITS >> 1;
    const ref = this.library.refs[g]!;
    if (ref === NO_BITS) return -1;
    return weightedBitErrors(fp, ref);
  }

  /**
   * Looks `fp` up with its one-bit neighbours and with every combination of its WEAK_BITS least
   * reliable bits flipped (Haitsma & Kalker §4.3); returns an offset that verified, if any.
   */
  private vote(fp: number, n: number): number | undefined {
    const keys = this.keys;
    keys[0] = fp;
    for (let b = 0; b < FP_BITS; b++) keys[b + 1] = fp ^ (1 << b);
    const weak = this.weakestBits();
    for (let k = 0; k < WEAK_MASKS.length; k++) {
      const mask = WEAK_MASKS[k]!;
      let flip = 0;
      for (let i = 0; i < WEAK_BITS; i++) if (mask & (1 << i)) flip |= 1 << weak[i]!;
      keys[FP_BITS + 1 + k] = fp ^ flip;
    }
    // Every reference frame under each key votes for its offset; an offset at VOTE_MIN votes
    // is verified, and the first that verifies is the match.
    const heads = this.library.heads;
    const entries = this.library.entries;
    let found = 0;
    let matched = false;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      const from = heads[key]!;
      const to = heads[key + 1]!;
      if (to - from > MAX_BUCKET) continue;
      for (let j = from; j < to; j++) {
        // `| 0`: a Uint32Array element (global frames < 2^31) kept in an int32 register.
        const offset = (entries[j]! | 0) - n;
        const count = this.addVote(offset, n);
        if (count >= VOTE_MIN && !matched && this.verify(offset, n)) {
          found = offset;
          matched = true;
        }
      }
    }
    return matched ? found : undefined;
  }

  /** The WEAK_BITS bits of the last fingerprint with the smallest margins, in `this.weak`. */
  private weakestBits(): Uint8Array {
    const margins = this.fper.margins;
    const weak = this.weak;
    const weakMargin = this.weakMargin;
    weakMargin.fill(Infinity);
    for (let b = 0; b < FP_BITS; b++) {
      const m = margins[b]!;
      if (m >= weakMargin[WEAK_BITS - 1]!) continue;
      let i = WEAK_BITS - 1;
      while (i > 0 && weakMargin[i - 1]! > m) {
        weakMargin[i] = weakMargin[i - 1]!;
        weak[i] = weak[i - 1]!;
        i--;
      }
      weakMargin[i] = m;
      weak[i] = b;
    }
    return weak;
  }

  /**
   * One vote for `offset` in the table's two slots from its hash (the probes, unrolled): its
   * count so far, or 1 when it takes the slot of the stalest or least voted offset there (the
   * first slot on a tie).
   */
  private addVote(offset: number, n: number): number {
    const voteOffset = this.voteOffset;
    const voteCount = this.voteCount;
    const voteLast = this.voteLast;
    const s0 = Math.imul(offset, 0x9e3779b1) >>> this.voteShift;
    const s1 = (s0 + 1) & this.voteMask;
    const fresh0 = n - voteLast[s0]! <= VOTE_WINDOW;
    if (fresh0 && voteOffset[s0] === offset) {
      voteLast[s0] = n;
      return ++voteCount[s0]!;
    }
    const fresh1 = n - voteLast[s1]! <= VOTE_WINDOW;
    if (fresh1 && voteOffset[s1] === offset) {
      voteLast[s1] = n;
      return ++voteCount[s1]!;
    }
    const c0 = fresh0 ? voteCount[s0]! : 0;
    const c1 = fresh1 ? voteCount[s1]! : 0;
    const victim = c1 < c0 ? s1 : s0;
    voteOffset[victim] = offset;
    voteCount[victim] = 1;
    voteLast[victim] = n;
    return 1;
  }

  /**
   * Verifies `offset` over the live ring: the maximum-score suffix ending at frame `n` must reach
   * the bar and hold at least MIN_MATCH_FRAMES non-silent frames with a BER below BER_MAX. Sets
   * matchStartMs.
   */
  private verify(offset: number, n: number): boolean {
    return this.reachesBar(offset, n) && this.matchFrom(offset, n);
  }

  /**
   * Whether the maximum-score suffix ending at frame `n` reaches the bar at `offset`: the first
   * half of {@link verify}, its score alone. Nearly every offset checked fails here (some 2–3 a
   * frame, most of them chance pairs of votes), over about 75 of the ring's frames each, so this
   * loop keeps only the running sum and its bound; `matchFrom` rescans the few that pass.
   */
  private reachesBar(offset: number, n: number): boolean {
    let sum = 0;
    const oldest = Math.max(0, n - RING + 1);
    const minScore = this.minScore;
    // errorsAt, inlined with the arrays in locals: this loop runs for every verified offset.
    const ringFp = this.ringFp;
    const refs = this.library.refs;
    const refFrames = this.library.frames;
    for (let m = n; m >= oldest; m--) {
      const fp = ringFp[m & RING_MASK]!;
      if (fp === NO_BITS) continue;
      const g = m + offset;
      let e: number;
      if (g < 0 || g >= refFrames) e = FP_BITS >> 1;
      else {
        const ref = refs[g]!;
        if (ref === NO_BITS) continue;
        e = weightedBitErrors(fp, ref);
      }
      sum += TAU - e;
      if (sum >= minScore) return true;
      // No frame adds more than TAU: once even the best case of the older ones cannot bring
      // the score to minScore, the rest of the ring cannot make this offset pass.
      if (sum + TAU * (m - oldest) < minScore) return false;
    }
    return false;
  }

  /**
   * The second half of {@link verify}, for an offset whose score reaches the bar: the
   * maximum-score suffix must also hold MIN_MATCH_FRAMES non-silent frames with a BER below
   * BER_MAX. Sets matchStartMs.
   */
  private matchFrom(offset: number, n: number): boolean {
    let sum = 0;
    let best = 0;
    let bestStart = -1;
    let bestFrames = 0;
    let bestErrors = 0;
    let frames = 0;
    let errors = 0;
    let onsetSum = 0;
    let onsetBest = 0;
    let onsetStart = -1;
    const oldest = Math.max(0, n - RING + 1);
    const minScore = this.minScore;
    // Rare (an offset that reached the bar): errorsAt as called, not inlined as in reachesBar.
    for (let m = n; m >= oldest; m--) {
      const e = this.errorsAt(m, offset);
      if (e < 0) continue;
      sum += TAU - e;
      onsetSum += TAU_ONSET - e;
      frames++;
      errors += e;
      if (sum > best) {
        best = sum;
        bestStart = m;
        bestFrames = frames;
        bestErrors = errors;
      }
      if (onsetSum > onsetBest) {
        onsetBest = onsetSum;
        onsetStart = m;
      }
    }
    if (bestStart < 0 || bestFrames < MIN_MATCH_FRAMES || best < minScore) return false;
    if (bestErrors / (bestFrames * FP_BITS) >= BER_MAX) return false;
    const start = Math.min(bestStart, onsetStart);
    this.matchStartFrame = start;
    this.matchStartMs = this.ringTime[start & RING_MASK]! - ONSET_LEAD_MS;
    this.matchScore = best;
    return true;
  }
}
