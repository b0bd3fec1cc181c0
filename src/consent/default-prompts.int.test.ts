import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHoldgateError } from '../errors/registry.js';
import { synthesizePrompt } from './default-prompts.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'holdgate-synth-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** RIFF/WAVE header fields of a PCM wav. */
async function wavInfo(path: string): Promise<{ riff: string; wave: string; size: number }> {
  const b = await readFile(path);
  return { riff: b.toString('ascii', 0, 4), wave: b.toString('ascii', 8, 12), size: b.length };
}

describe('synthesizePrompt (real espeak-ng)', () => {
  const text = 'This call is recorded to train our staff.';

  it('renders a wav with audio, then reuses the same file', async () => {
    const out = join(dir, 'q1', 'en');
    const path = await synthesizePrompt(out, 'announcement', 'en-us', text);
    expect(path.startsWith(join(out, 'announcement.'))).toBe(true);
    expect(path).toMatch(/\.wav$/);
    const info = await wavInfo(path);
    expect(info.riff).toBe('RIFF');
    expect(info.wave).toBe('WAVE');
    // 44-byte header plus at least a second of 22.05 kHz 16-bit speech.
    expect(info.size).toBeGreaterThan(44 + 22_050 * 2);
    const first = await stat(path);

    await new Promise((r) => setTimeout(r, 20));
    const again = await synthesizePrompt(out, 'announcement', 'en-us', text);
    expect(again).toBe(path);
    expect((await stat(again)).mtimeMs).toBe(first.mtimeMs);
    expect(await readdir(out)).toEqual([path.slice(out.length + 1)]);
  });

  it('a different text, voice or kind gives another file', async () => {
    const out = join(dir, 'q2');
    const a = await synthesizePrompt(out, 'announcement', 'en-us', text);
    const b = await synthesizePrompt(out, 'announcement', 'en-us', `${text} Really.`);
    const c = await synthesizePrompt(out, 'announcement', 'nl', text);
    const d = await synthesizePrompt(out, 'confirmation', 'en-us', text);
    expect(new Set([a, b, c, d]).size).toBe(4);
    expect(d.startsWith(join(out, 'confirmation.'))).toBe(true);
    expect((await readdir(out)).filter((f) => f.endsWith('.wav'))).toHaveLength(4);
  });

  it('concurrent calls for the same prompt both succeed with one file', async () => {
    const out = join(dir, 'q3');
    const paths = await Promise.all(
      [0, 1, 2, 3].map(() => synthesizePrompt(out, 'announcement', 'en-us', text)),
    );
    const a = paths[0]!;
    expect(new Set(paths)).toEqual(new Set([a]));
    expect(await readdir(out)).toEqual([a.slice(out.length + 1)]);
    expect((await wavInfo(a)).size).toBeGreaterThan(44);
  });

  it('an unknown voice throws HG_ERR_PROMPT_SYNTHESIS and leaves no file', async () => {
    const out = join(dir, 'q4');
    let caught: unknown;
    try {
      await synthesizePrompt(out, 'announcement', 'xx-no-such-voice', text);
    } catch (err) {
      caught = err;
    }
    expect(isHoldgateError(caught) && caught.code).toBe('HG_ERR_PROMPT_SYNTHESIS');
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });
});
