import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { isHoldgateError } from '../../errors/registry.js';
import { alawDecode } from '../g711/alaw.js';
import { ulawDecode } from '../g711/mulaw.js';
import { PromptCache } from './prompt-cache.js';
import { PromptPacketizer } from './prompt-packetizer.js';

const WAV = '/usr/share/asterisk/sounds/en_US_f_Allison/privacy-prompt.wav';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'holdgate-prompt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The reference: the same file decoded by ffmpeg to 8 kHz PCM16. */
function referencePcm(file: string): Int16Array {
  const raw = execFileSync(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-ar', '8000', '-ac', '1', '-f', 's16le', '-'],
    {
      maxBuffer: 32 << 20,
    },
  );
  return new Int16Array(raw.buffer, raw.byteOffset, raw.length >> 1);
}

function snrDb(ref: Int16Array, decoded: (i: number) => number): number {
  let sig = 0;
  let err = 0;
  for (let i = 0; i < ref.length; i++) {
    sig += ref[i]! ** 2;
    err += (ref[i]! - decoded(i)) ** 2;
  }
  return 10 * Math.log10(sig / err);
}

describe('PromptCache (real ffmpeg)', () => {
  it('converts a wav to µ-law and A-law once, keyed by content SHA-256', async () => {
    const cache = new PromptCache({ cacheDir: join(dir, 'cache') });
    const ref = referencePcm(WAV);
    const mu = await cache.load(WAV, 'ulaw');
    expect(mu.audio.length).toBe(ref.length);
    expect(mu.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(mu.path.endsWith(`${mu.sourceSha256}.ulaw`)).toBe(true);
    expect(mu.durationMs).toBeCloseTo(ref.length / 8, 5);
    // G.711 quantization SNR of speech is ~35–38 dB; anything far lower is a wrong conversion.
    expect(snrDb(ref, (i) => ulawDecode(mu.audio[i]!))).toBeGreaterThan(30);
    const a = await cache.load(WAV, 'alaw');
    expect(a.audio.length).toBe(ref.length);
    expect(snrDb(ref, (i) => alawDecode(a.audio[i]!))).toBeGreaterThan(30);

    // Same content under another name: served from the cache file, not converted again.
    const mtime = (await stat(mu.path)).mtimeMs;
    const copy = join(dir, 'renamed.wav');
    await copyFile(WAV, copy);
    const again = await new PromptCache({ cacheDir: join(dir, 'cache') }).load(copy, 'ulaw');
    expect(again.path).toBe(mu.path);
    expect(again.audio).toEqual(mu.audio);
    expect((await stat(mu.path)).mtimeMs).toBe(mtime);
    expect((await readdir(join(dir, 'cache'))).sort()).toEqual(
      [`${mu.sourceSha256}.alaw`, `${mu.sourceSha256}.ulaw`].sort(),
    );

    // Packetized, the prompt arrives intact.
    const p = new PromptPacketizer({
      audio: mu.audio,
      law: 'ulaw',
      payloadType: 0,
      ssrc: 7,
      sequence: 0,
      timestamp: 0,
    });
    const buf = Buffer.alloc(p.packetLength);
    const parts: Buffer[] = [];
    for (let n = p.next(buf); n > 0; n = p.next(buf)) parts.push(Buffer.from(buf.subarray(12, n)));
    expect(parts).toHaveLength(Math.ceil(mu.audio.length / 160));
    expect(Buffer.concat(parts).subarray(0, mu.audio.length)).toEqual(mu.audio);
  });

  it('shares one conversion between concurrent loads', async () => {
    const cache = new PromptCache({ cacheDir: join(dir, 'cache2') });
    const [x, y] = await Promise.all([cache.load(WAV, 'ulaw'), cache.load(WAV, 'ulaw')]);
    expect(x).toBe(y);
  });

  it('fails with HG_ERR_PROMPT_CONVERT on garbage and on a missing file', async () => {
    const cache = new PromptCache({ cacheDir: join(dir, 'cache3') });
    const junk = join(dir, 'junk.wav');
    await writeFile(junk, 'this is not audio at all');
    for (const file of [junk, join(dir, 'missing.wav')]) {
      const err: unknown = await cache.load(file, 'alaw').catch((e: unknown) => e);
      expect(isHoldgateError(err) && err.code).toBe('HG_ERR_PROMPT_CONVERT');
    }
    expect((await readdir(join(dir, 'cache3'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
