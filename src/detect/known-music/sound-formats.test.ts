import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudioFile } from './decode-audio.js';
import { KnownMusicDetector } from './known-music-detector.js';
import { KnownMusicLibrary } from './known-music-library.js';
import { knownMusicFiles } from './known-music-sources.js';
import { ffmpegInputOptions, isSoundFile, onePerSound } from './sound-formats.js';
import { channel, seededRandom } from './test-signals.js';

const MOH = '/usr/share/asterisk/moh';
const TRACK = 'manolo_camp-morning_coffee';

describe('sound formats', () => {
  it('keeps one file per sound, in the most faithful format, and only sound files', () => {
    expect(
      onePerSound([
        'b.gsm',
        'a.gsm',
        'a.g722',
        'a.wav',
        'b.g722',
        'c.ulaw',
        'c.gsm',
        'd.WAV',
        'd.gsm',
        'e.sln16',
        'e.sln',
        'README',
        'notes.txt',
        '.hidden.wav',
      ]),
    ).toEqual(['a.wav', 'b.g722', 'c.ulaw', 'd.gsm', 'e.sln16']);
    expect(isSoundFile('x.MP3')).toBe(true);
    expect(isSoundFile('x.txt')).toBe(false);
  });

  it('names the demuxer of a headerless format, none for a file with a header', () => {
    expect(ffmpegInputOptions('/m/x.ulaw')).toEqual(['-f', 'mulaw', '-ar', '8000', '-ac', '1']);
    expect(ffmpegInputOptions('/m/x.pcm')).toEqual(['-f', 'mulaw', '-ar', '8000', '-ac', '1']);
    expect(ffmpegInputOptions('/m/x.al')).toEqual(['-f', 'alaw', '-ar', '8000', '-ac', '1']);
    expect(ffmpegInputOptions('/m/x.sln16')).toEqual(['-f', 's16le', '-ar', '16000', '-ac', '1']);
    expect(ffmpegInputOptions('/m/x.wav')).toEqual([]);
    expect(ffmpegInputOptions('/m/x.WAV')).toEqual([]);
    expect(ffmpegInputOptions('/m/no-extension')).toEqual([]);
  });

  // Asterisk's own formats of one track: GSM and G.722 as Debian installs them
  // (asterisk-moh-opsound-gsm, -g722), the headerless PCM ones written by ffmpeg from its WAV.
  it('every Asterisk format of a track decodes to the track, and its music is matched live', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-formats-'));
    const wav = join(MOH, `${TRACK}.wav`);
    const made: [string, string[]][] = [
      ['ulaw', ['-f', 'mulaw', '-ar', '8000']],
      ['alaw', ['-f', 'alaw', '-ar', '8000']],
      ['pcm', ['-f', 'mulaw', '-ar', '8000']],
      ['sln', ['-f', 's16le', '-ar', '8000']],
      ['sln16', ['-f', 's16le', '-ar', '16000']],
    ];
    for (const [ext, args] of made) {
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-i',
        wav,
        '-ac',
        '1',
        ...args,
        join(dir, `t.${ext}`),
      ]);
    }
    const files = [
      ...made.map(([ext]) => join(dir, `t.${ext}`)),
      join(MOH, `${TRACK}.gsm`),
      join(MOH, `${TRACK}.g722`),
    ];
    const reference = await decodeAudioFile(wav);
    // The next call's hold: 12 s from 40 s in, through µ-law with 1 % of frames lost.
    const live = channel(reference.slice(40 * 8000, 52 * 8000), -18, 0.01, seededRandom(5));
    for (const file of files) {
      const pcm = await decodeAudioFile(file);
      expect(Math.abs(pcm.length - reference.length), file).toBeLessThan(160);
      const detector = new KnownMusicDetector(await KnownMusicLibrary.fromFiles([file]));
      let heldAtMs: number | undefined;
      for (let off = 0; off + 160 <= live.length && heldAtMs === undefined; off += 160) {
        if (detector.push(live.subarray(off, off + 160), off / 8)?.state === 'hold')
          heldAtMs = off / 8;
      }
      expect(heldAtMs, file).toBeDefined();
      expect(heldAtMs!, file).toBeLessThan(1500);
    }
  }, 60_000);

  it('a directory gives one file per sound; a file is itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-formats-'));
    for (const ext of ['wav', 'gsm', 'g722']) {
      symlinkSync(join(MOH, `${TRACK}.${ext}`), join(dir, `${TRACK}.${ext}`));
    }
    writeFileSync(join(dir, 'README.txt'), 'the queue’s hold music');
    expect(await knownMusicFiles(dir)).toEqual([join(dir, `${TRACK}.wav`)]);
    expect(await knownMusicFiles(join(dir, `${TRACK}.gsm`))).toEqual([join(dir, `${TRACK}.gsm`)]);
    await expect(knownMusicFiles(join(dir, 'missing'))).rejects.toThrow(/ENOENT/);
  });
});
