import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { HoldgateError } from '../../errors/registry.js';
import { ffmpegInputOptions } from './sound-formats.js';

/**
 * Decodes any file ffmpeg reads to 8 kHz mono signed 16-bit little-endian PCM, streamed as
 * chunks (`ffmpeg -i f -f s16le -ar 8000 -ac 1 -`). Chunks hold whole samples. Asterisk's
 * headerless sound formats (.ulaw, .alaw, .sln16, .gsm, .g722, ...) are read by their extension
 * (see `sound-formats.ts`).
 */
export async function* decodeAudioChunks(path: string): AsyncGenerator<Int16Array> {
  const child = spawn(
    'ffmpeg',
    [
      '-nostdin',
      '-v',
      'error',
      ...ffmpegInputOptions(path),
      '-i',
      path,
      '-f',
      's16le',
      '-ar',
      '8000',
      '-ac',
      '1',
      '-',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  let spawnError: unknown;
  child.once('error', (err) => {
    spawnError = err;
  });
  // 'close' follows 'error' when ffmpeg could not be spawned, so this always settles.
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code) => resolve(code));
  });
  let odd: number | undefined;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let bytes = chunk;
      if (odd !== undefined) {
        bytes = Buffer.concat([Buffer.of(odd), chunk]);
        odd = undefined;
      }
      const n = bytes.length >> 1;
      if (bytes.length & 1) odd = bytes[bytes.length - 1];
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = bytes.readInt16LE(2 * i);
      yield out;
    }
    const code = await exited;
    if (spawnError !== undefined) {
      const reason = spawnError instanceof Error ? spawnError.message : 'ffmpeg did not start';
      throw new HoldgateError('HG_ERR_AUDIO_DECODE', path, { path, reason }, spawnError);
    }
    if (code !== 0) {
      // `reason`: ffmpeg's last complaint, without the input path it puts before it.
      const text = stderr.trim();
      const at = text.lastIndexOf(`${path}: `);
      throw new HoldgateError('HG_ERR_AUDIO_DECODE', `${path}: ${text}`, {
        path,
        exitCode: code,
        reason: at >= 0 ? text.slice(at + path.length + 2) : text,
      });
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** Decodes a whole file to one 8 kHz mono PCM16 array. */
export async function decodeAudioFile(path: string): Promise<Int16Array> {
  const parts: Int16Array[] = [];
  let total = 0;
  for await (const part of decodeAudioChunks(path)) {
    parts.push(part);
    total += part.length;
  }
  const out = new Int16Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Reads an 8 kHz mono PCM16 WAV file (the Asterisk sounds, the corpus) without spawning ffmpeg;
 * anything else is an error (use `decodeAudioFile`).
 */
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
        (buf.readUInt16LE(body) === 1 || buf.readUInt16LE(body) === 0xfffe) &&
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
