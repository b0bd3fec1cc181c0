/**
 * `holdgate verify <recording>`: proves a finalized recording is intact. Recomputes the SHA-256
 * of the audio file and checks the metadata at schema level: required fields, a final status
 * consistent with the audio, ordered events and intervals within the call, and segments that
 * (a) lie within the audio file's real duration (ffprobe) and (b) are exactly what the recorded
 * gate events imply — so neither the audio nor the timeline can be edited unnoticed.
 *
 * `<recording>` may be the metadata JSON, the audio file, or the path without extension.
 */
import { access, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { sha256File } from './finalize-recording.js';
import { pauseLayout } from './pause-layout.js';
import { METADATA_SCHEMA, metadataDigest, type RecordingMetadata } from './recording-metadata.js';

export type VerifyResult = { ok: true } | { ok: false; reason: string };

const EPS = 0.0005;

class Invalid extends Error {}

function check(condition: boolean, reason: string): asserts condition {
  if (!condition) throw new Invalid(reason);
}

export async function verifyRecording(path: string): Promise<VerifyResult> {
  try {
    await verifyOrThrow(await resolveMetadataPath(path));
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

async function resolveMetadataPath(path: string): Promise<string> {
  if (path.endsWith('.json')) return path;
  const ext = extname(path);
  if (ext !== '' && (await exists(path))) return path.slice(0, -ext.length) + '.json';
  return `${path}.json`;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function verifyOrThrow(metaPath: string): Promise<void> {
  let meta: RecordingMetadata;
  try {
    meta = JSON.parse(await readFile(metaPath, 'utf8')) as RecordingMetadata;
  } catch (err) {
    throw new Invalid(`metadata unreadable: ${err instanceof Error ? err.message : String(err)}`);
  }
  check(typeof meta === 'object', 'metadata is not an object');
  check(meta.metadataSha256 === metadataDigest(meta), 'metadata digest mismatch (edited)');
  const schema = meta.schema as string;
  check(schema === METADATA_SCHEMA, `unknown metadata schema ${schema}`);
  for (const key of ['id', 'callId', 'queue', 'from', 'to', 'startedAt', 'retainUntil'] as const) {
    check(typeof meta[key] === 'string', `metadata field ${key} missing`);
  }
  check(['gap', 'silence'].includes(meta.pauseBehaviour), 'pauseBehaviour invalid');
  check(Array.isArray(meta.gateEvents), 'gateEvents missing');
  check(Array.isArray(meta.holdIntervals), 'holdIntervals missing');
  check(Array.isArray(meta.segments), 'segments missing');
  check(typeof meta.consent.policy === 'string', 'consent missing');
  switch (meta.status) {
    case 'complete':
    case 'incomplete':
    case 'absent':
      break;
    case 'failed':
      throw new Invalid(`recording failed: ${meta.failure ?? 'unknown reason'}`);
    case 'deleted':
      throw new Invalid('recording was deleted');
    default:
      throw new Invalid(`recording not finalized (status ${meta.status as string})`);
  }
  const started = Date.parse(meta.startedAt);
  const ended = meta.endedAt === null ? NaN : Date.parse(meta.endedAt);
  check(Number.isFinite(started) && Number.isFinite(ended), 'startedAt/endedAt invalid');
  check(ended >= started, 'endedAt before startedAt');
  const callSeconds = (ended - started) / 1000;

  let lastT = 0;
  for (const e of meta.gateEvents) {
    check(typeof e.t === 'number' && e.t >= lastT - EPS, 'gateEvents out of order');
    check(e.t <= callSeconds + EPS, 'gate event after the call ended');
    const state = e.state as string;
    check(state === 'paused' || state === 'recording', 'gate event state invalid');
    lastT = e.t;
  }
  let lastStart = 0;
  for (const h of meta.holdIntervals) {
    check(typeof h.start === 'number' && typeof h.end === 'number', 'hold interval invalid');
    check(h.start >= lastStart - EPS, 'holdIntervals out of order');
    check(h.start <= h.end + EPS, 'hold interval ends before it starts');
    check(h.start >= -EPS && h.end <= callSeconds + EPS, 'hold interval outside the call');
    lastStart = h.start;
  }

  if (meta.status === 'absent') {
    check(meta.audio === null, 'absent recording has audio');
    check(meta.segments.length === 0, 'absent recording has segments');
    return;
  }
  const audio = meta.audio;
  check(audio !== null, `status ${meta.status} without audio`);
  check(
    typeof audio.file === 'string' && !audio.file.includes('/') && audio.file !== '',
    'audio.file invalid',
  );
  const audioPath = join(dirname(metaPath), audio.file);
  check(await exists(audioPath), `audio file ${audio.file} missing`);
  check((await stat(audioPath)).size === audio.bytes, 'audio size differs from metadata');
  check((await sha256File(audioPath)) === audio.sha256, 'audio SHA-256 mismatch');

  // segments: ordered, non-overlapping, within the file, and exactly what the gate events imply
  let fileEnd = 0;
  let callEnd = 0;
  let total = 0;
  for (const s of meta.segments) {
    check(s.duration > 0, 'empty segment');
    check(s.fileStart >= fileEnd - EPS, 'segments overlap or are out of order in file time');
    check(s.callStart >= callEnd - EPS, 'segments overlap or are out of order in call time');
    fileEnd = s.fileStart + s.duration;
    callEnd = s.callStart + s.duration;
    total += s.duration;
  }
  check(Math.abs(fileEnd - audio.durationSeconds) < 0.001, 'segments do not cover the audio');
  check(Math.abs(total - audio.durationSeconds) < 0.001, 'segment durations do not add up');
  check(callEnd <= callSeconds + 0.02 + EPS, 'segment beyond the end of the call');
  const expected = pauseLayout(meta.gateEvents, ended - started, meta.pauseBehaviour).segments;
  check(
    JSON.stringify(expected) === JSON.stringify(meta.segments),
    'segments disagree with the gate events',
  );
  // the file must hold every segment; lossy encoders may add up to a few frames of padding
  const probed = await probeDuration(audioPath);
  const padding = audio.format === 'wav' || audio.format === 'flac' ? 0.001 : 0.3;
  check(
    probed >= audio.durationSeconds - 0.001 && probed <= audio.durationSeconds + padding,
    `audio lasts ${probed} s, metadata says ${audio.durationSeconds} s`,
  );
}

function probeDuration(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(path, (err: unknown, data) => {
      if (err) {
        reject(
          new Invalid(`ffprobe rejects the audio: ${err instanceof Error ? err.message : 'error'}`),
        );
        return;
      }
      const d = Number(data.format.duration);
      if (Number.isFinite(d)) resolve(d);
      else reject(new Invalid('audio duration unknown'));
    });
  });
}
