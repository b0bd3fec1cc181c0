import { decodeAudioFile } from './decode-audio.js';
import { mulawRoundTrip } from './mulaw-round-trip.js';
import { FP_BITS, FRAME_SAMPLES, NO_BITS, SubFingerprinter } from './sub-fingerprinter.js';

/**
 * Reference frame phases (samples): live audio at any sample offset is within 40 of one (a
 * quarter frame, 5 ms, against the fingerprint's 64 ms window summed over 80 ms). Two, not the
 * four (within 20) used until issue 5, stop 30. Measured with the bands up to 3400 Hz then
 * used, `npm run bench -- known-music --onsets 300` matches within 1 s as often (G.711 0.977
 * against 0.98, GSM 0.907 both, AMR-NB 0.90 against 0.903, Opus 0.94 against 0.93; late onsets
 * 0, 2, 5, 0 against 0, 1, 6, 0), and other audio
 * comes no nearer to a match (`--negatives` over the five renders, 10.66 h: none at the bar, one
 * a step below, as before). A library then holds half the frames and each live frame casts half
 * the votes (116 against 229 on the unseen corpus with Asterisk's five tracks), which spares the
 * cache more than the count suggests. The detector alone, both libraries in one process, fastest
 * of 12 interleaved passes over 61,000 frames: 7.3 µs against 9.3 on the unseen corpus (none of
 * it known), 6.3 against 7.1 on the development one; both detectors together, `npm run bench --
 * moh --unseen` (`withKnownMusic`), 13.1 µs median against 15.8 (middle of three runs each).
 * The cost is in the tail: the slowest matches come later (GSM 3.9 s after the music against
 * 3.1, AMR-NB 5.5 against 4.0), and GSM's late onsets sum to 1.1 s of hold audio against 0.28
 * (AMR-NB's 4.5 s against 4.6). One phase (within 80) is too few: AMR-NB within 1 s 0.883,
 * 8 onsets late, Opus 2.
 */
const PHASES = [0, 80] as const;
const KEYS = 1 << FP_BITS;
const FRAMES_PER_SECOND = 8000 / FRAME_SAMPLES;

/**
 * The most learned audio a library keeps by default, seconds (`detection.learnedMinutes`: 60).
 * A queue whose hold music never repeats (a radio stream, a long playlist) would otherwise learn
 * without end: some 800 bytes per second of hold, and every 20 s learned re-indexes all of it, with
 * the calls on hold adding up. An hour holds a looping hold playlist of an hour, or the latest hour
 * of one that does not loop.
 */
export const DEFAULT_MAX_LEARNED_SECONDS = 3600;

export interface KnownMusicLibraryOptions {
  /**
   * Learned audio kept, seconds (default {@link DEFAULT_MAX_LEARNED_SECONDS}): past it the oldest
   * learned audio is forgotten, whole `learn` calls at a time. Files (`addTrack`) never are.
   */
  readonly maxLearnedSeconds?: number;
}

/** One fingerprinted run: a track at one phase, frames [start, end) of `refs`. */
export interface KnownRun {
  readonly track: string;
  readonly phase: number;
  readonly start: number;
  readonly end: number;
  /**
   * Added by `learn` (audio judged hold on a call, cut where the classifier decided the hold),
   * not from a file the PBX plays: where it begins is not where the music begins.
   */
  readonly learned: boolean;
  /**
   * Learned from a stream's start (issue 5, stop 43: `HoldAudioLearner`): the run's frames before
   * this one (run-local) are what came before the classifier heard the music, the frames from it
   * on what it judged hold. 0: all of the run is music.
   */
  readonly musicFrom: number;
}

/**
 * The known hold music of a queue, fingerprinted (Haitsma–Kalker sub-fingerprints, see
 * `sub-fingerprinter.ts`) and indexed for lookup from any offset. All runs share one global
 * frame numbering (`refs`), so a live match is a single integer offset `global − liveFrame`.
 * The index is a CSR table: `heads[key] .. heads[key+1]` are the positions in `entries` of the
 * global frames whose sub-fingerprint is `key`. Appending (`learn`) rebuilds it; live detectors
 * read the current arrays on every frame. Their offsets stay valid while runs are only appended;
 * forgetting learned audio (`maxLearnedSeconds`) moves the runs after it down, and a detector
 * locked on one of those loses that match and finds the run again where it moved, its hold kept
 * by the hold-over meanwhile.
 */
export class KnownMusicLibrary {
  private refsBuf = new Int32Array(1024);
  private length = 0;
  private runList: KnownRun[] = [];
  private headsBuf = new Uint32Array(KEYS + 1);
  private entriesBuf = new Uint32Array(0);
  private readonly maxLearnedFrames: number;

  constructor(options: KnownMusicLibraryOptions = {}) {
    const seconds = options.maxLearnedSeconds ?? DEFAULT_MAX_LEARNED_SECONDS;
    if (!(seconds >= 0)) throw new RangeError(`maxLearnedSeconds must be ≥ 0, not ${seconds}`);
    this.maxLearnedFrames = seconds * FRAMES_PER_SECOND * PHASES.length;
  }

  /** Decodes every file with ffmpeg (8 kHz mono), through a µ-law round trip, and adds it. */
  static async fromFiles(
    paths: readonly string[],
    options: KnownMusicLibraryOptions = {},
  ): Promise<KnownMusicLibrary> {
    const lib = new KnownMusicLibrary(options);
    for (const path of paths) {
      lib.addTrack(path, await decodeAudioFile(path));
    }
    return lib;
  }

