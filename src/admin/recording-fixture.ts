/**
 * Test support: writes a finalized recording (stereo 8 kHz PCM16 WAV + sealed metadata) the
 * way the recorder does, so the admin tools and `verifyRecording` can run on it. Not used at
 * run time.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pauseLayout, sha256File, type RecordingMetadata } from '../recorder/index.js';
import { METADATA_SCHEMA, writeMetadata } from '../recorder/recording-metadata.js';

/** A canonical 44-byte-header WAV of `seconds` of a quiet tone, caller left, agent right. */
export function wavBytes(seconds: number, sampleRate = 8000): Buffer {
  const frames = Math.round(seconds * sampleRate);
  const data = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(1000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
    data.writeInt16LE(v, i * 4);
    data.writeInt16LE(-v, i * 4 + 2);
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(2, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 4, 28);
  h.writeUInt16LE(4, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

export interface FixtureOptions {
  id: string;
  from: string;
  to?: string;
  queue?: string;
  startedAt?: string;
  retainUntil?: string;
  seconds?: number;
  status?: RecordingMetadata['status'];
}

export async function writeRecordingFixture(
  dir: string,
  o: FixtureOptions,
): Promise<RecordingMetadata> {
  const seconds = o.seconds ?? 1;
  const startedAt = o.startedAt ?? '2025-03-01T10:00:00.000Z';
  const endedAt = new Date(Date.parse(startedAt) + seconds * 1000).toISOString();
  const file = `${o.id}.wav`;
  const wav = wavBytes(seconds);
  await writeFile(join(dir, file), wav);
  const meta: RecordingMetadata = {
    schema: METADATA_SCHEMA,
    id: o.id,
    callId: `${o.id}@127.0.0.1`,
    queue: o.queue ?? 'sales',
    from: o.from,
    to: o.to ?? 'sip:sales@127.0.0.1',
    startedAt,
    endedAt,
    status: o.status ?? 'complete',
    audio: {
      file,
      format: 'wav',
      sha256: await sha256File(join(dir, file)),
      channels: ['caller', 'agent'],
      sampleRate: 8000,
      encoder: 'pcm_s16le',
      durationSeconds: seconds,
      bytes: wav.length,
    },
    pauseBehaviour: 'gap',
    delayMs: 2500,
    holdIntervals: [],
    gateEvents: [],
    segments: pauseLayout([], seconds * 1000, 'gap').segments,
    consent: { policy: 'announce', outcome: 'accepted' },
    codec: 'PCMU',
    retainUntil: o.retainUntil ?? '2099-01-01T00:00:00.000Z',
    frames: { caller: seconds * 50, agent: seconds * 50, discarded: 0 },
    spool: null,
    recovered: false,
    finalizedAt: endedAt,
  };
  await writeMetadata(dir, meta);
  return meta;
}
