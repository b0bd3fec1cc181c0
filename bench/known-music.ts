/**
 * `npm run bench -- known-music`: how fast and where the known-music detector (issue 5, Build
 * item 1: "match within 1 s of hold-music start") places a known track's onset, per codec chain.
 *
 *   npm run bench -- known-music [--onsets 30] [--corpus-levels]
 *        [--known-extra DIR [--known-extra-count N]]
 *
 * Library: the three Asterisk `macroform-*` hold tracks. Each onset is 1 s of line noise, then a
 * 10 s excerpt of one of them from a random sample offset; the whole passes the codec (none, GSM
 * 06.10 or AMR-NB 12.2 by sox, Opus narrowband at 12 kbit/s by ffmpeg), a gain of −12…−30 dB,
 * G.711 µ-law and 1 % lost frames (seeded).
 * The gains take the tracks (peaks −7…−13 dBFS, RMS −24…−32 dBFS as Asterisk ships them) to peaks
 * of −19…−43 dBFS, so half the onsets lie below the levels issue 5's corpus is rendered at (the
 * scenario's peak at −23…−1 dBFS, its RMS about −35…−12, by `tel` in scripts/corpus-lib.sh), and
 * a quiet passage there (an intro or a fade 10–20 dB under the track) sinks to the µ-law floor.
 * `--corpus-levels` places each onset's whole track as `tel` places a scenario: its peak at −1,
 * −8.3, −15.7 or −23 dBFS (the same four steps by seed), its quiet passages as far under that as
 * the track has them (the PBX plays the file as it is, not each excerpt normalised).
 * Reported per chain: misses, detection latency after the onset (median, p95, max, share within
 * 1 s) and the reported onset minus the true one (negative: early, the safe side; positive: hold
 * audio leaked; `lateMs` lists each positive one, and `late` each such onset: its seed, track,
 * position, gain, latency and error, to rerun it alone). Runtime: about 20 s.
 * `bitFlipRate`: per sub-fingerprint bit (0: the lowest band pair), the share of frames from
 * 200 ms after the onset on whose bit the live audio and the track at the true alignment differ:
 * what the codec chain does to each band. The detector's bit weights (`CODEC_BIT_FLIP_RATE`) are
 * the mean of the GSM and AMR-NB rows at 300 onsets.
 * `slow`: every onset matched later than 1 s or missed, with what its first second of music gave
 * the fingerprinter: the frames that carried bits (of 50; the rest were silent, live or in the
 * track) and their median bit errors against the track at the true alignment (0–16; unrelated
 * audio: 8).
 * It tells a detector that is slow on audible music from music that was not there to be heard
 * (an excerpt starting in a pause, or a quiet passage under the line's noise after a −30 dB gain).
 *
 * `--negatives DIR[:DIR...]` (corpora of scripts/make-corpus.sh or make-unseen-corpus.sh): how
 * near other audio comes to a match. Every file whose source is not one of the library's tracks
 * (speech, IVRs, tones, noise and other music, hours of it) is run through the detector with the
 * bar lowered (`minScore`), and the holds it decides are counted per hour at each bar up to the
 * committed one and past it (`negatives.holdsPerHour`): a false match at the committed bar is a
 * pause of an agent, and the rate's fall towards it shows the margin. Runtime: a few minutes.
 */
import { basename } from 'node:path';
import {
  DEFAULT_MIN_SCORE,
  KnownMusicDetector,
  defaultMinScore,
} from '../src/detect/known-music/known-music-detector.js';
import { KnownMusicLibrary } from '../src/detect/known-music/known-music-library.js';
import { knownMusicFiles } from '../src/detect/known-music/known-music-sources.js';
import { listCorpus } from '../scripts/train-classifier.js';
import {
  FP_BITS,
  FRAME_SAMPLES,
  NO_BITS,
  SubFingerprinter,
  bitErrors,
} from '../src/detect/known-music/sub-fingerprinter.js';
import {
  KNOWN_TRACKS,
  channel,
  codecChain,
  concat,
  mohPath,
  noise,
  readWav8k,
  seededRandom,
  trueAlignment,
} from '../src/detect/known-music/test-signals.js';

const CHAINS = ['g711', 'gsm', 'amr-nb', 'opus-nb'] as const;

/**
 * The gain of onset `seed` on a track peaking at `trackPeakDb`, dB: by default −12, −18, −24 or
 * −30; with `corpusLevels`, what places the track's peak at −1, −8.3, −15.7 or −23 dBFS (the
 * corpus's −23…−1, in four steps).
 */
