/**
 * `npm run bench -- known-music`: how fast and where the known-music detector (issue 5, Build
 * item 1: "match within 1 s of hold-music start") places a known track's onset, per codec chain.
 *
 *   npm run bench -- known-music [--onsets 30]
 *
 * Library: the three Asterisk `macroform-*` hold tracks. Each onset is 1 s of line noise, then a
 * 10 s excerpt of one of them from a random sample offset; the whole passes the codec (none, GSM
 * 06.10 or AMR-NB 12.2 by sox), a gain of −12…−30 dB, G.711 µ-law and 1 % lost frames (seeded).
 * Reported per chain: misses, detection latency after the onset (median, p95, max, share within
 * 1 s) and the reported onset minus the true one (negative: early, the safe side; positive: hold
 * audio leaked). Runtime: about 10 s.
 */
import { KnownMusicDetector } from '../src/detect/known-music/known-music-detector.js';
import { KnownMusicLibrary } from '../src/detect/known-music/known-music-library.js';
import { FRAME_SAMPLES } from '../src/detect/known-music/sub-fingerprinter.js';
import {
  KNOWN_TRACKS,
  channel,
  codecChain,
  concat,
  mohPath,
  noise,
  readWav8k,
  seededRandom,
} from '../src/detect/known-music/test-signals.js';

const CHAINS = ['g711', 'gsm', 'amr-nb'] as const;

function quantile(sorted: readonly number[], q: number): number | null {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : null;
}

export default async function run(args: string[]): Promise<unknown> {
  const i = args.indexOf('--onsets');
  const onsets = i >= 0 ? Number(args[i + 1]) : 30;
  if (!Number.isInteger(onsets) || onsets < 1) throw new RangeError('--onsets: a positive integer');
  const library = await KnownMusicLibrary.fromFiles(KNOWN_TRACKS.map(mohPath));
  const tracks = KNOWN_TRACKS.map((t) => readWav8k(mohPath(t)));
  const out: Record<string, unknown> = {};
  for (const chain of CHAINS) {
    const latencies: number[] = [];
    const onsetErrors: number[] = [];
    let misses = 0;
    for (let seed = 1; seed <= onsets; seed++) {
      const rand = seededRandom(seed);
      const track = tracks[seed % tracks.length]!;
      const at = Math.floor(rand() * (track.length - 80_000));
      const clean = concat([noise(8000, rand), track.subarray(at, at + 80_000)]);
      const coded = chain === 'g711' ? clean : codecChain(clean, chain);
      const pcm = channel(coded, -12 - (seed % 4) * 6, 0.01, rand);
      const detector = new KnownMusicDetector(library);
      let found = false;
      for (let s = 0; s + FRAME_SAMPLES <= pcm.length && !found; s += FRAME_SAMPLES) {
        const d = detector.push(pcm.subarray(s, s + FRAME_SAMPLES), s / 8);
        if (d?.state !== 'hold') continue;
        latencies.push(s / 8 - 1000);
        onsetErrors.push(d.onsetMs - 1000);
        found = true;
      }
      if (!found) misses++;
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
        late: onsetErrors.filter((e) => e > 0).length,
      },
    };
  }
  return out;
}
