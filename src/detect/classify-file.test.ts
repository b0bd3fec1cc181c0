import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HoldDecision, HoldMusicDetector } from './types.js';
import { classifyFile, type ClassifyLine } from './classify-file.js';
import { KNOWN_TRACKS, SPEECH_DIR, mohPath, readWav8k } from './known-music/test-signals.js';

const dir = mkdtempSync(join(tmpdir(), 'holdgate-classify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(lines: AsyncIterable<ClassifyLine>): Promise<ClassifyLine[]> {
  const out: ClassifyLine[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

/** An Asterisk prompt of the speech directory. */
const prompt = (name: string): string => join(SPEECH_DIR, `${name}.wav`);

/** A part of a test call: a whole file, or `seconds` of one from `from`. */
type Part = string | { readonly path: string; readonly from: number; readonly seconds: number };

/** Writes `parts` one after the other to `out` with ffmpeg (`outArgs`: e.g. its rate). */
function concatAudio(out: string, parts: readonly Part[], outArgs: readonly string[] = []): void {
  const trims = parts
    .map((p, i) =>
      typeof p === 'string'
        ? ''
        : `[${i}]atrim=start=${p.from}:duration=${p.seconds},asetpts=PTS-STARTPTS[t${i}];`,
    )
    .join('');
  const labels = parts.map((p, i) => (typeof p === 'string' ? `[${i}]` : `[t${i}]`)).join('');
  execFileSync('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    ...parts.flatMap((p) => ['-i', typeof p === 'string' ? p : p.path]),
    '-filter_complex',
    `${trims}${labels}concat=n=${parts.length}:v=0:a=1`,
    ...outArgs,
    out,
  ]);
}

/** Says hold from `fromMs` to `toMs` (a stand-in for the music classifier). */
class ScriptedDetector implements HoldMusicDetector {
  readonly stateBytes = 8;
  private hold = false;
  constructor(
    private readonly fromMs: number,
    private readonly toMs: number,
  ) {}
  push(_frame: Int16Array, callTimeMs: number): HoldDecision | undefined {
    const hold = callTimeMs >= this.fromMs && callTimeMs < this.toMs;
    if (hold === this.hold) return undefined;
    this.hold = hold;
    return {
      state: hold ? 'hold' : 'no-hold',
      onsetMs: callTimeMs,
      cause: 'scripted',
      confident: true,
    };
  }
  reset(): void {
    this.hold = false;
  }
}

describe('classifyFile', () => {
  it('(f) speech + known music + speech, 16 kHz stereo: the expected transitions and summary', async () => {
    const known = join(dir, 'moh');
    execFileSync('mkdir', ['-p', known]);
    for (const t of KNOWN_TRACKS) symlinkSync(mohPath(t), join(known, `${t}.wav`));
    const before = ['agent-loginok', 'agent-newlocation', 'agent-pass', 'agent-user'];
    const after = ['agent-loggedoff', 'agent-incorrect', 'agent-alreadyon', 'agent-pass'];
    const musicStart = before.reduce((s, p) => s + readWav8k(prompt(p)).length, 0) / 8000;
    const afterSeconds = after.reduce((s, p) => s + readWav8k(prompt(p)).length, 0) / 8000;
    const out = join(dir, 'call.wav');
    const music = { path: mohPath(KNOWN_TRACKS[1]!), from: 37.3, seconds: 10 };
    concatAudio(
      out,
      [...before.map(prompt), music, ...after.map(prompt)],
      ['-ar', '16000', '-ac', '2'],
    );
    const lines = await collect(classifyFile(out, { known, announcementSeconds: 0 }));
    expect(lines).toHaveLength(3);
    const [hold, release, summary] = lines as [ClassifyLine, ClassifyLine, ClassifyLine];
    expect(hold).toMatchObject({ state: 'hold', cause: 'known-music' });
    expect(release).toMatchObject({ state: 'no-hold', cause: 'known-music' });
    if (!('t' in hold) || !('t' in release) || !('summary' in summary))
      throw new Error('line order');
    // Not late (the known-music detector leads its match by 300 ms), and not much early.
    expect(hold.t).toBeLessThanOrEqual(musicStart);
    expect(hold.t).toBeGreaterThanOrEqual(musicStart - 0.4);
    expect(Math.abs(release.t - (musicStart + 10))).toBeLessThanOrEqual(0.4);
    expect(summary.summary.episodes).toBe(1);
    expect(Math.abs(summary.summary.seconds - (musicStart + 10 + afterSeconds))).toBeLessThan(0.05);
    expect(Math.abs(summary.summary.holdSeconds - 10)).toBeLessThanOrEqual(0.5);
    expect(JSON.parse(JSON.stringify(hold))).toEqual(hold);
    // By default what follows the music may be a queue announcement: the agent's first 10 s
    // after the music are still hold.
    const held = await collect(classifyFile(out, { known }));
    expect(held.map((l) => ('t' in l ? l.state : 'summary'))).toEqual([
      'hold',
      'no-hold',
      'summary',
    ]);
    const late = held[1]!;
    if (!('t' in late)) throw new Error('line order');
    expect(Math.abs(late.t - (musicStart + 10 + 10))).toBeLessThanOrEqual(0.4);
  }, 30_000);

  it('(g) a queue announcement in the known directory is held through, so a short announcementSeconds lets the agent go soon', async () => {
    const moh = join(dir, 'moh-only');
    const withAnnouncement = join(dir, 'moh-and-announcement');
    const announcement = prompt('queue-periodic-announce');
    for (const d of [moh, withAnnouncement]) {
      execFileSync('mkdir', ['-p', d]);
      for (const t of KNOWN_TRACKS) symlinkSync(mohPath(t), join(d, `${t}.wav`));
    }
    symlinkSync(announcement, join(withAnnouncement, 'queue-periodic-announce.wav'));
    // Not `agent-incorrect`: from 1.6 s on it matches the announcement (words recorded once and
    // used in both prompts); a PBX prompt, not an agent, but not what this test is about.
    const after = ['agent-loggedoff', 'agent-alreadyon', 'agent-pass', 'agent-user'];
    const announcementSeconds = readWav8k(announcement).length / 8000;
    // 8 s of music, the announcement (7.8 s), 8 s of music, then the agent.
    const agentStart = 8 + announcementSeconds + 8;
    const out = join(dir, 'announced.wav');
    const track = mohPath(KNOWN_TRACKS[1]!);
    concatAudio(out, [
      { path: track, from: 37.3, seconds: 8 },
      announcement,
      { path: track, from: 60, seconds: 8 },
      ...after.map(prompt),
    ]);
    const states = (lines: ClassifyLine[]) => lines.map((l) => ('t' in l ? l.state : 'summary'));
    // The announcement matched as known: one hold, let go 2 s (and the match's lag) into the agent.
    const held = await collect(
      classifyFile(out, { known: withAnnouncement, announcementSeconds: 2 }),
    );
    expect(states(held)).toEqual(['hold', 'no-hold', 'summary']);
    const [hold, release] = held as [ClassifyLine, ClassifyLine];
    if (!('t' in hold) || !('t' in release)) throw new Error('line order');
    expect(hold.t).toBeLessThanOrEqual(0.1);
    expect(release.t).toBeGreaterThanOrEqual(agentStart);
    expect(release.t).toBeLessThanOrEqual(agentStart + 3);
    // The music alone known: 2 s does not span the announcement, and the caller is recorded
    // through most of it.
    const broken = await collect(classifyFile(out, { known: moh, announcementSeconds: 2 }));
    expect(states(broken)).toEqual(['hold', 'no-hold', 'hold', 'no-hold', 'summary']);
  }, 30_000);

  it('combines further detectors: hold while any says hold', async () => {
    const out = join(dir, 'speech.wav');
    execFileSync('ffmpeg', [
      '-nostdin',
      '-v',
      'error',
      '-i',
      join(SPEECH_DIR, 'agent-pass.wav'),
      out,
    ]);
    const seconds = readWav8k(join(SPEECH_DIR, 'agent-pass.wav')).length / 8000;
    const lines = await collect(
      classifyFile(out, {
        detectors: [new ScriptedDetector(200, 600), new ScriptedDetector(400, 900)],
      }),
    );
    expect(lines).toEqual([
      { t: 0.2, state: 'hold', cause: 'scripted' },
      { t: 0.9, state: 'no-hold', cause: 'scripted' },
      { summary: { seconds, holdSeconds: 0.7, episodes: 1 } },
    ]);
  });

  it('rejects a file ffmpeg cannot decode with HG_ERR_AUDIO_DECODE', async () => {
    await expect(collect(classifyFile(join(dir, 'missing.wav')))).rejects.toMatchObject({
      code: 'HG_ERR_AUDIO_DECODE',
    });
  });
});
