import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { runSyntheticCall, sampleAt, type GateAction } from '../../bench/recorder.js';
import { FileRecorder, type FileRecorderOptions } from './file-recorder.js';
import { metadataDigest, type RecordingMetadata } from './recording-metadata.js';
import { verifyRecording } from './verify-recording.js';

const run = promisify(execFile);

/** Decodes any audio file to interleaved s16le stereo 8 kHz with ffmpeg. */
async function decode(path: string): Promise<Int16Array> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-f', 's16le', '-ac', '2', '-ar', '8000', '-'],
    { encoding: 'buffer', maxBuffer: 64 << 20 },
  );
  return new Int16Array(stdout.buffer, stdout.byteOffset, stdout.byteLength / 2);
}

// PBX hold 5.0 s (commit 5.1) → resume committed at 9.1 s; music onset 13.0 s recognised at 14.0 s,
// end 16.0 s recognised at 16.5 s; call ends at 20 s.
const actions: Record<number, GateAction> = {
  5000: (g, t) => g.sdpOffer({ leg: 'pbx', exchangeId: 'h', hold: true }, t),
  5100: (g, t) => g.exchangeCommitted('h', t),
  9000: (g, t) => g.sdpOffer({ leg: 'pbx', exchangeId: 'r', hold: false }, t),
  9100: (g, t) => g.exchangeCommitted('r', t),
  14_000: (g, t) => g.musicDetected({ onsetMs: 13_000, confident: true }, t),
  16_500: () => undefined,
};
actions[16_500] = (g) => g.musicEnded(16_000);
const recorded = (t: number) => t < 5000 || (t >= 9100 && t < 13_000) || t >= 16_000;

