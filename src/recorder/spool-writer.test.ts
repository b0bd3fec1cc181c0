import { mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it, expect, vi } from 'vitest';
import { readSpool, RecordKind, type SpoolHeader } from './spool-format.js';
import { SpoolWriter, openSpoolFile, type SpoolFile } from './spool-writer.js';

const header: SpoolHeader = {
  version: 1,
  id: 'r1',
  callId: 'c1',
  queue: 'q',
  from: 'a',
  to: 'b',
  startedAt: '2025-01-01T00:00:00.000Z',
  format: 'wav',
  pauseBehaviour: 'gap',
  delayMs: 2500,
  consentPolicy: 'none',
  codec: 'PCMU',
  retainUntil: '2025-04-01T00:00:00.000Z',
};

/** An in-memory file that logs writes and syncs; `failSyncAt` makes the n-th sync fail. */
function fakeFile(failSyncAt = Infinity) {
  const log: string[] = [];
  let bytes = 0;
  let syncs = 0;
  const file: SpoolFile = {
    write: (_buf, _off, length) => {
      log.push(`write ${length}`);
      bytes += length;
      return Promise.resolve({ bytesWritten: length });
    },
    sync: () => {
      syncs++;
      log.push('sync');
      return syncs >= failSyncAt ? Promise.reject(new Error('EIO')) : Promise.resolve();
    },
    close: () => {
      log.push('close');
      return Promise.resolve();
    },
  };
  return { file, log, bytes: () => bytes };
}

describe('SpoolWriter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hg-spool-'));
  });
  afterEach(async () => {
    vi.useRealTimers();
    await rm(dir, { recursive: true, force: true });
  });

  it('fsyncs the header at creation and then at least once a second while frames flow', async () => {
    vi.useFakeTimers();
    let now = 0;
    const fake = fakeFile();
    const writer = await SpoolWriter.create('x', header, {
      open: () => Promise.resolve(fake.file),
      clock: () => now,
    });
    expect(fake.log).toEqual([expect.stringMatching(/^write \d+$/), 'sync']);
    const pcm = new Int16Array(160);
    const syncTimes: number[] = [];
    for (let t = 0; t < 5000; t += 20) {
      now = t;
      const before = writer.syncCount;
      writer.appendFrame(RecordKind.Caller, t, pcm);
      writer.appendFrame(RecordKind.Agent, t, pcm);
      await vi.advanceTimersByTimeAsync(20);
      if (writer.syncCount > before) syncTimes.push(t);
    }
    expect(syncTimes.length).toBeGreaterThanOrEqual(5);
    const gaps = syncTimes.slice(1).map((t, i) => t - syncTimes[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1000);
    await writer.close(5000);
    expect(fake.log.at(-1)).toBe('close');
    expect(writer.durableBytes).toBe(fake.bytes());
  });

  it('the interval timer flushes a note even when no frame follows it', async () => {
    vi.useFakeTimers();
    const fake = fakeFile();
    const writer = await SpoolWriter.create('x', header, {
      open: () => Promise.resolve(fake.file),
      clock: () => 0,
    });
    writer.appendNote(100, { type: 'consent', outcome: 'granted' });
    const syncs = writer.syncCount;
    await vi.advanceTimersByTimeAsync(1000);
    expect(writer.syncCount).toBe(syncs + 1);
    await writer.close(200);
  });

  it('an fsync failure is final: reported once, nothing more written or synced', async () => {
    const fake = fakeFile(2);
    const failures: unknown[] = [];
    const writer = await SpoolWriter.create('x', header, {
      open: () => Promise.resolve(fake.file),
      onFailure: (err) => failures.push(err),
    });
    writer.appendFrame(RecordKind.Caller, 0, new Int16Array(160));
    await writer.flush();
    expect(writer.failed).toBe(true);
    expect(failures).toHaveLength(1);
    const logLength = fake.log.length;
    writer.appendFrame(RecordKind.Caller, 20, new Int16Array(160));
    await writer.flush();
    await writer.close(40);
    expect(fake.log.slice(logLength)).toEqual(['close']);
    expect(writer.durableBytes).toBeLessThan(fake.bytes());
  });

  it('round-trips frames, notes and the end record through a real file; a torn tail is ignored', async () => {
    const path = join(dir, 'r1.spool');
    const writer = await SpoolWriter.create(path, header, { open: openSpoolFile });
    const pcm = Int16Array.from({ length: 160 }, (_, i) => i * 100 - 8000);
    writer.appendFrame(RecordKind.Caller, 0, pcm);
    writer.appendNote(10, { type: 'gate', event: { t: 0.01, state: 'paused', cause: 'api' } });
    writer.appendFrame(RecordKind.Agent, 20, pcm.subarray(0, 12));
    await writer.close(40);
    await appendFile(path, Buffer.from([0, 1, 2])); // torn record
    const s = await readSpool(path);
    expect(s.header).toEqual(header);
    expect(s.frames.caller.times).toEqual([0]);
    expect(s.frames.agent.times).toEqual([20]);
    expect(s.notes).toEqual([
      { tMs: 10, note: { type: 'gate', event: { t: 0.01, state: 'paused', cause: 'api' } } },
    ]);
    expect(s.endMs).toBe(40);
    await expect(SpoolWriter.create(path, header)).rejects.toThrow(/EEXIST/);
    await writeFile(join(dir, 'bad.spool'), 'nope');
    await expect(readSpool(join(dir, 'bad.spool'))).rejects.toThrow(/not a holdgate spool/);
  });
});
