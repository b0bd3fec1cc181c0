import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import type { Config, QueueConfig } from '../config/schema.js';
import { isHoldgateError } from '../errors/registry.js';
import { ulawDecode } from '../media/g711/index.js';
import { PromptCache } from '../media/prompt/index.js';
import { ConsentPromptLibrary, type ConsentPrompt } from './prompt-library.js';

let dir: string;
let tone: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'holdgate-consent-prompts-'));
  tone = join(dir, 'operator-tone.wav');
  // 1 s of 440 Hz at 16 kHz: the operator's own recording (resampled to 8 kHz by the cache).
  execFileSync('sox', [
    '-n',
    '-r',
    '16000',
    '-c',
    '1',
    '-b',
    '16',
    tone,
    'synth',
    '1',
    'sine',
    '440',
  ]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function setup(queue: Record<string, unknown>): {
  config: Readonly<Config>;
  queue: QueueConfig;
  library: ConsentPromptLibrary;
} {
  const config = validateConfig({
    prompts: { dir: join(dir, 'prompts') },
    queues: [{ match: { requestUser: '100' }, pbx: { host: '10.0.0.1' }, ...queue }],
  });
  const cache = new PromptCache({ cacheDir: join(dir, 'prompts', '.g711') });
  return {
    config,
    queue: config.queues[0]!,
    library: new ConsentPromptLibrary(config.prompts, cache),
  };
}

/** The reference conversion: ffmpeg to 8 kHz mono µ-law, independent of the cache. */
function referenceUlaw(file: string): Buffer {
  return execFileSync(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-ar', '8000', '-ac', '1', '-f', 'mulaw', '-'],
    {
      maxBuffer: 16 << 20,
    },
  );
}

async function expectConsistent(prompt: ConsentPrompt, silence: number): Promise<void> {
  expect(prompt.payloads.length).toBeGreaterThan(0);
  for (const p of prompt.payloads) expect(p.length).toBe(160);
  // 20 ms per payload; only the last may be partly padding.
  expect(prompt.payloads.length).toBe(Math.ceil(prompt.durationMs / 20));
  expect(prompt.sha256).toBe(
    createHash('sha256')
      .update(await readFile(prompt.file))
      .digest('hex'),
  );
  const samples = Math.round(prompt.durationMs * 8);
  const last = prompt.payloads.at(-1)!;
  const used = samples - (prompt.payloads.length - 1) * 160;
  expect(last.subarray(used).every((b) => b === silence)).toBe(true);
}

function joined(prompt: ConsentPrompt): Buffer {
  return Buffer.concat(prompt.payloads).subarray(0, Math.round(prompt.durationMs * 8));
}

describe('ConsentPromptLibrary (real PromptCache, ffmpeg, espeak-ng)', () => {
  it('synthesizes the opt-out announcement and confirmation from the purpose text', async () => {
    const { queue, library } = setup({
      name: 'sales',
      consent: { policy: 'opt-out' },
      purpose: { en: 'to train our staff' },
    });
    const prompts = await library.load(queue, 'en', 'ulaw');
    expect(prompts.language).toBe('en');
    const { announcement, confirmation } = prompts;
    expect(announcement.file.startsWith(join(dir, 'prompts', 'sales', 'en', 'announcement.'))).toBe(
      true,
    );
    expect(confirmation.file.startsWith(join(dir, 'prompts', 'sales', 'en', 'confirmation.'))).toBe(
      true,
    );
    await expectConsistent(announcement, 0xff);
    await expectConsistent(confirmation, 0xff);
    // The announcement states purpose and key; it is clearly longer than "This call will not be recorded."
    expect(announcement.durationMs).toBeGreaterThan(4000);
    expect(confirmation.durationMs).toBeGreaterThan(1000);
    expect(announcement.durationMs).toBeGreaterThan(confirmation.durationMs * 2);
    // The payloads carry exactly what ffmpeg makes of the file.
    expect(joined(announcement).equals(referenceUlaw(announcement.file))).toBe(true);
    expect(joined(confirmation).equals(referenceUlaw(confirmation.file))).toBe(true);
  });

  it('A-law pads with the A-law silence byte and shares the synthesized files', async () => {
    const { queue, library } = setup({
      name: 'sales',
      consent: { policy: 'opt-out' },
      purpose: { en: 'to train our staff' },
    });
    const mu = await library.load(queue, 'en', 'ulaw');
    const a = await library.load(queue, 'en', 'alaw');
    expect(a.announcement.file).toBe(mu.announcement.file);
    expect(a.announcement.sha256).toBe(mu.announcement.sha256);
    expect(a.announcement.durationMs).toBe(mu.announcement.durationMs);
    await expectConsistent(a.announcement, 0xd5);
  });

  it('a changed purpose gives another announcement file', async () => {
    const base = { name: 'support', consent: { policy: 'opt-out' } };
    const s1 = setup({ ...base, purpose: { en: 'to train our staff' } });
    const one = await s1.library.load(s1.queue, 'en', 'ulaw');
    const s2 = setup({ ...base, purpose: { en: 'to improve our service' } });
    const two = await s2.library.load(s2.queue, 'en', 'ulaw');
    expect(two.announcement.file).not.toBe(one.announcement.file);
    expect(two.announcement.sha256).not.toBe(one.announcement.sha256);
    // Same policy: the confirmation text did not change.
    expect(two.confirmation.file).toBe(one.confirmation.file);
  });

  it('a language without purpose and without an announcement file → HG_ERR_CONSENT_CONFIG', async () => {
    const { queue, library } = setup({
      name: 'sales',
      consent: { policy: 'opt-out' },
      purpose: { en: 'to train our staff' },
    });
    const err = await library.load(queue, 'nl', 'ulaw').catch((e: unknown) => e);
    expect(isHoldgateError(err) && err.code).toBe('HG_ERR_CONSENT_CONFIG');
  });

  it('a purpose in a language without default texts → HG_ERR_CONSENT_CONFIG', async () => {
    const { queue, library } = setup({
      name: 'sales',
      consent: { policy: 'announce' },
      purpose: { de: 'zur Schulung' },
    });
    const err = await library.load(queue, 'de', 'ulaw').catch((e: unknown) => e);
    expect(isHoldgateError(err) && err.code).toBe('HG_ERR_CONSENT_CONFIG');
  });

  it("uses the operator's file as is (no purpose needed), synthesizing only what is missing", async () => {
    const { queue, library } = setup({
      name: 'ops',
      consent: { policy: 'opt-in', language: 'nl', prompts: { nl: { announcement: tone } } },
    });
    const prompts = await library.load(queue, 'nl', 'ulaw');
    const { announcement, confirmation } = prompts;
    expect(announcement.file).toBe(tone);
    expect(announcement.durationMs).toBe(1000);
    expect(announcement.payloads).toHaveLength(50);
    await expectConsistent(announcement, 0xff);
    expect(joined(announcement).equals(referenceUlaw(tone))).toBe(true);
    // A 440 Hz tone: 880 zero crossings per second (±2 %).
    const pcm = [...joined(announcement)].map(ulawDecode);
    let crossings = 0;
    for (let i = 1; i < pcm.length; i++) if (pcm[i - 1]! < 0 !== pcm[i]! < 0) crossings++;
    expect(Math.abs(crossings - 880)).toBeLessThan(18);
    // The confirmation is the synthesized Dutch opt-in one.
    expect(confirmation.file.startsWith(join(dir, 'prompts', 'ops', 'nl', 'confirmation.'))).toBe(
      true,
    );
    await expectConsistent(confirmation, 0xff);
    // Nothing synthesized for the announcement.
    const synthesized = await readdir(join(dir, 'prompts', 'ops', 'nl'));
    expect(synthesized.filter((f) => f.startsWith('announcement.'))).toEqual([]);
  });

  it('languagesOf: default language first, then prompt languages, then purpose languages with defaults', () => {
    const { queue, library } = setup({
      name: 'multi',
      consent: { policy: 'opt-out', language: 'fr', prompts: { de: { announcement: tone } } },
      purpose: { nl: 'om te trainen', es: 'para formar', en: 'to train' },
    });
    expect([...library.languagesOf(queue)]).toEqual(['fr', 'de', 'nl', 'en']);
    const plain = setup({ name: 'plain' });
    expect([...plain.library.languagesOf(plain.queue)]).toEqual(['en']);
  });

  it('prepare synthesizes every language up front, and does nothing for policy none', async () => {
    const none = setup({ name: 'quiet', purpose: { en: 'to train our staff' } });
    await none.library.prepare(none.queue);
    expect(await readdir(join(dir, 'prompts', 'quiet')).catch(() => [])).toEqual([]);

    const both = setup({
      name: 'both',
      consent: { policy: 'announce' },
      purpose: { en: 'to train our staff', nl: 'om onze medewerkers te trainen' },
    });
    await both.library.prepare(both.queue);
    expect((await readdir(join(dir, 'prompts', 'both'))).sort()).toEqual(['en', 'nl']);

    const broken = setup({
      name: 'broken',
      consent: { policy: 'opt-in', language: 'nl' },
      purpose: { en: 'x' },
    });
    const err = await broken.library.prepare(broken.queue).catch((e: unknown) => e);
    expect(isHoldgateError(err) && err.code).toBe('HG_ERR_CONSENT_CONFIG');
  });
});
