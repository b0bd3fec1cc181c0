import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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

/** Reads an 8 kHz mono PCM16 WAV file (the Asterisk sounds) without spawning ffmpeg. */
export function readWav8k(path: string): Int16Array {
  const buf = readFileSync(path);
  if (buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') {
    throw new Error(`${path}: not a WAV file`);
  }
  let at = 12;
  let format = false;
  while (at + 8 <= buf.length) {
    const id = buf.toString('latin1', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      format =
        buf.readUInt16LE(body) === 1 &&
        buf.readUInt16LE(body + 2) === 1 &&
        buf.readUInt32LE(body + 4) === 8000 &&
        buf.readUInt16LE(body + 14) === 16;
    } else if (id === 'data') {
      if (!format) throw new Error(`${path}: not 8 kHz mono PCM16`);
      const n = Math.min(size, buf.length - body) >> 1;
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = buf.readInt16LE(body + 2 * i);
      return out;
    }
    at = body + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
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
