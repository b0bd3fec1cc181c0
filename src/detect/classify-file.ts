import { HoldgateError } from '../errors/registry.js';
import { AnyHold } from './any-hold.js';
import { announcementHoldOn } from './announcement-hold-on.js';
import type { HoldDecision, HoldMusicDetector } from './types.js';
import { decodeAudioChunks } from './known-music/decode-audio.js';
import { KnownMusicDetector } from './known-music/known-music-detector.js';
import { KnownMusicLibrary } from './known-music/known-music-library.js';
import { knownMusicFiles } from './known-music/known-music-sources.js';
import { mulawRoundTrip } from './known-music/mulaw-round-trip.js';
import { FRAME_SAMPLES } from './known-music/sub-fingerprinter.js';

/** One state change of `holdgate classify` (issue 5, Build item 5). */
export interface ClassifyChange {
  /** Seconds from the start of the file at which the new state began (the detector's onset). */
  readonly t: number;
  readonly state: 'hold' | 'no-hold';
  readonly cause: string;
}

/** The last line of `holdgate classify`. */
export interface ClassifySummary {
  readonly summary: {
    readonly seconds: number;
    readonly holdSeconds: number;
    readonly episodes: number;
  };
}

export type ClassifyLine = ClassifyChange | ClassifySummary;

export interface ClassifyOptions {
  /**
   * Known hold music: a directory (its sound files, one per sound: see `knownMusicFiles`) or one
   * file.
   */
  readonly known?: string;
  /** Further detectors, e.g. the unknown-music classifier; run alongside the known-music one. */
  readonly detectors?: readonly HoldMusicDetector[];
  /** Known music that stops for up to this long is still hold (as `detection.announcementSeconds`). */
  readonly announcementSeconds?: number;
}

/**
 * Runs the live hold detectors over any audio file ffmpeg reads: decoded to 8 kHz mono, through
 * a G.711 µ-law round trip, fed in 20 ms frames with their file time as call time. Yields a line
 * at every change of the combined state (hold while any detector says hold; the cause is the
 * detector that started or ended it), then one summary line. Print each with `JSON.stringify`.
 */
export async function* classifyFile(
  path: string,
  options: ClassifyOptions = {},
): AsyncGenerator<ClassifyLine> {
  const detectors: HoldMusicDetector[] = [...(options.detectors ?? [])];
  if (options.known !== undefined) {
    const library = await knownLibrary(await knownSource(options.known));
    detectors.unshift(
      new KnownMusicDetector(
        library,
        options.announcementSeconds !== undefined
          ? announcementHoldOn(options.announcementSeconds).knownMusic
          : {},
      ),
    );
  }
  // Combined as a live call combines them.
  const any = new AnyHold(detectors);
  let holdSinceMs = 0;
  let holdMs = 0;
  let episodes = 0;
  // An object, not a `let`: it changes inside `apply`, which flow analysis does not follow.
  const last: { state: 'hold' | 'no-hold' } = { state: 'no-hold' };
  let lastT = 0;
  const frame = new Int16Array(FRAME_SAMPLES);
  let filled = 0;
  let samples = 0;

  const apply = (i: number, decision: HoldDecision): ClassifyChange | undefined => {
    const d = any.decide(i, decision);
    if (d === undefined || d.state === last.state) return undefined;
    const state = d.state;
    last.state = state;
    // Onsets may lie in the past; keep the printed times monotonic.
    const ms = Math.max(d.onsetMs, lastT * 1000);
    const t = Math.round(ms) / 1000;
    lastT = t;
    if (state === 'hold') {
      episodes++;
      holdSinceMs = ms;
    } else {
      holdMs += ms - holdSinceMs;
    }
    return { t, state, cause: d.cause };
  };

  for await (const chunk of decodeAudioChunks(path)) {
    mulawRoundTrip(chunk, true);
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(FRAME_SAMPLES - filled, chunk.length - at);
      frame.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled < FRAME_SAMPLES) break;
      filled = 0;
      const timeMs = samples / 8;
      samples += FRAME_SAMPLES;
      for (let i = 0; i < detectors.length; i++) {
        const d = detectors[i]!.push(frame, timeMs);
        if (d) {
          const line = apply(i, d);
          if (line) yield line;
        }
      }
    }
  }
  const seconds = (samples + filled) / 8000;
  if (last.state === 'hold') holdMs += seconds * 1000 - holdSinceMs;
  yield {
    summary: {
      seconds: Math.round(seconds * 1000) / 1000,
      holdSeconds: Math.round(holdMs) / 1000,
      episodes,
    },
  };
}

/**
 * The library of `--known`'s files. A sound file ffmpeg cannot decode is an error here too (a
 * live call's setup skips it with a warning), named as known music: the file being classified
 * is another.
 */
async function knownLibrary(files: readonly string[]): Promise<KnownMusicLibrary> {
  try {
    return await KnownMusicLibrary.fromFiles(files);
  } catch (err) {
    if (!(err instanceof HoldgateError) || err.code !== 'HG_ERR_AUDIO_DECODE') throw err;
    const file = String(err.details?.path);
    throw new HoldgateError(
      'HG_ERR_KNOWN_MUSIC_SOURCE',
      `${file}: could not be decoded: ${String(err.details?.reason)}`,
      { source: file },
      err,
    );
  }
}

/**
 * The files of `--known` (see `knownMusicFiles`). A path that cannot be read, or a directory with
 * no sound file, is an error here, where a live call's setup only warns: someone who asks
 * `classify` about known music and gets no library would read "no hold" as "not that music".
 */
async function knownSource(source: string): Promise<string[]> {
  let files: string[];
  try {
    files = await knownMusicFiles(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file or directory'
        : code === 'EACCES'
          ? 'permission denied'
          : err instanceof Error
            ? err.message
            : String(err);
    throw new HoldgateError('HG_ERR_KNOWN_MUSIC_SOURCE', `${source}: ${reason}`, { source }, err);
  }
  if (files.length === 0) {
    throw new HoldgateError('HG_ERR_KNOWN_MUSIC_SOURCE', `${source}: no sound files in it`, {
      source,
    });
  }
  return files;
}
