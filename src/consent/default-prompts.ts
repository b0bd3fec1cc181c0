import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HoldgateError } from '../errors/registry.js';
import type { ConsentPolicyName } from './consent-policy.js';

const run = promisify(execFile);

export type PromptKind = 'announcement' | 'confirmation';

/** Languages holdgate has default prompt texts for (issue 6, Build 6). */
export const DEFAULT_PROMPT_LANGUAGES: ReadonlySet<string> = new Set(['en', 'nl']);

interface Texts {
  announce(purpose: string): string;
  optOut(purpose: string, key: string): string;
  optIn(purpose: string, key: string): string;
  optedOut: string;
  optedIn: string;
  key(digit: string): string;
}

const TEXTS: Record<string, Texts> = {
  en: {
    announce: (p) => `This call is recorded ${p}.`,
    optOut: (p, k) =>
      `This call is recorded ${p}. If you do not want this call to be recorded, press ${k} now.`,
    optIn: (p, k) => `We would like to record this call ${p}. If you agree, press ${k} now.`,
    optedOut: 'This call will not be recorded.',
    optedIn: 'Thank you. This call will be recorded.',
    key: (d) => (d === '*' ? 'star' : d === '#' ? 'hash' : d),
  },
  nl: {
    announce: (p) => `Dit gesprek wordt opgenomen ${p}.`,
    optOut: (p, k) =>
      `Dit gesprek wordt opgenomen ${p}. Wilt u niet dat dit gesprek wordt opgenomen, druk dan nu op ${k}.`,
    optIn: (p, k) =>
      `Wij willen dit gesprek graag opnemen ${p}. Gaat u daarmee akkoord, druk dan nu op ${k}.`,
    optedOut: 'Dit gesprek wordt niet opgenomen.',
    optedIn: 'Dank u. Dit gesprek wordt opgenomen.',
    key: (d) => (d === '*' ? 'sterretje' : d === '#' ? 'hekje' : d),
  },
};

/**
 * The text of a default prompt, or undefined when holdgate has none for the language. The
 * announcement names the queue's purpose (GDPR art. 13(1)(c): the purpose must be told);
 * `purpose` is a phrase that follows "recorded", e.g. "to train our staff".
 */
export function defaultPromptText(
  kind: PromptKind,
  policy: ConsentPolicyName,
  language: string,
  purpose: string,
  digit: string,
): string | undefined {
  const t = TEXTS[language];
  if (t === undefined) return undefined;
  const p = purpose.trim().replace(/[.\s]+$/, '');
  if (kind === 'confirmation') return policy === 'opt-in' ? t.optedIn : t.optedOut;
  if (policy === 'opt-out') return t.optOut(p, t.key(digit));
  if (policy === 'opt-in') return t.optIn(p, t.key(digit));
  return t.announce(p);
}

/**
 * Renders `text` with espeak-ng into `<dir>/<kind>.<hash>.wav` unless that file exists (the hash
 * covers voice and text, so a changed purpose makes a new file). Returns the path.
 * @throws HoldgateError `HG_ERR_PROMPT_SYNTHESIS` when espeak-ng is missing or fails
 */
export async function synthesizePrompt(
  dir: string,
  kind: PromptKind,
  voice: string,
  text: string,
): Promise<string> {
  const hash = createHash('sha256').update(`${voice}\n${text}`).digest('hex').slice(0, 12);
  const path = join(dir, `${kind}.${hash}.wav`);
  const existing = await stat(path).catch(() => undefined);
  if (existing !== undefined && existing.size > 44) return path;
  await mkdir(dir, { recursive: true });
  // A unique temporary per call: concurrent requests for one prompt (e.g. prepare() and a call
  // after a config reload) must not write, rename or remove each other's file.
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp.wav`;
  try {
    await run('espeak-ng', ['-v', voice, '-s', '150', '-w', tmp, text], { timeout: 30_000 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new HoldgateError(
      'HG_ERR_PROMPT_SYNTHESIS',
      `espeak-ng (voice ${voice}) failed: ${err instanceof Error ? err.message.split('\n')[0]! : String(err)}`,
      { voice, kind },
      err,
    );
  }
  return path;
}