function onsetGainDb(seed: number, trackPeakDb: number, corpusLevels: boolean): number {
  const step = seed % 4;
  return corpusLevels ? -1 - (step * 22) / 3 - trackPeakDb : -12 - step * 6;
}

/** Peak level of `pcm`, dBFS. */
function peakDbfs(pcm: Int16Array): number {
  let peak = 0;
  for (const v of pcm) peak = Math.max(peak, Math.abs(v));
  return 20 * Math.log10(peak / 32768);
}

/** The music starts at live frame 50, after 1 s of line noise; flips count from 200 ms into it. */
const MUSIC_FRAME = 50;
const FLIPS_FROM = MUSIC_FRAME + 10;

/**
 * One pass over the frames of `pcm` that carry bits on both sides, against the library's frames
 * at `offset` (global frame = live frame + offset): adds each differing bit from FLIPS_FROM on to
 * `flips` and returns how many frames it compared there, and collects in `firstSecond` the bit
 * errors of the music's first second (its 50 frames from MUSIC_FRAME).
 */
function compareAligned(
  library: KnownMusicLibrary,
  pcm: Int16Array,
  offset: number,
  flips: Float64Array,
  firstSecond: number[],
): number {
  const fper = new SubFingerprinter();
  let compared = 0;
  for (let n = 0; (n + 1) * FRAME_SAMPLES <= pcm.length; n++) {
    const fp = fper.next(pcm, n * FRAME_SAMPLES);
    const ref = library.refs[n + offset];
    if (n < MUSIC_FRAME || fp === NO_BITS || ref === undefined || ref === NO_BITS) continue;
    const x = fp ^ ref;
    if (n < MUSIC_FRAME + 50) firstSecond.push(bitErrors(x, 0));
    if (n < FLIPS_FROM) continue;
    for (let b = 0; b < FP_BITS; b++) if (x & (1 << b)) flips[b]!++;
    compared++;
  }
  return compared;
}

/** Bars of `--negatives`: every fourth score from 20 to 16 past the committed one. */
const NEGATIVE_BARS = Array.from(
  { length: Math.floor((DEFAULT_MIN_SCORE + 16 - 20) / 4) + 1 },
  (_, i) => 20 + 4 * i,
);

/** Holds per hour of other audio at each bar (see the file comment). */
async function negatives(
  library: KnownMusicLibrary,
  dirs: readonly string[],
  extraTracks: readonly string[],
) {
  // A corpus file made from a library track is not other audio (names without the extension).
  const inLibrary = [...KNOWN_TRACKS, ...extraTracks.map((f) => basename(f).replace(/\.\w+$/, ''))];
  const holds = NEGATIVE_BARS.map(() => 0);
  let frames = 0;
  let files = 0;
  for (const dir of dirs) {
    for (const file of await listCorpus(dir)) {
      if (inLibrary.some((t) => file.source.includes(t))) continue;
      const pcm = readWav8k(file.path);
      files++;
      frames += Math.floor(pcm.length / FRAME_SAMPLES);
      NEGATIVE_BARS.forEach((minScore, i) => {
        const detector = new KnownMusicDetector(library, { minScore });
        for (let s = 0; s + FRAME_SAMPLES <= pcm.length; s += FRAME_SAMPLES) {
          if (detector.push(pcm.subarray(s, s + FRAME_SAMPLES), s / 8)?.state === 'hold') {
            holds[i]!++;
          }
        }
      });
    }
  }
  const hours = frames / 50 / 3600;
  return {
    files,
    hours: Math.round(hours * 100) / 100,
    committedBar: defaultMinScore(library.entries.length),
    holdsPerHour: Object.fromEntries(
      NEGATIVE_BARS.map((bar, i) => [bar, Math.round((holds[i]! / hours) * 100) / 100]),
    ),
  };
}

function quantile(sorted: readonly number[], q: number): number | null {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : null;
}

