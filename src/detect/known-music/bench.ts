import { decodeAudioFile } from './decode-audio.js';
import { KnownMusicDetector } from './known-music-detector.js';
import { KnownMusicLibrary } from './known-music-library.js';
import { mulawRoundTrip } from './mulaw-round-trip.js';
import { FRAME_SAMPLES } from './sub-fingerprinter.js';

const MOH = '/usr/share/asterisk/moh';

export interface KnownMusicBenchOptions {
  /** Files to fingerprint (default: the three Asterisk `macroform-*` hold-music tracks). */
  readonly knownFiles?: readonly string[];
  /** Files fed to the detector, one after another (default: an unknown then a known track). */
  readonly signalFiles?: readonly string[];
  /** Seconds of each signal file to feed (default 60). */
  readonly seconds?: number;
}

export interface KnownMusicBench {
  /** Microseconds per 20 ms frame, median and 99th percentile. */
  readonly usPerFrameMedian: number;
  readonly usPerFrameP99: number;
  /** Bytes of state per stream (`stateBytes`). */
  readonly stateBytes: number;
  readonly frames: number;
  /** Reference frames in the library (all phases). */
  readonly libraryFrames: number;
}

/**
 * Micro-benchmark of the known-music detector for `bench/moh.ts`: per-frame `push` time over
 * real audio through G.711 (after a warm-up pass), with the library the tests use.
 */
export async function measureKnownMusic(
  options: KnownMusicBenchOptions = {},
): Promise<KnownMusicBench> {
  const known = options.knownFiles ?? [
    `${MOH}/macroform-cold_day.wav`,
    `${MOH}/macroform-robot_dity.wav`,
    `${MOH}/macroform-the_simplicity.wav`,
  ];
  const signals = options.signalFiles ?? [
    `${MOH}/reno_project-system.wav`,
    `${MOH}/macroform-cold_day.wav`,
  ];
  const seconds = options.seconds ?? 60;
  const library = await KnownMusicLibrary.fromFiles(known);
  const parts: Int16Array[] = [];
  for (const f of signals) {
    const pcm = await decodeAudioFile(f);
    parts.push(mulawRoundTrip(pcm.subarray(0, Math.min(pcm.length, seconds * 8000))));
  }
  const detector = new KnownMusicDetector(library);
  const run = (times: Float64Array | undefined): number => {
    detector.reset();
    let n = 0;
    let callMs = 0;
    for (const pcm of parts) {
      for (let at = 0; at + FRAME_SAMPLES <= pcm.length; at += FRAME_SAMPLES) {
        const frame = pcm.subarray(at, at + FRAME_SAMPLES);
        const t0 = process.hrtime.bigint();
        detector.push(frame, callMs);
        const t1 = process.hrtime.bigint();
        if (times) times[n] = Number(t1 - t0) / 1000;
        n++;
        callMs += 20;
      }
    }
    return n;
  };
  const frames = run(undefined);
  const times = new Float64Array(frames);
  run(times);
  times.sort();
  return {
    usPerFrameMedian: times[Math.floor(frames / 2)] ?? 0,
    usPerFrameP99: times[Math.min(frames - 1, Math.floor(frames * 0.99))] ?? 0,
    stateBytes: detector.stateBytes,
    frames,
    libraryFrames: library.frames,
  };
}
