import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { classifyCommand } from './classify-command.js';

const MOH = '/usr/share/asterisk/moh/manolo_camp-morning_coffee.wav';
const SPEECH = '/usr/share/asterisk/sounds/en_US_f_Allison';

/** Runs `holdgate classify` with `args`; returns its exit code and what it wrote. */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  const code = await classifyCommand(args);
  vi.restoreAllMocks();
  return { code, out, err };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('holdgate classify', () => {
  it('without a file: usage on stderr, exit 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^usage: holdgate classify <file>/);
    expect(r.out).toBe('');
  });

  it.each(['abc', '121', ''])(
    '--announcement-seconds %j: a clear message, exit 2',
    async (value) => {
      const r = await run(['x.wav', '--announcement-seconds', value]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('--announcement-seconds must be a number of seconds from 0 to 120');
      expect(r.out).toBe('');
    },
  );

  it.each([
    [['x.wav', '--announcement-seconds', '-1'], /argument is ambiguous/],
    [['x.wav', '--announcement-seconds=-1'], /from 0 to 120/],
    [['x.wav', '--loud'], /Unknown option '--loud'/],
    [['x.wav', '--known'], /argument missing/],
  ])('%j: what is wrong and the usage, exit 2, no crash', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('usage: holdgate classify');
  });

  it('a file it cannot read: the reason on stderr, exit 1', async () => {
    const r = await run([join(tmpdir(), 'no-such-file.wav'), '--no-classifier']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^holdgate classify: /);
  });

  it.each([
    ['a path that does not exist', 'missing', /no such file or directory/],
    ['a directory with no sound file', 'empty', /no sound files in it/],
    ['a directory with a sound file ffmpeg cannot decode', 'broken', /could not be decoded: /],
  ])('--known %s: the reason on stderr, exit 1, no run', async (_what, kind, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-classify-'));
    const known = join(dir, kind);
    if (kind === 'empty') {
      execFileSync('mkdir', ['-p', known]);
      writeFileSync(join(known, 'README'), 'the care queue has no hold music yet');
    }
    if (kind === 'broken') {
      execFileSync('mkdir', ['-p', known]);
      symlinkSync(MOH, join(known, 'coffee.wav'));
      writeFileSync(join(known, 'truncated.wav'), 'RIFF');
    }
    const r = await run([MOH, '--known', known, '--no-classifier']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^holdgate classify: Known hold music source is unusable: /);
    expect(r.err).toContain(kind === 'broken' ? join(known, 'truncated.wav') : known);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('known music then an agent: --announcement-seconds sets where the hold ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-classify-'));
    const known = join(dir, 'moh');
    execFileSync('mkdir', ['-p', known]);
    symlinkSync(MOH, join(known, 'coffee.wav'));
    // As an Asterisk moh directory: the track in another format too, and a file that is no sound.
    symlinkSync(MOH.replace(/\.wav$/, '.gsm'), join(known, 'coffee.gsm'));
    writeFileSync(join(known, 'README'), 'hold music of the care queue');
    const file = join(dir, 'call.wav');
    const prompts = ['agent-loginok', 'call-forwarding', 'auth-thankyou', 'agent-newlocation'];
    const music = join(dir, 'music.wav');
    execFileSync('sox', [MOH, '-r', '8000', '-c', '1', music, 'trim', '60', '8']);
    execFileSync('sox', [
      music,
      ...[...prompts, ...prompts].map((p) => join(SPEECH, `${p}.wav`)),
      file,
      'trim',
      '0',
      '20',
    ]);
    const lines = (args: string[]) =>
      run([file, '--known', known, '--no-classifier', ...args]).then((r) => {
        expect(r.code, r.err).toBe(0);
        return r.out
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { t?: number; state?: string; cause?: string });
      });
    const brief = await lines(['--announcement-seconds', '2']);
    expect(brief.map((l) => l.state ?? 'summary')).toEqual(['hold', 'no-hold', 'summary']);
    expect(brief[0]!.t).toBeLessThan(0.3);
    expect(Math.abs(brief[1]!.t! - 10)).toBeLessThanOrEqual(0.4);
    expect(brief[1]!.cause).toBe('known-music');
    // The default: the agent's first 10 s might have been an announcement.
    const dflt = await lines([]);
    expect(dflt.map((l) => l.state ?? 'summary')).toEqual(['hold', 'no-hold', 'summary']);
    expect(Math.abs(dflt[1]!.t! - 18)).toBeLessThanOrEqual(0.4);
  }, 30_000);
});
