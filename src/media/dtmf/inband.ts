import { DTMF_DIGITS, type DtmfDigit, type DtmfEvent } from './dtmf-digit.js';

/** Samples per 20 ms frame at 8 kHz. */
export const INBAND_FRAME_SAMPLES = 160;

const SAMPLE_RATE = 8000;
const ROWS = [697, 770, 852, 941] as const;
const COLS = [1209, 1336, 1477, 1633] as const;
/** Keypad layout (ITU-T Q.23): row × column → RFC 4733 event code. */
const KEYPAD = [
  [1, 2, 3, 12],
  [4, 5, 6, 13],
  [7, 8, 9, 14],
  [10, 0, 11, 15],
] as const;
/** The ITU-T Q.23 low (row) and high (column) frequencies of a key, in Hz. */
export function dtmfFrequencies(digit: DtmfDigit): readonly [number, number] {
  const code = DTMF_DIGITS.indexOf(digit);
  for (let r = 0; r < 4; r++) {
    const c = (KEYPAD[r] as readonly number[]).indexOf(code);
    if (c >= 0) return [ROWS[r]!, COLS[c]!];
  }
  throw new RangeError(`not a DTMF key: ${digit}`);
}

/** A 0 dBm0 sine's peak in the PCM16 scale of G.711 (+3.17 dBm0 clips at 32124). */
const DBM0_PEAK = 22334;
const QUARTER = INBAND_FRAME_SAMPLES / 4;
const QUARTER_MS = 5;

export interface InbandDtmfOptions {
  /** Called once per key press, when the tone has ended. */
  onEvent: (event: DtmfEvent) => void;
  /** Share of frame energy the two tones must hold together (default 0.35). */
  minToneShare?: number;
  /** Minimum level per tone, peak amplitude in PCM16 (default 250 ≈ −39 dBm0). */
  minAmplitude?: number;
  /** Normal twist limit: high group weaker than low group by at most this (dB, default 8). */
  normalTwistDb?: number;
  /** Reverse twist limit: high group stronger by at most this (dB, default 4). */
  reverseTwistDb?: number;
  /** A tone must exceed every other tone of its group by this much (dB, default 8). */
  groupDominanceDb?: number;
  /** Reject a tone whose 2nd harmonic is not this far below it (dB, default 8; 0 disables). */
  harmonicRejectDb?: number;
  /** Minimum tone duration (ms, default 40, ITU-T Q.24). */
  minDurationMs?: number;
  /** Frames without the tone that end a press (default 2 = 40 ms, the Q.24 minimum pause). */
  minGapFrames?: number;
}

const dbToPower = (db: number): number => 10 ** (db / 10);

/**
 * In-band DTMF detector (ITU-T Q.23 frequencies, Q.24 acceptance limits) over decoded 8 kHz PCM16
 * in 20 ms frames of 160 samples, for callers that send no RFC 4733 events.
 *
 * Per frame: Goertzel powers at the 8 DTMF frequencies and their 2nd harmonics; the strongest row
 * and column tone must each be loud enough, dominate their group, carry together a minimum share
 * of the frame energy, respect the twist limits (normal ≤ 8 dB, reverse ≤ 4 dB) and, against
 * speech, have weak 2nd harmonics. A press is the run of frames with the same digit (a one-frame
 * dropout is bridged); its duration is measured to 5 ms from the energy of the frame quarters, and
 * a press shorter than 40 ms is discarded. One event per press, after `minGapFrames` of silence.
 *
 * Coefficients and state are preallocated; {@link process} allocates nothing.
 */
export class InbandDtmfDetector {
  readonly #onEvent: (event: DtmfEvent) => void;
  readonly #coeff = new Float64Array(16);
  readonly #s1 = new Float64Array(16);
  readonly #s2 = new Float64Array(16);
  readonly #power = new Float64Array(16);
  readonly #quarter = new Float64Array(4);
  readonly #minShare: number;
  readonly #minPower: number;
  readonly #normalTwist: number;
  readonly #reverseTwist: number;
  readonly #dominance: number;
  readonly #harmonic: number;
  readonly #minQuarters: number;
  readonly #minGap: number;

