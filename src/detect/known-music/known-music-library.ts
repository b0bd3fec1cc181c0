import { decodeAudioFile } from './decode-audio.js';
import { mulawRoundTrip } from './mulaw-round-trip.js';
import { FP_BITS, FRAME_SAMPLES, NO_BITS, SubFingerprinter } from './sub-fingerprinter.js';

/** Reference frame phases (samples): live audio at any sample offset is within 20 of one. */
const PHASES = [0, 40, 80, 120] as const;
const KEYS = 1 << FP_BITS;

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
}

/**
 * The known hold music of a queue, fingerprinted (Haitsma–Kalker sub-fingerprints, see
 * `sub-fingerprinter.ts`) and indexed for lookup from any offset. All runs share one global
 * frame numbering (`refs`), so a live match is a single integer offset `global − liveFrame`.
 * The index is a CSR table: `heads[key] .. heads[key+1]` are the positions in `entries` of the
 * global frames whose sub-fingerprint is `key`. Appending (`learn`) rebuilds it; live detectors
 * read the current arrays on every frame and their offsets stay valid (runs are only appended).
 */
export class KnownMusicLibrary {
  private refsBuf = new Int32Array(1024);
  private length = 0;
  private readonly runList: KnownRun[] = [];
  private headsBuf = new Uint32Array(KEYS + 1);
  private entriesBuf = new Uint32Array(0);

  /** Decodes every file with ffmpeg (8 kHz mono), through a µ-law round trip, and adds it. */
  static async fromFiles(paths: readonly string[]): Promise<KnownMusicLibrary> {
    const lib = new KnownMusicLibrary();
    for (const path of paths) {
      lib.addTrack(path, await decodeAudioFile(path));
    }
    return lib;
  }

  /**
   * Adds audio judged hold on a queue (issue 5, Build item 3): fingerprinted and indexed so that
   * later calls recognise it. `pcm` is 8 kHz mono; it passes a µ-law round trip (idempotent on
   * audio that already did).
   */
  learn(name: string, pcm: Int16Array): void {
    this.add(name, pcm, true);
  }

  /**
   * Adds a track the PBX plays (a file of its hold music, decoded to 8 kHz mono): where it begins,
   * its music begins. It passes a µ-law round trip like `learn`.
   */
  addTrack(name: string, pcm: Int16Array): void {
    this.add(name, pcm, false);
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

  private add(name: string, raw: Int16Array, learned: boolean): void {
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
      this.runList.push({ track: name, phase, start, end: this.length, learned });
    }
    this.reindex();
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
