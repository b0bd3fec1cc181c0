import { readWav8k } from './decode-audio.js';

export { readWav8k };
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KnownMusicLibrary } from './known-music-library.js';
import { mulawRoundTrip } from './mulaw-round-trip.js';
import { FRAME_SAMPLES } from './sub-fingerprinter.js';

/** Test signals for the known-music tests (Debian Asterisk sounds; never committed). */
export const MOH_DIR = '/usr/share/asterisk/moh';
export const SPEECH_DIR = '/usr/share/asterisk/sounds/en_US_f_Allison';
export const KNOWN_TRACKS = [
  'macroform-cold_day',
  'macroform-robot_dity',
  'macroform-the_simplicity',
];
export const OTHER_TRACKS = ['manolo_camp-morning_coffee', 'reno_project-system'];

export function mohPath(track: string): string {
  return join(MOH_DIR, `${track}.wav`);
}

/** A seeded PRNG (mulberry32) so that "random" offsets are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** About `seconds` of concatenated Allison prompts with short gaps, 8 kHz. */
export function speech(seconds: number, rand: () => number): Int16Array {
  const files = readdirSync(SPEECH_DIR)
    .filter((f) => f.endsWith('.wav'))
    .sort();
  const want = seconds * 8000;
  const parts: Int16Array[] = [];
  let total = 0;
  while (total < want) {
    const f = files[Math.floor(rand() * files.length)]!;
    const pcm = readWav8k(join(SPEECH_DIR, f));
    const gap = new Int16Array(Math.floor((0.1 + rand() * 1.1) * 8000));
    parts.push(pcm, gap);
    total += pcm.length + gap.length;
  }
  return concat(parts).subarray(0, want);
}

export function concat(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Low white noise (a line's noise floor), about −66 dBFS. */
export function noise(samples: number, rand: () => number): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round((rand() - 0.5) * 30);
  return out;
}

/**
 * The telephone channel of the tests: gain in dB, a µ-law round trip, then `lossRate` of the
 * 20 ms frames zeroed (lost packets without concealment).
 */
export function channel(
  pcm: Int16Array,
  gainDb: number,
  lossRate: number,
  rand: () => number,
): Int16Array {
  const gain = Math.pow(10, gainDb / 20);
  const out = new Int16Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) {
    out[i] = Math.max(-32768, Math.min(32767, Math.round(pcm[i]! * gain)));
  }
  mulawRoundTrip(out, true);
  for (let f = 0; f + FRAME_SAMPLES <= out.length; f += FRAME_SAMPLES) {
    if (rand() < lossRate) out.fill(0, f, f + FRAME_SAMPLES);
  }
  return out;
}

/**
 * 4 s of an agent ({@link speech}), then 20 s of the Asterisk hold track `track` from where `seed`
 * joins it (as a PBX's shared hold stream is joined anywhere), `gainDb` down, through G.711 with
 * 1 % of frames lost. The music starts at 4000 ms.
 */
export function agentThenMohTrack(track: string, seed: number, gainDb: number): Int16Array {
  const pcm = readWav8k(mohPath(track));
  const rand = seededRandom(seed);
  const at = Math.floor(rand() * (pcm.length - 30 * 8000));
  return channel(
    concat([speech(4, rand), pcm.subarray(at, at + 20 * 8000)]),
    gainDb,
    0.01,
    seededRandom(seed),
  );
}

/** Codecs a call may pass before G.711 (issue 5: "GSM, AMR-NB or Opus-narrowband before G.711"). */
export type CodecBeforeG711 = 'gsm' | 'amr-nb' | 'opus-nb';

/**
 * `pcm` encoded to `type` and decoded again: a codec before G.711. GSM 06.10 and AMR-NB by sox;
 * Opus by ffmpeg's libopus at 12 kbit/s in its VoIP mode, narrowband because the input is 8 kHz
 * (RFC 6716 §2: NB is the 4 kHz audio bandwidth; the decoder's pre-skip is trimmed, RFC 7845 §4.2,
 * so the output lines up with the input).
 */