  #frameIndex = 0;
  // The current run.
  #code = -1;
  #startFrame = 0;
  #startQuarter = 0;
  #startTs = 0;
  #quarters = 0;
  #miss = 0;
  #missInside = 0;
  #level = 0;
  #runRef = 0;
  #runRow = 0;
  #runCol = 4;
  #runPower = 0;
  #row = 0;
  #col = 4;
  #tail = 0;
  readonly #prevQuarter = new Float64Array(4);

  constructor(options: InbandDtmfOptions) {
    this.#onEvent = options.onEvent;
    const freqs = [...ROWS, ...COLS];
    for (let i = 0; i < 16; i++) {
      const f = i < 8 ? freqs[i]! : 2 * freqs[i - 8]!;
      this.#coeff[i] = 2 * Math.cos((2 * Math.PI * f) / SAMPLE_RATE);
    }
    this.#minShare = options.minToneShare ?? 0.35;
    const a = options.minAmplitude ?? 250;
    this.#minPower = ((a * INBAND_FRAME_SAMPLES) / 2) ** 2;
    this.#normalTwist = dbToPower(options.normalTwistDb ?? 8);
    this.#reverseTwist = dbToPower(options.reverseTwistDb ?? 4);
    this.#dominance = dbToPower(options.groupDominanceDb ?? 8);
    const h = options.harmonicRejectDb ?? 8;
    this.#harmonic = h > 0 ? 1 / dbToPower(h) : Infinity;
    // A tone is kept when it covers more than minDuration − 5 ms of quarters (±2.5 ms per edge).
    this.#minQuarters = Math.ceil((options.minDurationMs ?? 40) / QUARTER_MS) - 1;
    this.#minGap = options.minGapFrames ?? 2;
  }