  /**
   * Adds audio judged hold on a queue (issue 5, Build item 3): fingerprinted and indexed so that
   * later calls recognise it. `pcm` is 8 kHz mono; it passes a µ-law round trip (idempotent on
   * audio that already did). Past `maxLearnedSeconds` the oldest learned audio is forgotten
   * first; the names of the `learn` calls forgotten are returned (empty: none). `musicFromSample`:
   * where in `pcm` the music surely plays (learned from a stream's start: what came before it is
   * matched only provisionally, see `KnownMusicDetector`); default 0.
   */
  learn(name: string, pcm: Int16Array, musicFromSample = 0): string[] {
    this.add(name, pcm, true, musicFromSample);
    const forgotten = this.forgetOldestLearned();
    this.reindex();
    return forgotten;
  }

  /** Seconds of learned audio kept (per phase, as the audio lasted). */
  get learnedSeconds(): number {
    return this.learnedFrames / PHASES.length / FRAMES_PER_SECOND;
  }

  /** Reference frames of learned audio, all phases (a few hundred runs at most). */
  private get learnedFrames(): number {
    let frames = 0;
    for (const r of this.runList) if (r.learned) frames += r.end - r.start;
    return frames;
  }

  /**
   * Adds a track the PBX plays (a file of its hold music, decoded to 8 kHz mono): where it begins,
   * its music begins. It passes a µ-law round trip like `learn`.
   */
  addTrack(name: string, pcm: Int16Array): void {
    this.add(name, pcm, false);
    this.reindex();
  }

  /** Sub-fingerprints of every run, in global frame numbering (`NO_BITS` for silence). */
  get refs(): Int32Array {
    return this.refsBuf;
  }

  /** Number of global reference frames. */
  get frames(): number {
    return this.length;
  }

  get heads(): Uint32Array {
    return this.headsBuf;
  }

  get entries(): Uint32Array {
    return this.entriesBuf;
  }

  get runs(): readonly KnownRun[] {
    return this.runList;
  }

  /** Distinct track names, in the order they were added. */
  get tracks(): string[] {
    return [...new Set(this.runList.map((r) => r.track))];
  }

  /** The run holding global frame `g`, if any. */
  runAt(g: number): KnownRun | undefined {
    let lo = 0;
    let hi = this.runList.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const run = this.runList[mid]!;
      if (g < run.start) hi = mid - 1;
      else if (g >= run.end) lo = mid + 1;
      else return run;
    }
    return undefined;
  }

  private add(name: string, raw: Int16Array, learned: boolean, musicFromSample = 0): void {
    const pcm = mulawRoundTrip(raw);
    for (const phase of PHASES) {
      const count = Math.floor((pcm.length - phase) / FRAME_SAMPLES);
      if (count <= 0) continue;
      this.reserve(this.length + count);
      const fper = new SubFingerprinter();
      const start = this.length;
      for (let k = 0; k < count; k++) {
        this.refsBuf[start + k] = fper.next(pcm, phase + k * FRAME_SAMPLES);
      }
      this.length += count;
      const musicFrom = Math.min(
        count,
        Math.max(0, Math.ceil((musicFromSample - phase) / FRAME_SAMPLES)),
      );
      this.runList.push({ track: name, phase, start, end: this.length, learned, musicFrom });
    }
  }

  /**
   * While more than `maxLearnedFrames` are learned, drops the oldest learned `learn` calls (all
   * their phases: a call's runs are adjacent), then moves the frames after them down at once.
   * The caller re-indexes.
   */
  private forgetOldestLearned(): string[] {
    const forgotten: string[] = [];
    const drop = new Set<KnownRun>();
    let excess = this.learnedFrames - this.maxLearnedFrames;
    for (const r of this.runList) {
      if (!r.learned) continue;
      const sameCall = r.track === forgotten.at(-1);
      if (excess <= 0 && !sameCall) break;
      if (!sameCall) forgotten.push(r.track);
      drop.add(r);
      excess -= r.end - r.start;
    }
    if (drop.size === 0) return forgotten;
    this.runList = this.compactWithout(drop);
    return forgotten;
  }

  /** The runs but `drop`, their frames moved down over the dropped ones' in `refs`. */
  private compactWithout(drop: ReadonlySet<KnownRun>): KnownRun[] {
    const kept: KnownRun[] = [];
    let to = 0;
    for (const r of this.runList) {
      if (drop.has(r)) continue;
      const count = r.end - r.start;
      if (r.start !== to) this.refsBuf.copyWithin(to, r.start, r.end);
      kept.push({ ...r, start: to, end: to + count });
      to += count;
    }
    this.length = to;
    return kept;
  }

  private reserve(capacity: number): void {
    if (capacity <= this.refsBuf.length) return;
    let size = this.refsBuf.length;
    while (size < capacity) size *= 2;
    const next = new Int32Array(size);
    next.set(this.refsBuf.subarray(0, this.length));
    this.refsBuf = next;
  }

  private reindex(): void {
    const heads = new Uint32Array(KEYS + 1);
    const refs = this.refsBuf;
    let valid = 0;
    for (let g = 0; g < this.length; g++) {
      const fp = refs[g]!;
      if (fp === NO_BITS) continue;
      heads[fp + 1]!++;
      valid++;
    }
    for (let k = 0; k < KEYS; k++) heads[k + 1]! += heads[k]!;
    const entries = new Uint32Array(valid);
    const fill = heads.slice(0, KEYS);
    for (let g = 0; g < this.length; g++) {
      const fp = refs[g]!;
      if (fp === NO_BITS) continue;
      entries[fill[fp]!++] = g;
    }
    this.headsBuf = heads;
    this.entriesBuf = entries;
  }
}