export function codecChain(pcm: Int16Array, type: CodecBeforeG711): Int16Array {
  const dir = mkdtempSync(join(tmpdir(), 'holdgate-codec-'));
  try {
    writeFileSync(join(dir, 'in.raw'), pcm);
    if (type === 'opus-nb') {
      const raw = ['-f', 's16le', '-ar', '8000', '-ac', '1'];
      const ff = ['-v', 'error', '-y'];
      execFileSync('ffmpeg', [
        ...ff,
        ...raw,
        '-i',
        join(dir, 'in.raw'),
        '-c:a',
        'libopus',
        '-b:a',
        '12k',
        '-application',
        'voip',
        join(dir, 'coded.ogg'),
      ]);
      execFileSync('ffmpeg', [...ff, '-i', join(dir, 'coded.ogg'), ...raw, join(dir, 'out.raw')]);
    } else {
      const raw = ['-t', 'raw', '-r', '8000', '-c', '1', '-e', 'signed', '-b', '16'];
      // AMR-NB at mode 7 (12.2 kbit/s, the mode AMR calls default to); GSM has only 13 kbit/s.
      const mode = type === 'amr-nb' ? ['-C', '7'] : [];
      execFileSync('sox', [...raw, join(dir, 'in.raw'), '-t', type, ...mode, join(dir, 'coded')]);
      execFileSync('sox', ['-t', type, join(dir, 'coded'), ...raw, join(dir, 'out.raw')]);
    }
    const out = readFileSync(join(dir, 'out.raw'));
    return new Int16Array(out.buffer, out.byteOffset, out.byteLength >> 1).slice();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The true alignment of `track` (a library path) with a live stream whose frame m begins at the
 * track's sample `sample + 160·m`: live frame m lies on reference frame m + the returned offset, in
 * the track's run whose phase is nearest (across a frame boundary too). For the benches and tests
 * that score a detector against the alignment it should find.
 */
export function trueAlignment(library: KnownMusicLibrary, track: string, sample: number): number {
  const rel = ((sample % FRAME_SAMPLES) + FRAME_SAMPLES) % FRAME_SAMPLES;
  const distance = (phase: number) => {
    const d = Math.abs(rel - phase);
    return Math.min(d, FRAME_SAMPLES - d);
  };
  const run = library.runs
    .filter((r) => r.track === track)
    .reduce((a, b) => (distance(b.phase) < distance(a.phase) ? b : a));
  return run.start + Math.round((sample - run.phase) / FRAME_SAMPLES);
}

/** Decodes with ffmpeg (inputs and filters in `args`) to 8 kHz mono PCM16. */
export function ffmpegPcm(args: string[]): Int16Array {
  const r = spawnSync(
    'ffmpeg',
    ['-v', 'error', ...args, '-ac', '1', '-ar', '8000', '-f', 's16le', '-'],
    {
      maxBuffer: 1 << 26,
    },
  );
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString()}`);
  const pcm = new Int16Array(r.stdout.length >> 1);
  for (let i = 0; i < pcm.length; i++) pcm[i] = r.stdout.readInt16LE(i * 2);
  return pcm;
}

/**
 * ffmpeg arguments that join `count` of Allison's spoken prompts (in name order from `from`,
 * tones and beeps left out) with 0.3 s of silence after each.
 */
export function allisonMonologue(from: number, count: number): string[] {
  const files = readdirSync(SPEECH_DIR)
    .filter((f) => f.endsWith('.wav') && !/beep|tone|dtmf|ascending|descending/.test(f))
    .sort()
    .slice(from, from + count)
    .map((f) => join(SPEECH_DIR, f));
  const pads = files.map((_, i) => `[${i}:a]apad=pad_dur=0.3[a${i}]`).join(';');
  const joined = `${files.map((_, i) => `[a${i}]`).join('')}concat=n=${files.length}:v=0:a=1[out]`;
  return [
    ...files.flatMap((f) => ['-i', f]),
    '-filter_complex',
    `${pads};${joined}`,
    '-map',
    '[out]',
  ];
}