  /**
   * Analyses one 20 ms frame (`INBAND_FRAME_SAMPLES` samples from `offset`).
   * @param rtpTimestamp timestamp of the frame's first sample, reported as `startTs`
   */
  process(frame: Int16Array, offset = 0, rtpTimestamp = 0): void {
    let code = this.#analyse(frame, offset);
    if (code < 0 && this.#code >= 0) {
      // A frame that fails a test while the press's own tone pair is still within 6 dB of its
      // level is a dropout in noise, not the end of the press.
      const p = this.#power;
      if ((p[this.#runRow]! + p[this.#runCol]!) * 4 >= this.#runPower) code = this.#code;
    }
    if (code >= 0 && code === this.#code) {
      // Same press; a dropout of fewer than minGap frames is bridged.
      this.#missInside += this.#miss;
      if (this.#miss > 0) this.#quarters -= this.#tail;
      this.#miss = 0;
      this.#tail = 0;
      this.#quarters += this.#coveredQuarters();
      this.#runRef = Math.max(this.#runRef, this.#maxQuarter());
      const pair = this.#power[this.#runRow]! + this.#power[this.#runCol]!;
      if (pair > this.#runPower) this.#runPower = pair;
    } else if (code >= 0) {
      this.#runRow = this.#row;
      this.#runCol = this.#col;
      this.#runPower = this.#power[this.#row]! + this.#power[this.#col]!;
      this.#finish();
      this.#code = code;
      this.#startFrame = this.#frameIndex;
      this.#startTs = rtpTimestamp;
      this.#runRef = this.#maxQuarter();
      // The tone may have begun in the previous frame, too short there to be detected.
      const lead = this.#edgeQuarters(this.#prevQuarter, this.#runRef, false);
      this.#startQuarter = this.#firstCoveredQuarter() - lead;
      this.#quarters = this.#coveredQuarters() + lead;
      this.#miss = 0;
      this.#missInside = 0;
      this.#tail = 0;
    } else if (this.#code >= 0) {
      if (this.#miss === 0) {
        // The tone may end inside this frame, too short here to be detected.
        this.#tail = this.#edgeQuarters(this.#quarter, this.#runRef, true);
        this.#quarters += this.#tail;
      }
      if (++this.#miss >= this.#minGap) this.#finish();
    }
    this.#prevQuarter.set(this.#quarter);
    this.#frameIndex++;
  }

  /** Ends a press still in progress (stream end). */
  flush(): void {
    this.#finish();
  }

  #finish(): void {
    if (this.#code < 0) return;
    const code = this.#code;
    this.#code = -1;
    if (this.#quarters < this.#minQuarters) return;
    this.#onEvent({
      digit: DTMF_DIGITS[code]!,
      startTs: this.#startTs,
      durationMs: this.#quarters * QUARTER_MS + this.#missInside * 20,
      at: this.#startFrame * 20 + this.#startQuarter * QUARTER_MS,
      volume: this.#level,
    });
  }

  /** Goertzel + acceptance tests; returns the event code or -1. */
  #analyse(x: Int16Array, off: number): number {
    const s1 = this.#s1;
    const s2 = this.#s2;
    const c = this.#coeff;
    const q = this.#quarter;
    s1.fill(0);
    s2.fill(0);
    q.fill(0);
    let energy = 0;
    for (let n = 0; n < INBAND_FRAME_SAMPLES; n++) {
      const v = x[off + n]!;
      const e = v * v;
      energy += e;
      const qi = (n / QUARTER) | 0;
      q[qi] = q[qi]! + e;
      for (let k = 0; k < 16; k++) {
        const s = v + c[k]! * s1[k]! - s2[k]!;
        s2[k] = s1[k]!;
        s1[k] = s;
      }
    }
    const p = this.#power;
    if (energy === 0) {
      p.fill(0);
      return -1;
    }
    for (let k = 0; k < 16; k++) {
      p[k] = s1[k]! * s1[k]! + s2[k]! * s2[k]! - c[k]! * s1[k]! * s2[k]!;
    }
    const row = argmax(p, 0);
    const col = argmax(p, 4);
    this.#row = row;
    this.#col = col;
    const pr = p[row]!;
    const pc = p[col]!;
    if (pr < this.#minPower || pc < this.#minPower) return -1;
    // Tone powers relative to frame energy: a pure tone of amplitude A gives (A·N/2)² against
    // an energy of A²·N/2, so share = 2·P / (N·E).
    if ((2 * (pr + pc)) / (INBAND_FRAME_SAMPLES * energy) < this.#minShare) return -1;
    if (pr >= pc ? pr > pc * this.#normalTwist : pc > pr * this.#reverseTwist) return -1;
    for (let k = 0; k < 4; k++) {
      if (k !== row && p[k]! * this.#dominance > pr) return -1;
      if (k + 4 !== col && p[k + 4]! * this.#dominance > pc) return -1;
    }
    if (p[row + 8]! > pr * this.#harmonic || p[col + 8]! > pc * this.#harmonic) return -1;
    const amp2 = ((pr + pc) * 4) / (INBAND_FRAME_SAMPLES * INBAND_FRAME_SAMPLES);
    this.#level = Math.min(63, Math.max(0, Math.round(-10 * Math.log10(amp2 / DBM0_PEAK ** 2))));
    return KEYPAD[row]![col - 4]!;
  }

  /** Quarters (5 ms) of the frame holding at least half the loudest quarter's energy. */
  #coveredQuarters(): number {
    const q = this.#quarter;
    const max = Math.max(q[0]!, q[1]!, q[2]!, q[3]!);
    let n = 0;
    for (let i = 0; i < 4; i++) if (q[i]! * 2 > max) n++;
    return n;
  }

  #maxQuarter(): number {
    const q = this.#quarter;
    return Math.max(q[0]!, q[1]!, q[2]!, q[3]!);
  }

  /**
   * Quarters at one edge of a frame (leading when `fromStart`, else trailing) that hold at least
   * half the press's quarter energy: the part of a partial first/last frame the tone covers.
   */
  #edgeQuarters(q: Float64Array, ref: number, fromStart: boolean): number {
    let n = 0;
    for (let i = 0; i < 4; i++) {
      if (q[fromStart ? i : 3 - i]! * 2 > ref) n++;
      else break;
    }
    return n;
  }

  #firstCoveredQuarter(): number {
    const q = this.#quarter;
    const max = Math.max(q[0]!, q[1]!, q[2]!, q[3]!);
    for (let i = 0; i < 4; i++) if (q[i]! * 2 > max) return i;
    return 0;
  }
}

function argmax(p: Float64Array, from: number): number {
  let best = from;
  for (let k = from + 1; k < from + 4; k++) if (p[k]! > p[best]!) best = k;
  return best;
}