export default async function run(args: string[]): Promise<unknown> {
  const i = args.indexOf('--onsets');
  const onsets = i >= 0 ? Number(args[i + 1]) : 30;
  if (!Number.isInteger(onsets) || onsets < 1) throw new RangeError('--onsets: a positive integer');
  // `--known-extra DIR [--known-extra-count N]`: the first N sound files of DIR (by name) join the
  // library (not as onsets): how a larger library matches (vote table and bar sized to it).
  const x = args.indexOf('--known-extra');
  const extraDir = x >= 0 ? args[x + 1] : undefined;
  if (x >= 0 && !extraDir) throw new RangeError('--known-extra: a directory');
  const c = args.indexOf('--known-extra-count');
  const extra = extraDir
    ? (await knownMusicFiles(extraDir)).slice(0, c >= 0 ? Number(args[c + 1]) : undefined)
    : [];
  const library = await KnownMusicLibrary.fromFiles([...KNOWN_TRACKS.map(mohPath), ...extra]);
  const tracks = KNOWN_TRACKS.map((t) => readWav8k(mohPath(t)));
  const trackPeakDb = tracks.map(peakDbfs);
  const corpusLevels = args.includes('--corpus-levels');
  const n = args.indexOf('--negatives');
  const negativeDirs = n >= 0 ? (args[n + 1] ?? '').split(':').filter((d) => d !== '') : [];
  if (n >= 0 && negativeDirs.length === 0) throw new RangeError('--negatives: DIR[:DIR...]');
  const out: Record<string, unknown> = {
    levels: corpusLevels ? 'track peak -1, -8.3, -15.7, -23 dBFS' : 'gain -12, -18, -24, -30 dB',
  };
  for (const chain of CHAINS) {
    const latencies: number[] = [];
    const onsetErrors: number[] = [];
    let misses = 0;
    const flips = new Float64Array(FP_BITS);
    let compared = 0;
    const slow: Record<string, unknown>[] = [];
    const late: { onsetErrorMs: number; [field: string]: unknown }[] = [];
    for (let seed = 1; seed <= onsets; seed++) {
      const rand = seededRandom(seed);
      const track = tracks[seed % tracks.length]!;
      const trackPath = mohPath(KNOWN_TRACKS[seed % tracks.length]!);
      const at = Math.floor(rand() * (track.length - 80_000));
      const clean = concat([noise(8000, rand), track.subarray(at, at + 80_000)]);
      const coded = chain === 'g711' ? clean : codecChain(clean, chain);
      const gainDb = onsetGainDb(seed, trackPeakDb[seed % tracks.length]!, corpusLevels);
      const pcm = channel(coded, gainDb, 0.01, rand);
      // Where the onset is, as `late` and `slow` name it.
      const where = {
        track: KNOWN_TRACKS[seed % tracks.length],
        atS: Math.round(at / 800) / 10,
        gainDb: Math.round(gainDb * 10) / 10,
      };
      const detector = new KnownMusicDetector(library);
      let latency: number | null = null;
      for (let s = 0; s + FRAME_SAMPLES <= pcm.length && latency === null; s += FRAME_SAMPLES) {
        const d = detector.push(pcm.subarray(s, s + FRAME_SAMPLES), s / 8);
        if (d?.state !== 'hold') continue;
        latency = s / 8 - 1000;
        latencies.push(latency);
        onsetErrors.push(d.onsetMs - 1000);
        if (d.onsetMs > 1000) {
          late.push({
            seed,
            ...where,
            latencyMs: latency,
            onsetErrorMs: d.onsetMs - 1000,
          });
        }
      }
      if (latency === null) misses++;
      // Live sample s is the track's sample at + s − 8000 (after 1 s of line noise).
      const offset = trueAlignment(library, trackPath, at - 8000);
      const firstSecond: number[] = [];
      compared += compareAligned(library, pcm, offset, flips, firstSecond);
      if (latency === null || latency > 1000) {
        firstSecond.sort((a, b) => a - b);
        slow.push({
          ...where,
          latencyMs: latency,
          framesWithBits: firstSecond.length,
          medianBitErrors: quantile(firstSecond, 0.5),
        });
      }
    }
    latencies.sort((a, b) => a - b);
    onsetErrors.sort((a, b) => a - b);
    out[chain] = {
      onsets,
      misses,
      latencyMs: {
        median: quantile(latencies, 0.5),
        p95: quantile(latencies, 0.95),
        max: quantile(latencies, 1),
        within1s: Math.round((latencies.filter((l) => l <= 1000).length / onsets) * 1000) / 1000,
      },
      onsetErrorMs: {
        min: quantile(onsetErrors, 0),
        median: quantile(onsetErrors, 0.5),
        max: quantile(onsetErrors, 1),
        late: late.length,
        lateMs: late.map((l) => l.onsetErrorMs),
      },
      late,
      bitFlipRate: Array.from(flips, (f) => Math.round((f / compared) * 1000) / 1000),
      slow,
    };
  }
  if (negativeDirs.length > 0) out.negatives = await negatives(library, negativeDirs, extra);
  if (extra.length > 0) out.extraTracks = extra.length;
  return out;
}
