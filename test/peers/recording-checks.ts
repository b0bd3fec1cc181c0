import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { KnownMusicDetector } from '../../src/detect/known-music/known-music-detector.js';
import { KnownMusicLibrary } from '../../src/detect/known-music/known-music-library.js';
import type { RecordingMetadata } from '../../src/recorder/index.js';

/**
 * Wait until the one recording in `dir` reaches a final status matching `status` (finalizing runs
 * off the call path), and return its metadata and path.
 */
export async function finishedRecording(
  dir: string,
  status: RegExp = /^complete$/,
  timeout = 15_000,
): Promise<{ meta: RecordingMetadata; path: string }> {
  let path = '';
  await expect
    .poll(
      () => {
        const f = readdirSync(dir).find((n) => n.endsWith('.json'));
        if (!f) return 'none';
        path = join(dir, f);
        return (JSON.parse(readFileSync(path, 'utf8')) as RecordingMetadata).status;
      },
      { timeout },
    )
    .toMatch(status);
  return { meta: JSON.parse(readFileSync(path, 'utf8')) as RecordingMetadata, path };
}

/** Decode any audio file with ffmpeg to 8 kHz PCM16, `channels` interleaved. */
export function decodePcm(
  file: string,
  channels: 1 | 2 = 1,
  fromSeconds = 0,
  seconds?: number,
): Int16Array {
  const args = ['-v', 'error', '-ss', String(fromSeconds)];
  if (seconds !== undefined) args.push('-t', String(seconds));
  args.push('-i', file, '-f', 's16le', '-ac', String(channels), '-ar', '8000', '-');
  const raw = execFileSync('ffmpeg', args, { maxBuffer: 64 << 20 });
  return new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2);
}

/** A stereo recording split into its caller (left) and agent (right) channels. */
export function decodeChannels(file: string): { caller: Int16Array; agent: Int16Array } {
  const stereo = decodePcm(file, 2);
  const caller = new Int16Array(stereo.length / 2);
  const agent = new Int16Array(stereo.length / 2);
  for (let i = 0; i < caller.length; i++) {
    caller[i] = stereo[2 * i]!;
    agent[i] = stereo[2 * i + 1]!;
  }
  return { caller, agent };
}

/** Goertzel power of `freq` in a block, as a share of the block's total power (0…1). */
export function toneShare(samples: Int16Array, from: number, n: number, freq: number): number {
  const k = 2 * Math.cos((2 * Math.PI * freq) / 8000);
  let s1 = 0;
  let s2 = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[from + i]!;
    total += x * x;
    const s0 = x + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return total === 0 ? 0 : (s1 * s1 + s2 * s2 - k * s1 * s2) / (total * n * 0.5);
}

/**
 * A block quieter than this (mean square, −60 dBFS) carries no tone: the gaps between the test
 * tones are sox's dither (mean |x| ≈ 2), whose power at 1 kHz is a few % of its tiny total and,
 * now and then, more than the 5 % share a private-words check looks for.
 */
const SILENT_MEAN_SQUARE = 32768 * 32768 * 1e-6;

/** Sample offsets of the 20 ms blocks that carry `freq` with more than `share` of their power. */
function toneBlocks(samples: Int16Array, freq: number, share: number): number[] {
  const offsets: number[] = [];
  for (let off = 0; off + 160 <= samples.length; off += 160) {
    let power = 0;
    for (let i = off; i < off + 160; i++) power += samples[i]! * samples[i]!;
    if (power / 160 < SILENT_MEAN_SQUARE) continue;
    if (toneShare(samples, off, 160, freq) > share) offsets.push(off);
  }
  return offsets;
}

/** How many 20 ms blocks of a channel carry `freq` with more than `share` of their power. */
export function blocksWithTone(samples: Int16Array, freq: number, share: number): number {
  return toneBlocks(samples, freq, share).length;
}

/**
 * The call times (s, two decimals) of the 20 ms blocks counted by {@link blocksWithTone}, mapped
 * through the recording's `segments`: where in the call the offending audio came from.
 */
export function blockTimes(
  samples: Int16Array,
  freq: number,
  share: number,
  segments: RecordingMetadata['segments'],
): number[] {
  return toneBlocks(samples, freq, share).map((off) => {
    const fileT = off / 8000;
    const seg = segments.find((s) => fileT >= s.fileStart && fileT < s.fileStart + s.duration);
    return Math.round(((seg ? seg.callStart - seg.fileStart : 0) + fileT) * 100) / 100;
  });
}

/**
 * Where (s) a fresh known-music detector that knows only `track` first hears it in `samples`
 * (8 kHz PCM, e.g. a recording's agent channel); undefined when it never does.
 */
export function musicMatchAt(samples: Int16Array, track: string): number | undefined {
  const library = new KnownMusicLibrary();
  library.addTrack(track, decodePcm(track));
  const detector = new KnownMusicDetector(library);
  const frame = new Int16Array(160);
  for (let off = 0; off + 160 <= samples.length; off += 160) {
    frame.set(samples.subarray(off, off + 160));
    if (detector.push(frame, off / 8)?.state === 'hold') return off / 8000;
  }
  return undefined;
}

/** Mean absolute sample value: whether a channel holds sound at all. */
export function meanAbs(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += Math.abs(s);
  return samples.length > 0 ? sum / samples.length : 0;
}
