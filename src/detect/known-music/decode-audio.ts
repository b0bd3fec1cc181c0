import { spawn } from 'node:child_process';
import { HoldgateError } from '../../errors/registry.js';

/**
 * Decodes any file ffmpeg reads to 8 kHz mono signed 16-bit little-endian PCM, streamed as
 * chunks (`ffmpeg -i f -f s16le -ar 8000 -ac 1 -`). Chunks hold whole samples.
 */
export async function* decodeAudioChunks(path: string): AsyncGenerator<Int16Array> {
  const child = spawn(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-i', path, '-f', 's16le', '-ar', '8000', '-ac', '1', '-'],
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
      throw new HoldgateError('HG_ERR_AUDIO_DECODE', path, { path }, spawnError);
    }
    if (code !== 0) {
      throw new HoldgateError('HG_ERR_AUDIO_DECODE', `${path}: ${stderr.trim()}`, {
        path,
        exitCode: code,
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