describe('FileRecorder', () => {
  let dir: string;
  let base: FileRecorderOptions;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hg-rec-'));
    base = {
      dir,
      id: 'rec-1',
      callId: 'abc@127.0.0.1',
      queue: 'sales',
      from: 'sip:+4930123@127.0.0.1',
      to: 'sip:sales@127.0.0.1',
      startedAt: new Date('2025-03-01T10:00:00.000Z'),
      consentPolicy: 'announce',
      retentionDays: 30,
    };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gap: WAV holds exactly the recorded frames, caller left, agent right; metadata is complete', async () => {
    const recorder = await FileRecorder.open(base);
    const inflight = JSON.parse(
      await readFile(join(dir, 'rec-1.json'), 'utf8'),
    ) as RecordingMetadata;
    expect(inflight.status).toBe('recording');
    runSyntheticCall(recorder, 20_000, actions);
    const meta = await recorder.close(20_000);
    expect(recorder.status).toBe('complete');
    expect(await readdir(dir)).toEqual(['rec-1.json', 'rec-1.wav']); // spool and temps gone

    const pcm = await decode(join(dir, 'rec-1.wav'));
    const times: number[] = [];
    for (let t = 0; t < 20_000; t += 20) if (recorded(t)) times.push(t);
    expect(pcm.length).toBe(times.length * 160 * 2);
    let mismatches = 0;
    times.forEach((t, k) => {
      for (let i = 0; i < 160; i++) {
        const at = (k * 160 + i) * 2;
        if (pcm[at] !== sampleAt('caller', t, i)) mismatches++;
        if (pcm[at + 1] !== sampleAt('agent', t, i)) mismatches++;
      }
    });
    expect(mismatches).toBe(0);

    const onDisk = JSON.parse(await readFile(join(dir, 'rec-1.json'), 'utf8')) as RecordingMetadata;
    expect(onDisk).toEqual({ ...meta, metadataSha256: metadataDigest(meta) });
    expect(meta).toMatchObject({
      id: 'rec-1',
      callId: 'abc@127.0.0.1',
      queue: 'sales',
      from: 'sip:+4930123@127.0.0.1',
      to: 'sip:sales@127.0.0.1',
      startedAt: '2025-03-01T10:00:00.000Z',
      endedAt: '2025-03-01T10:00:20.000Z',
      status: 'complete',
      pauseBehaviour: 'gap',
      codec: 'PCMU',
      consent: { policy: 'announce', outcome: 'not-asked' },
      retainUntil: '2025-03-31T10:00:00.000Z',
      audio: {
        file: 'rec-1.wav',
        format: 'wav',
        channels: ['caller', 'agent'],
        sampleRate: 8000,
        durationSeconds: times.length / 50,
      },
      frames: { caller: times.length, agent: times.length, discarded: 0 },
    });
    expect(meta.audio?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.holdIntervals).toEqual([
      { start: 5, end: 9.1, cause: 'sdp-hold-pbx' },
      { start: 13, end: 16, cause: 'music-on-hold' },
    ]);
    expect(meta.gateEvents.map((e) => [e.t, e.state, e.cause])).toEqual([
      [5, 'paused', 'sdp-hold-pbx'],
      [9.1, 'recording', 'sdp-hold-pbx'],
      [13, 'paused', 'music-on-hold'],
      [16, 'recording', 'music-on-hold'],
    ]);
    expect(meta.segments).toEqual([
      { fileStart: 0, callStart: 0, duration: 5, kind: 'audio' },
      { fileStart: 5, callStart: 9.1, duration: 3.9, kind: 'audio' },
      { fileStart: 8.9, callStart: 16, duration: 4, kind: 'audio' },
    ]);

    expect(await verifyRecording(join(dir, 'rec-1.wav'))).toEqual({ ok: true });
    expect(await verifyRecording(join(dir, 'rec-1'))).toEqual({ ok: true });

    // flip one byte of audio → hash mismatch; restore → intact again
    const wavPath = join(dir, 'rec-1.wav');
    const wav = await readFile(wavPath);
    wav[5000] = wav[5000]! ^ 0x01;
    await writeFile(wavPath, wav);
    expect(await verifyRecording(join(dir, 'rec-1.json'))).toEqual({
      ok: false,
      reason: 'audio SHA-256 mismatch',
    });
    wav[5000] = wav[5000] ^ 0x01;
    await writeFile(wavPath, wav);
    expect((await verifyRecording(join(dir, 'rec-1.json'))).ok).toBe(true);

    // edit the metadata → digest mismatch; edit and re-seal → the timeline check catches it
    const metaPath = join(dir, 'rec-1.json');
    const edited = { ...onDisk, holdIntervals: [] };
    await writeFile(metaPath, JSON.stringify(edited));
    expect(await verifyRecording(metaPath)).toMatchObject({ ok: false, reason: /digest/ });
    const forged: RecordingMetadata = {
      ...onDisk,
      gateEvents: onDisk.gateEvents.map((e) => (e.t === 13 ? { ...e, t: 14 } : e)),
    };
    forged.metadataSha256 = metadataDigest(forged);
    await writeFile(metaPath, JSON.stringify(forged));
    expect(await verifyRecording(metaPath)).toEqual({
      ok: false,
      reason: 'segments disagree with the gate events',
    });
  });

  it('silence: paused stretches are digital silence, file time = call time', async () => {
    const recorder = await FileRecorder.open({ ...base, pauseBehaviour: 'silence' });
    runSyntheticCall(recorder, 20_000, actions);
    const meta = await recorder.close(20_000);
    const pcm = await decode(join(dir, 'rec-1.wav'));
    expect(pcm.length).toBe(20 * 8000 * 2);
    let mismatches = 0;
    for (let t = 0; t < 20_000; t += 20) {
      for (let i = 0; i < 160; i++) {
        const at = ((t / 20) * 160 + i) * 2;
        const c = recorded(t) ? sampleAt('caller', t, i) : 0;
        const a = recorded(t) ? sampleAt('agent', t, i) : 0;
        if (pcm[at] !== c || pcm[at + 1] !== a) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
    expect(meta.segments.map((s) => [s.fileStart, s.callStart, s.duration, s.kind])).toEqual([
      [0, 0, 5, 'audio'],
      [5, 5, 4.1, 'silence'],
      [9.1, 9.1, 3.9, 'audio'],
      [13, 13, 3, 'silence'],
      [16, 16, 4, 'audio'],
    ]);
    expect(await verifyRecording(join(dir, 'rec-1.json'))).toEqual({ ok: true });
  });

  it('nothing recordable (consent refused throughout) → absent: metadata only', async () => {
    const recorder = await FileRecorder.open(base);
    runSyntheticCall(recorder, 3000, { 0: (g, t) => g.consent('refused', t) }, 0);
    recorder.consentOutcome('refused', 0);
    const meta = await recorder.close(3000);
    expect(meta.status).toBe('absent');
    expect(meta.audio).toBeNull();
    expect(meta.consent.outcome).toBe('refused');
    expect(await readdir(dir)).toEqual(['rec-1.json']);
    expect(await verifyRecording(join(dir, 'rec-1.json'))).toEqual({ ok: true });
  });

  it('rejects an id that could escape the directory', async () => {
    await expect(FileRecorder.open({ ...base, id: '../x' })).rejects.toMatchObject({
      code: 'HG_ERR_RECORDING_SPOOL',
    });
  });
});
