import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { runSyntheticCall } from '../../bench/recorder.js';
import { FileRecorder, type FileRecorderOptions } from './file-recorder.js';
import type { RecordingMetadata } from './recording-metadata.js';
import { recoverSpools } from './recover-spools.js';
import { openSpoolFile, type SpoolFile } from './spool-writer.js';
import { verifyRecording } from './verify-recording.js';

const run = promisify(execFile);

describe('formats, crash recovery and fsync failure', () => {
  let dir: string;
  let base: FileRecorderOptions;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hg-recover-'));
    base = {
      dir,
      id: 'r',
      callId: 'c@127.0.0.1',
      queue: 'q',
      from: 'sip:a@127.0.0.1',
      to: 'sip:b@127.0.0.1',
      startedAt: new Date('2025-03-01T10:00:00.000Z'),
    };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['flac', 'opus', 'mp3'] as const)(
    '%s: ffprobe accepts the file; verify passes',
    async (format) => {
      const recorder = await FileRecorder.open({ ...base, id: `r-${format}`, format });
      runSyntheticCall(recorder, 4000, {
        1000: (g, t) => g.apiPause('test', t),
        2000: (g, t) => g.apiResume(t),
      });
      const meta = await recorder.close(4000);
      expect(meta.status).toBe('complete');
      const ext = format === 'opus' ? 'opus' : format;
      expect(meta.audio?.file).toBe(`r-${format}.${ext}`);
      const { stdout } = await run('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'stream=codec_name,channels,sample_rate',
        '-of',
        'json',
        join(dir, `r-${format}.${ext}`),
      ]);
      const probe = JSON.parse(stdout) as { streams: { codec_name: string; channels: number }[] };
      expect(probe.streams[0]?.channels).toBe(2);
      expect(probe.streams[0]?.codec_name).toBe({ flac: 'flac', opus: 'opus', mp3: 'mp3' }[format]);
      const verdict = await verifyRecording(join(dir, `r-${format}.json`));
      expect(verdict, JSON.stringify(verdict)).toEqual({ ok: true });
    },
  );

  it('a spool never finalized (crash) is recovered as incomplete and verifies', async () => {
    const recorder = await FileRecorder.open(base);
    runSyntheticCall(recorder, 6000, {
      2000: (g, t) => g.sdpOffer({ leg: 'caller', exchangeId: 'h', hold: true }, t),
    });
    await recorder.flush(); // what a second of fsync cadence has made durable; then "kill -9"
    await writeFile(join(dir, '.r.wav.tmp'), 'half-written audio of a crashed finalize');
    const result = await recoverSpools(dir);
    expect(result).toEqual({
      recovered: [{ id: 'r', status: 'incomplete' }],
      keptFailed: [],
      removedStale: [],
      unreadable: [],
    });
    const meta = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as RecordingMetadata;
    expect(meta).toMatchObject({ status: 'incomplete', recovered: true });
    // the call's end is the last durable record (a clock note every second while paused)
    expect(meta.endedAt).toBe('2025-03-01T10:00:05.000Z');
    expect(meta.holdIntervals).toEqual([{ start: 2, end: 5, cause: 'sdp-hold-caller' }]);
    expect(meta.segments).toEqual([{ fileStart: 0, callStart: 0, duration: 2, kind: 'audio' }]);
    expect((await readdir(dir)).sort()).toEqual(['r.json', 'r.wav']);
    expect(await verifyRecording(join(dir, 'r.wav'))).toEqual({ ok: true });
    // a second recovery finds nothing to do
    expect((await recoverSpools(dir)).recovered).toEqual([]);
  });

  it('an fsync failure marks the recording failed, keeps the spool; recovery leaves it', async () => {
    let syncs = 0;
    const open = async (path: string): Promise<SpoolFile> => {
      const real = await openSpoolFile(path);
      return {
        write: (b, o, l, p) => real.write(b, o, l, p),
        sync: () => (++syncs >= 2 ? Promise.reject(new Error('EIO: fsync')) : real.sync()),
        close: () => real.close(),
      };
    };
    const recorder = await FileRecorder.open({ ...base, spool: { open } });
    runSyntheticCall(recorder, 2000, {});
    await recorder.flush();
    expect(recorder.status).toBe('failed');
    const meta = await recorder.close(2000);
    expect(meta.status).toBe('failed');
    expect(meta.failure).toMatch(/EIO: fsync/);
    expect(meta.spool).toBe('r.spool');
    expect((await readdir(dir)).sort()).toEqual(['r.json', 'r.spool']);
    expect(syncs).toBe(2); // never retried
    expect(await recoverSpools(dir)).toMatchObject({ keptFailed: ['r'], recovered: [] });
    expect((await readdir(dir)).sort()).toEqual(['r.json', 'r.spool']);
    expect(await verifyRecording(join(dir, 'r.json'))).toMatchObject({
      ok: false,
      reason: /recording failed/,
    });
  });
});
